"""General meetings' pages: the notice and agenda for everyone, a member's proxy and check-in,
voting in the room, the proxy holder's discretionary votes, the chair's console, the tellers'
counts, results and minutes; calling a meeting for governors.

Each handler reads its form, runs one meetings command (a refusal comes back as a message on
the meeting's page) and redirects; the meetings' rules decide whether the thing may happen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coopvote.errors import InvalidInput
from coopvote.forum import views as forum
from coopvote.meetings import service, views
from coopvote.meetings.models import ItemKind, Meeting, MeetingKind, OfficerRole, ResolutionType
from coopvote.meetings.rules import Figures
from coopvote.members.models import Member, Role
from coopvote.web.access import SIGNED_IN, requires
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now, attempt
from coopvote.web.forms import FieldProblems, FormData, local_time, text, whole_number
from coopvote.web.templating import page, redirect, reshow

#: How many agenda items the form to call a meeting offers (more can follow as members'
#: resolutions, or by the API).
ITEM_SLOTS = 4
CHANNEL_NAMES = {
    "advance": "Advance online votes",
    "in_room": "Online in the room",
    "proxy_directed": "Directed proxies",
    "proxy_discretionary": "Discretionary proxies",
    "tellers": "Tellers (hands or paper)",
}


def _governor(principal: CurrentPrincipal) -> bool:
    return principal.has(Role.GOVERNOR)


def _member(db: Db, number: str, field: str) -> Member:
    member = views.by_number(db, number)
    if member is None:
        raise InvalidInput("No member has that member number.", field_errors={field: "Unknown."})
    return member


class MeetingPages(Controller):
    path = "/meetings"
    opt = SIGNED_IN
    include_in_schema = False

    def _act(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        meeting: Meeting,
        action: Callable[[], object],
        done: str,
        anchor: str = "",
    ) -> Redirect:
        """Run one command; back to the meeting's page with ``done`` or the refusal."""
        target = f"/meetings/{meeting.public_id}{anchor}"
        if problem := attempt(db, action):
            details = " ".join([problem.detail, *problem.field_errors.values()])
            return redirect(request, target, details, "error")
        return redirect(request, target, done)

    def _meeting(self, db: Db, principal: CurrentPrincipal, meeting_id: str) -> Meeting:
        return views.visible_meeting(db, meeting_id, governor=_governor(principal))

    @get("/", sync_to_thread=True)
    def index(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal
    ) -> Template:
        return page(
            request,
            "meetings/index.html",
            meetings=views.list_meetings(db, governor=_governor(principal)),
            can_call=_governor(principal),
        )

    @get("/new", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def new(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "meetings/new.html", slots=range(ITEM_SLOTS))

    @post("/", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def call(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        settings: CurrentSettings,
        data: FormData,
    ) -> Template | Redirect:
        zone = ZoneInfo(settings.timezone)
        problems = FieldProblems()
        starts_at = problems.read(lambda: local_time(data, "starts_at", zone), None)
        if starts_at is None and "starts_at" not in problems.errors:
            problems.errors["starts_at"] = "Enter a date and time."
        items = []
        for n in range(ITEM_SLOTS):
            title = text(data, f"item{n}_title").strip()
            kind = text(data, f"item{n}_kind")
            if not title:
                continue
            rtype = {"ordinary": ResolutionType.ORDINARY, "special": ResolutionType.SPECIAL}.get(
                kind
            )
            items.append(
                service.ItemDefinition(
                    ItemKind.RESOLUTION
                    if rtype
                    else ItemKind.REPORT
                    if kind == "report"
                    else ItemKind.AOB,
                    title,
                    text(data, f"item{n}_text"),
                    rtype,
                )
            )
        try:
            problems.ensure_none()
            assert starts_at is not None
            meeting = service.create_meeting(
                db,
                service.MeetingDefinition(
                    kind=MeetingKind.AGM if text(data, "kind") == "agm" else MeetingKind.GENERAL,
                    title=text(data, "title"),
                    starts_at=starts_at,
                    place=text(data, "place"),
                    online_url=text(data, "online_url"),
                    items=items,
                ),
                actor_id=principal.member_id,
                now=now,
            )
        except InvalidInput as problem:
            return reshow(request, "meetings/new.html", problem, data, slots=range(ITEM_SLOTS))
        return redirect(
            request,
            f"/meetings/{meeting.public_id}",
            "Meeting called: a draft until its notice is issued.",
        )

    @get("/{meeting_id:str}", sync_to_thread=True)
    def show(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        meeting_id: FromPath[str],
    ) -> Template:
        meeting = self._meeting(db, principal, meeting_id)
        return page(
            request,
            "meetings/show.html",
            view=views.meeting_page(db, meeting, principal.member_id),
            governor=_governor(principal),
            member=principal.has(Role.MEMBER),
            channel_names=CHANNEL_NAMES,
        )

    @post("/{meeting_id:str}/notice", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def notice(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)
        return self._act(
            request,
            db,
            meeting,
            lambda: service.issue_notice(db, meeting, actor_id=principal.member_id, now=now),
            "Notice issued: advance voting and proxies are open.",
        )

    @post("/{meeting_id:str}/cancel", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def cancel(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)
        return self._act(
            request,
            db,
            meeting,
            lambda: service.cancel_meeting(
                db, meeting, reason=text(data, "reason"), actor_id=principal.member_id, now=now
            ),
            "The meeting is cancelled.",
        )

    @post("/{meeting_id:str}/officers", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def officer(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)
        role = OfficerRole.CHAIR if text(data, "role") == "chair" else OfficerRole.TELLER
        return self._act(
            request,
            db,
            meeting,
            lambda: service.name_officer(
                db,
                meeting,
                _member(db, text(data, "member_number"), "member_number"),
                role,
                actor_id=principal.member_id,
                now=now,
            ),
            f"{role.value.title()} named.",
        )

    @post("/{meeting_id:str}/members-resolution", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def members_resolution(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)

        def place() -> None:
            proposal = forum.get_proposal(
                db, text(data, "proposal").strip(), forum.viewer_of(db, principal.member_id)
            )
            service.place_members_resolution(
                db, meeting, proposal, actor_id=principal.member_id, now=now
            )

        return self._act(request, db, meeting, place, "Members' resolution placed on the agenda.")

    @post("/{meeting_id:str}/proxy", opt=requires(Role.MEMBER), sync_to_thread=True)
    def proxy(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)
        resolutions = [i for i in views.items(db, meeting) if i.kind is ItemKind.RESOLUTION]

        def appoint() -> None:
            holder = (
                None
                if text(data, "proxy_kind") == "chair"
                else _member(db, text(data, "member_number"), "member_number")
            )
            directed = text(data, "directed") == "yes"
            instructions = (
                {
                    i.public_id: text(data, f"instruction_{i.public_id}")
                    for i in resolutions
                    if text(data, f"instruction_{i.public_id}")
                }
                if directed
                else None
            )
            service.appoint_proxy(
                db,
                meeting,
                member_id=principal.member_id,
                proxy=holder,
                instructions=instructions,
                now=now,
            )

        return self._act(request, db, meeting, appoint, "Your proxy is appointed.", "#proxy")

    @post("/{meeting_id:str}/proxy/revoke", opt=requires(Role.MEMBER), sync_to_thread=True)
    def revoke(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)
        return self._act(
            request,
            db,
            meeting,
            lambda: service.revoke_proxy(db, meeting, member_id=principal.member_id, now=now),
            "Your proxy is revoked.",
            "#proxy",
        )

    @post("/{meeting_id:str}/check-in", sync_to_thread=True)
    def check_in(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)
        number = text(data, "member_number")

        def check() -> None:
            member = (
                _member(db, number, "member_number")
                if number
                else views.members_by_id(db, [principal.member_id])[principal.member_id]
            )
            service.check_in(db, meeting, member, actor_id=principal.member_id, now=now)

        return self._act(request, db, meeting, check, "Checked in.")

    @post("/{meeting_id:str}/open", sync_to_thread=True)
    def open_meeting(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)
        return self._act(
            request,
            db,
            meeting,
            lambda: service.open_meeting(db, meeting, actor_id=principal.member_id, now=now),
            "The meeting is open.",
        )

    @post("/{meeting_id:str}/close", sync_to_thread=True)
    def close_meeting(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)
        return self._act(
            request,
            db,
            meeting,
            lambda: service.close_meeting(db, meeting, actor_id=principal.member_id, now=now),
            "The meeting is closed; its minutes are drafted.",
        )

    @post("/{meeting_id:str}/items/{item_id:str}/{action:str}", sync_to_thread=True)
    def item_action(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        item_id: FromPath[str],
        action: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """The chair's ``open``, ``close`` and ``declare``; an attendee's ``vote``; a proxy
        holder's ``proxy-vote``; a teller's ``tellers``."""
        meeting = self._meeting(db, principal, meeting_id)
        item = views.find_item(db, meeting, item_id)
        me = principal.member_id
        choice = text(data, "choice")

        def tellers() -> None:
            service.enter_teller_count(db, meeting, item, _figures(data), teller_id=me, now=now)

        actions: dict[str, tuple[Callable[[], object], str]] = {
            "open": (
                lambda: service.open_motion(db, meeting, item, actor_id=me, now=now),
                "Motion open for voting.",
            ),
            "close": (
                lambda: service.close_motion(db, meeting, item, actor_id=me, now=now),
                "Voting closed.",
            ),
            "declare": (
                lambda: service.declare(db, meeting, item, actor_id=me, now=now),
                "Result declared.",
            ),
            "vote": (
                lambda: service.vote_in_room(
                    db, meeting, item, member_id=me, choice=choice, now=now
                ),
                "Your vote is recorded. Thank you.",
            ),
            "proxy-vote": (
                lambda: service.proxy_vote(db, meeting, item, holder_id=me, choice=choice),
                "Your proxies' vote is recorded.",
            ),
            "tellers": (tellers, "Count entered."),
        }
        if action not in actions:
            return redirect(request, f"/meetings/{meeting.public_id}", "No such action.", "error")
        run, done = actions[action]
        return self._act(request, db, meeting, run, done, f"#item-{item.public_id}")

    @post("/{meeting_id:str}/minutes", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def minutes(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        meeting = self._meeting(db, principal, meeting_id)
        if text(data, "publish") == "yes":
            return self._act(
                request,
                db,
                meeting,
                lambda: service.publish_minutes(db, meeting, actor_id=principal.member_id, now=now),
                "Minutes published.",
                "#minutes",
            )
        return self._act(
            request,
            db,
            meeting,
            lambda: service.edit_minutes(
                db, meeting, text(data, "minutes"), actor_id=principal.member_id, now=now
            ),
            "Minutes saved.",
            "#minutes",
        )


def _figures(data: dict[str, Any]) -> Figures:
    """A teller's form: for, against and abstain, whole numbers (blank is none); every field
    out of range marked at once."""
    problems = FieldProblems()

    def count(name: str) -> int:
        return problems.read(lambda: whole_number(data, name, 0) or 0, 0)

    figures = Figures(count("for"), count("against"), count("abstain"))
    problems.ensure_none()
    return figures
