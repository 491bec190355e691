"""``/api/v1``: organisations, constituencies, members, the session and ``me``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from coopvote.members import service as members
from coopvote.members import views
from coopvote.members.models import MemberStatus, Role, normalise_email
from coopvote.members.rules import Transition
from coopvote.members.service import Application
from coopvote.members.views import MemberSummary, RegisterQuery
from coopvote.security import service as signing
from coopvote.web import paper_draft, receipt_cookie
from coopvote.web import signing as web_signing
from coopvote.web.access import OWN_ACCOUNT, PUBLIC, requires
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now
from coopvote.web.forms import MAX_WHOLE_NUMBER
from coopvote.web.middleware import bound_csrf_cookie, clear_session_cookie, session_cookie
from coopvote.web.shapes import ReasonIn


@dataclass
class NamedThing:
    slug: str
    name: str


@dataclass
class MemberIn:
    name: str
    email: str
    password: str
    constituency: str
    organisation: str
    #: Extension: an integration that enrols members confirms they agreed to the rules.
    agrees_to_rules: bool = True


@dataclass
class MemberOut:
    id: str
    name: str
    email: str
    status: str
    member_number: int | None
    constituency: str | None
    organisation: str | None
    roles: list[str]

    @classmethod
    def of(cls, member: MemberSummary) -> MemberOut:
        return cls(
            id=member.public_id,
            name=member.name,
            email=member.email,
            status=member.status.value,
            member_number=member.member_number,
            constituency=member.constituency,
            organisation=member.organisation,
            roles=[r.value for r in member.roles],
        )


@dataclass
class HistoryOut:
    at: datetime
    from_status: str | None
    to_status: str
    reason: str
    by: str | None


@dataclass
class MemberDetailOut(MemberOut):
    history: list[HistoryOut]


@dataclass
class CredentialsIn:
    email: str
    password: str


class PublicController(Controller):
    path = "/api/v1"
    tags = ["co-operative"]
    opt = PUBLIC

    @get("/organisations", sync_to_thread=True)
    def organisations(self, db: Db) -> list[NamedThing]:
        return [NamedThing(o.slug, o.name) for o in views.organisations(db)]

    @get("/constituencies", sync_to_thread=True)
    def constituencies(self, db: Db) -> list[NamedThing]:
        return [NamedThing(c.slug, c.name) for c in views.constituencies(db)]

    @post("/session", status_code=HTTP_200_OK, sync_to_thread=True)
    def sign_in(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        data: JSONBody[CredentialsIn],
        now: Now,
        settings: CurrentSettings,
    ) -> Response[Any]:
        outcome = web_signing.sign_in(
            request, settings, email=data.email, password=data.password, now=now
        )
        if isinstance(outcome, signing.Throttled):
            return web_signing.throttled(outcome)
        if isinstance(outcome, signing.SignInRefused):
            return Response(
                {"status_code": outcome.status_code, "detail": outcome.detail},
                status_code=outcome.status_code,
            )
        return Response(
            MemberOut.of(views.summary(db, outcome.member)),
            cookies=[
                session_cookie(settings, outcome.token),
                bound_csrf_cookie(settings, outcome.token),
            ],
        )

    @delete("/session", status_code=HTTP_204_NO_CONTENT, sync_to_thread=True)
    def sign_out(
        self, request: Request[Any, Any, Any], db: Db, settings: CurrentSettings
    ) -> Response[None]:
        token = request.cookies.get(settings.session_cookie_name)
        if token:
            signing.sign_out(db, token)
        return Response(
            None,
            status_code=HTTP_204_NO_CONTENT,
            cookies=[
                clear_session_cookie(settings),
                receipt_cookie.forgotten(settings),
                paper_draft.forgotten(settings),
            ],
        )


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["members"]
    opt = OWN_ACCOUNT

    @get("/", sync_to_thread=True)
    def me(self, db: Db, principal: CurrentPrincipal) -> MemberOut:
        return MemberOut.of(views.summary(db, views.get_member(db, principal.public_id)))

    @post("/withdraw", status_code=HTTP_200_OK, sync_to_thread=True)
    def withdraw(self, db: Db, principal: CurrentPrincipal, now: Now) -> MemberOut:
        member = views.get_member(db, principal.public_id)
        members.change_status(
            db, member=member, transition=Transition.WITHDREW, actor_id=principal.member_id, now=now
        )
        return MemberOut.of(views.summary(db, member))


class MembersController(Controller):
    path = "/api/v1/members"
    tags = ["members"]
    opt = requires(Role.GOVERNOR)

    @post("/", opt=PUBLIC, sync_to_thread=True)
    def apply(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[MemberIn],
        now: Now,
        settings: CurrentSettings,
    ) -> MemberOut | Response[Any]:
        """Apply for membership. The answer is the same whether or not the email is taken;
        too many applications lately, from the client's address or from everyone, get 429
        with ``Retry-After``."""
        application = Application(
            data.name,
            data.email,
            data.password,
            data.constituency,
            data.organisation,
            data.agrees_to_rules,
        )
        try:
            public_id = web_signing.register(request, settings, application, now)
        except signing.Throttled as problem:
            return web_signing.throttled(problem)
        return MemberOut(
            id=public_id,
            name=data.name.strip(),
            email=normalise_email(data.email),
            status=MemberStatus.PENDING.value,
            member_number=None,
            constituency=data.constituency,
            organisation=data.organisation,
            roles=[Role.MEMBER.value],
        )

    @get("/", sync_to_thread=True)
    def register(
        self,
        db: Db,
        status: FromQuery[MemberStatus | None] = None,
        q: FromQuery[str] = "",
        constituency: FromQuery[str | None] = None,
        organisation: FromQuery[str | None] = None,
        page: Annotated[int, QueryParameter(ge=1, le=MAX_WHOLE_NUMBER)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[MemberOut]:
        query = RegisterQuery(
            search=q,
            status=status,
            constituency=constituency,
            organisation=organisation,
            page=page,
            per_page=per_page,
        )
        return [MemberOut.of(m) for m in views.search_register(db, query).items]

    @get("/{member_id:str}", sync_to_thread=True)
    def member(self, db: Db, member_id: FromPath[str]) -> MemberDetailOut:
        member = views.get_member(db, member_id)
        return MemberDetailOut(
            **vars(MemberOut.of(views.summary(db, member))),
            history=[
                HistoryOut(h.at, h.from_status, h.to_status, h.reason, h.actor_name)
                for h in views.history(db, member)
            ],
        )

    def _change(
        self,
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        transition: Transition,
        data: ReasonIn | None,
        now: Now,
    ) -> MemberOut:
        member = views.get_member(db, member_id)
        members.change_status(
            db,
            member=member,
            transition=transition,
            actor_id=principal.member_id,
            now=now,
            reason=data.reason if data else "",
        )
        return MemberOut.of(views.summary(db, member))

    @post("/{member_id:str}/approve", status_code=HTTP_200_OK, sync_to_thread=True)
    def approve(
        self,
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        now: Now,
        data: JSONBody[ReasonIn | None] = None,
    ) -> MemberOut:
        return self._change(db, principal, member_id, Transition.ADMITTED, data, now)

    @post("/{member_id:str}/reject", status_code=HTTP_200_OK, sync_to_thread=True)
    def reject(
        self,
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        now: Now,
        data: JSONBody[ReasonIn | None] = None,
    ) -> MemberOut:
        return self._change(db, principal, member_id, Transition.REJECTED, data, now)

    @post("/{member_id:str}/suspend", status_code=HTTP_200_OK, sync_to_thread=True)
    def suspend(
        self,
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        now: Now,
        data: JSONBody[ReasonIn | None] = None,
    ) -> MemberOut:
        return self._change(db, principal, member_id, Transition.SUSPENDED, data, now)

    @post("/{member_id:str}/reinstate", status_code=HTTP_200_OK, sync_to_thread=True)
    def reinstate(
        self,
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        now: Now,
        data: JSONBody[ReasonIn | None] = None,
    ) -> MemberOut:
        return self._change(db, principal, member_id, Transition.REINSTATED, data, now)

    @post("/{member_id:str}/cease", status_code=HTTP_200_OK, sync_to_thread=True)
    def cease(
        self,
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        now: Now,
        data: JSONBody[ReasonIn | None] = None,
    ) -> MemberOut:
        return self._change(db, principal, member_id, Transition.CEASED, data, now)
