"""``/api/v1``: organisations, constituencies, members, the session and ``me``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from coopvote.members import lapsing, privacy, retention, views
from coopvote.members import service as members
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
    #: Extension: an organisation applying (``name`` is the organisation's) names the one
    #: person who will act and vote for it.
    representative: str | None = None
    #: Extension, students only: ``under_13`` or ``13_or_over`` (``below_minimum`` is
    #: refused), and under 13 who gives a parent's or carer's consent.
    age_band: str = ""
    guardian_consent_by: str = ""


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
    #: Extension: for an organisation member, the person who acts and votes for it.
    representative: str | None

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
            representative=member.representative,
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
class MyDetailsIn:
    """What a member corrects of their own details (a new email waits for member mail)."""

    name: str


@dataclass
class DetailsIn:
    """What a governor corrects on a member's record; what is left out stays as it is."""

    name: str | None = None
    email: str | None = None


@dataclass
class NoticeOut:
    version: int
    #: Markdown.
    text: str


@dataclass
class ConsentIn:
    #: The parent or carer who gave consent.
    guardian: str


@dataclass
class RepresentativeIn:
    name: str
    email: str


@dataclass
class TermOut:
    #: When the membership lapses unless renewed again.
    term_ends_at: datetime


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

    @get("/privacy", sync_to_thread=True)
    def privacy_notice(self, db: Db, settings: CurrentSettings) -> NoticeOut:
        """The privacy notice in force (Markdown), and its version."""
        notice = privacy.current_notice(db, cooperative=settings.cooperative_name)
        return NoticeOut(version=notice.version, text=notice.text)

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

    @patch("/", sync_to_thread=True)
    def correct(
        self, db: Db, principal: CurrentPrincipal, data: JSONBody[MyDetailsIn], now: Now
    ) -> MemberOut:
        """Correct one's own name (UK GDPR Art. 16); audited by field name only."""
        member = views.get_member(db, principal.public_id)
        members.correct_details(
            db,
            member=member,
            details=members.Details(name=data.name),
            actor_id=principal.member_id,
            now=now,
        )
        return MemberOut.of(views.summary(db, member))

    @get("/export", sync_to_thread=True)
    def export(self, db: Db, principal: CurrentPrincipal, now: Now) -> dict[str, Any]:
        """Every piece of personal data held about the caller (subject access, UK GDPR Art.
        15): details, status history, offices, consent, proposals, comments, support,
        sessions; nothing about any vote or any other member."""
        return privacy.subject_access(db, views.get_member(db, principal.public_id), now=now)

    @post("/renew", status_code=HTTP_200_OK, sync_to_thread=True)
    def renew(self, db: Db, principal: CurrentPrincipal, now: Now) -> TermOut:
        """Renew a membership that lapses; ``409`` where it does not, or for a non-member."""
        ends = lapsing.renew(db, member=views.get_member(db, principal.public_id), now=now)
        return TermOut(term_ends_at=ends)

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
            data.representative,
            data.age_band,
            data.guardian_consent_by,
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
            representative=data.representative.strip() if data.representative else None,
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

    @patch("/{member_id:str}", sync_to_thread=True)
    def correct(
        self,
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        data: JSONBody[DetailsIn],
        now: Now,
    ) -> MemberOut:
        """A governor corrects a member's name or email; audited by field name only."""
        member = views.get_member(db, member_id)
        members.correct_details(
            db,
            member=member,
            details=members.Details(name=data.name or member.name, email=data.email),
            actor_id=principal.member_id,
            now=now,
        )
        return MemberOut.of(views.summary(db, member))

    @post("/{member_id:str}/representative", status_code=HTTP_200_OK, sync_to_thread=True)
    def representative(
        self,
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        data: JSONBody[RepresentativeIn],
        now: Now,
    ) -> MemberOut:
        """Replace an organisation member's representative (``409`` for a person)."""
        member = views.get_member(db, member_id)
        members.replace_representative(
            db,
            member=member,
            name=data.name,
            email=data.email,
            actor_id=principal.member_id,
            now=now,
        )
        return MemberOut.of(views.summary(db, member))

    @post("/{member_id:str}/consent", status_code=HTTP_200_OK, sync_to_thread=True)
    def consent(
        self,
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        data: JSONBody[ConsentIn],
        now: Now,
    ) -> MemberOut:
        """Record a parent's or carer's consent for a student under 13 (``409`` otherwise)."""
        member = views.get_member(db, member_id)
        members.record_guardian_consent(
            db, member=member, guardian=data.guardian, actor_id=principal.member_id, now=now
        )
        return MemberOut.of(views.summary(db, member))

    @post(
        "/{member_id:str}/erase",
        status_code=HTTP_200_OK,
        opt=requires(Role.ADMIN),
        sync_to_thread=True,
    )
    def erase(
        self, db: Db, principal: CurrentPrincipal, member_id: FromPath[str], now: Now
    ) -> MemberOut:
        """An admin erases a former member's personal data at their request (UK GDPR Art.
        17), keeping the register entry; ``409`` while they are still a member."""
        member = views.get_member(db, member_id)
        retention.erase(db, member=member, actor_id=principal.member_id, now=now, on_request=True)
        return MemberOut.of(views.summary(db, member))

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
