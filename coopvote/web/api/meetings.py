"""``/api/v1/meetings``: calling general meetings, notice, proxies, attendance, the chair's
motions, in-room and proxy votes, tellers' counts, results and minutes (docs/api.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from coopvote.cooperative import views as cooperative
from coopvote.cooperative.service import MeetingRules, change_meeting_rules
from coopvote.errors import InvalidInput, NotFound
from coopvote.forum import views as forum
from coopvote.meetings import service, views
from coopvote.meetings.models import (
    AgendaItem,
    ItemKind,
    Meeting,
    MeetingKind,
    MotionStatus,
    OfficerRole,
    ResolutionType,
)
from coopvote.meetings.rules import Figures
from coopvote.members.models import Role
from coopvote.members.views import get_member
from coopvote.security.sessions import Principal
from coopvote.web.access import SIGNED_IN, requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.shapes import ReasonIn


@dataclass
class ItemIn:
    kind: ItemKind
    title: str
    text: str = ""
    resolution_type: ResolutionType | None = None


@dataclass
class MeetingIn:
    kind: MeetingKind
    title: str
    starts_at: datetime
    place: str = ""
    online_url: str = ""
    record_date: datetime | None = None
    items: list[ItemIn] = field(default_factory=list)

    def definition(self) -> service.MeetingDefinition:
        return service.MeetingDefinition(
            kind=self.kind,
            title=self.title,
            starts_at=self.starts_at,
            place=self.place,
            online_url=self.online_url,
            record_date=self.record_date,
            items=[
                service.ItemDefinition(i.kind, i.title, i.text, i.resolution_type)
                for i in self.items
            ],
        )


@dataclass
class AmendIn:
    title: str
    place: str = ""
    online_url: str = ""


@dataclass
class ProposalIn:
    #: The forum proposal's public id.
    proposal: str


@dataclass
class OfficerIn:
    member: str
    role: OfficerRole


@dataclass
class ProxyIn:
    #: A member's public id, or ``"chair"`` for the chair of the meeting.
    proxy: str
    #: ``{item id: "for" | "against" | "abstain"}``; ``null``: discretionary.
    instructions: dict[str, str] | None = None


@dataclass
class AttendanceIn:
    #: The member checked in (an officer checking someone in); default: oneself.
    member: str | None = None


@dataclass
class ChoiceIn:
    choice: Literal["for", "against", "abstain"]


class TellersIn(msgspec.Struct):
    """``{"for", "against", "abstain"}``: hands (or poll papers) counted in the room."""

    votes_for: int = msgspec.field(name="for")
    against: int = 0
    abstain: int = 0


@dataclass
class MinutesIn:
    text: str


@dataclass
class ItemOut:
    id: str
    position: int
    kind: str
    title: str
    text: str
    resolution_type: str | None
    advance_ballot_id: str | None
    motion: str
    members_resolution: bool


@dataclass
class QuorumOut:
    required: int
    in_person: int
    by_proxy: int
    present: int
    met: bool


@dataclass
class MeetingOut:
    id: str
    kind: str
    title: str
    status: str
    starts_at: datetime
    place: str
    online_url: str
    record_date: datetime | None
    notice_issued_at: datetime | None
    notice_versions: int
    proxy_deadline: datetime | None
    proxy_cap: int | None
    items: list[ItemOut]
    quorum: QuorumOut | None
    quorum_at_opening: int | None
    chair: str | None
    tellers: list[str]
    minutes_published: bool
    cancel_reason: str | None


@dataclass
class ProxyOut:
    proxy: str
    instructions: dict[str, str] | None
    appointed_at: datetime


@dataclass
class MyPartOut:
    entitled: bool
    attending: bool
    proxy: ProxyOut | None
    #: The members whose proxy you hold (their public ids), with their instructions.
    holding: list[dict[str, Any]]
    #: Per resolution: the channel through which your vote counts, or ``null``.
    counted: dict[str, str | None]


@dataclass
class ReceiptOut:
    receipt: str


@dataclass
class TellersOut:
    #: The agreed count once two tellers entered the same figures; ``null`` until then.
    agreed: dict[str, int] | None


@dataclass
class NoticeOut:
    version: int
    issued_at: datetime
    sha256: str
    document: str


@dataclass
class RulesIo:
    """The co-operative's general-meeting settings (docs/meetings.md)."""

    notice_clear_days: int
    proxy_deadline_hours: int
    proxy_cap: int
    meeting_quorum: int
    members_resolution_weeks: int


@dataclass
class MinutesOut:
    text: str
    published_at: datetime | None


def _is_governor(principal: Principal) -> bool:
    return principal.has(Role.GOVERNOR)


def present(db: Db, meeting: Meeting, principal: Principal) -> MeetingOut:
    items = views.items(db, meeting)
    ballot_ids = {i.public_id: views.ballot_public_id(db, i) for i in items if i.advance_ballot_id}
    officers = views.officers(db, meeting)
    people = views.members_by_id(db, [o.member_id for o in officers])
    q = views.quorum(db, meeting) if meeting.notice_issued_at else None
    return MeetingOut(
        id=meeting.public_id,
        kind=meeting.kind.value,
        title=meeting.title,
        status=meeting.status.value,
        starts_at=meeting.starts_at,
        place=meeting.place,
        online_url=meeting.online_url,
        record_date=meeting.record_date,
        notice_issued_at=meeting.notice_issued_at,
        notice_versions=len(views.notices(db, meeting)),
        proxy_deadline=meeting.proxy_deadline,
        proxy_cap=meeting.proxy_cap,
        items=[
            ItemOut(
                id=i.public_id,
                position=i.position,
                kind=i.kind.value,
                title=i.title,
                text=i.text,
                resolution_type=i.resolution_type.value if i.resolution_type else None,
                advance_ballot_id=ballot_ids.get(i.public_id),
                motion=i.motion.value,
                members_resolution=i.proposal_id is not None,
            )
            for i in items
        ],
        quorum=QuorumOut(q.required, q.in_person, q.by_proxy, q.present, q.met) if q else None,
        quorum_at_opening=meeting.quorum_present,
        chair=next(
            (people[o.member_id].public_id for o in officers if o.role is OfficerRole.CHAIR), None
        ),
        tellers=[people[o.member_id].public_id for o in officers if o.role is OfficerRole.TELLER],
        minutes_published=meeting.minutes_published_at is not None,
        cancel_reason=meeting.cancel_reason or None,
    )


class MeetingsController(Controller):
    path = "/api/v1/meetings"
    tags = ["meetings"]
    opt = requires(Role.GOVERNOR)

    def _meeting(self, db: Db, principal: Principal, meeting_id: str) -> Meeting:
        return views.visible_meeting(db, meeting_id, governor=_is_governor(principal))

    def _item(
        self, db: Db, principal: Principal, meeting_id: str, item_id: str
    ) -> tuple[Meeting, AgendaItem]:
        meeting = self._meeting(db, principal, meeting_id)
        return meeting, views.find_item(db, meeting, item_id)

    @get("/", opt=SIGNED_IN, sync_to_thread=True)
    def list_meetings(self, db: Db, principal: CurrentPrincipal) -> list[MeetingOut]:
        return [
            present(db, m, principal)
            for m in views.list_meetings(db, governor=_is_governor(principal))
        ]

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create(
        self, db: Db, principal: CurrentPrincipal, now: Now, data: JSONBody[MeetingIn]
    ) -> MeetingOut:
        """Call a meeting (governors): a draft with its agenda."""
        meeting = service.create_meeting(
            db, data.definition(), actor_id=principal.member_id, now=now
        )
        return present(db, meeting, principal)

    @get("/rules", opt=SIGNED_IN, sync_to_thread=True)
    def rules(self, db: Db) -> RulesIo:
        """The general-meeting settings in force."""
        settings = cooperative.current(db)
        return RulesIo(**{k: getattr(settings, k) for k in RulesIo.__dataclass_fields__})

    @put("/rules", opt=requires(Role.ADMIN), sync_to_thread=True)
    def change_rules(
        self, db: Db, principal: CurrentPrincipal, now: Now, data: JSONBody[RulesIo]
    ) -> RulesIo:
        """Admins change the general-meeting settings (audited); a meeting keeps those in force
        when its notice was issued."""
        changed = change_meeting_rules(
            db, MeetingRules(**vars(data)), actor_id=principal.member_id, now=now
        )
        return RulesIo(**{k: getattr(changed, k) for k in RulesIo.__dataclass_fields__})

    @get("/{meeting_id:str}", opt=SIGNED_IN, sync_to_thread=True)
    def meeting(self, db: Db, principal: CurrentPrincipal, meeting_id: FromPath[str]) -> MeetingOut:
        return present(db, self._meeting(db, principal, meeting_id), principal)

    @post("/{meeting_id:str}/items", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def members_resolution(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: JSONBody[ProposalIn],
    ) -> MeetingOut:
        """Place a seconded forum proposal on a draft's agenda as a members' resolution."""
        meeting = self._meeting(db, principal, meeting_id)
        viewer = forum.viewer_of(db, principal.member_id)
        proposal = forum.get_proposal(db, data.proposal, viewer)
        service.place_members_resolution(
            db, meeting, proposal, actor_id=principal.member_id, now=now
        )
        return present(db, meeting, principal)

    @post("/{meeting_id:str}/notice", status_code=HTTP_200_OK, sync_to_thread=True)
    def issue_notice(
        self, db: Db, principal: CurrentPrincipal, now: Now, meeting_id: FromPath[str]
    ) -> MeetingOut:
        meeting = self._meeting(db, principal, meeting_id)
        service.issue_notice(db, meeting, actor_id=principal.member_id, now=now)
        return present(db, meeting, principal)

    @post("/{meeting_id:str}/amend", status_code=HTTP_200_OK, sync_to_thread=True)
    def amend(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: JSONBody[AmendIn],
    ) -> MeetingOut:
        """A new version of an issued notice: title, place, joining link."""
        meeting = self._meeting(db, principal, meeting_id)
        service.amend_notice(
            db,
            meeting,
            title=data.title,
            place=data.place,
            online_url=data.online_url,
            actor_id=principal.member_id,
            now=now,
        )
        return present(db, meeting, principal)

    @get("/{meeting_id:str}/notices", opt=SIGNED_IN, sync_to_thread=True)
    def notices(
        self, db: Db, principal: CurrentPrincipal, meeting_id: FromPath[str]
    ) -> list[NoticeOut]:
        """Every version of the notice as issued, with its SHA-256."""
        meeting = self._meeting(db, principal, meeting_id)
        return [
            NoticeOut(n.version, n.issued_at, n.sha256, n.document)
            for n in views.notices(db, meeting)
        ]

    @post("/{meeting_id:str}/cancel", status_code=HTTP_200_OK, sync_to_thread=True)
    def cancel(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: JSONBody[ReasonIn],
    ) -> MeetingOut:
        """Cancel a meeting that has not opened; its advance ballots are cancelled too."""
        meeting = self._meeting(db, principal, meeting_id)
        service.cancel_meeting(
            db, meeting, reason=data.reason, actor_id=principal.member_id, now=now
        )
        return present(db, meeting, principal)

    @post("/{meeting_id:str}/officers", status_code=HTTP_200_OK, sync_to_thread=True)
    def officer(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: JSONBody[OfficerIn],
    ) -> MeetingOut:
        meeting = self._meeting(db, principal, meeting_id)
        service.name_officer(
            db,
            meeting,
            get_member(db, data.member),
            data.role,
            actor_id=principal.member_id,
            now=now,
        )
        return present(db, meeting, principal)

    @get("/{meeting_id:str}/me", opt=requires(Role.MEMBER), sync_to_thread=True)
    def my_part(self, db: Db, principal: CurrentPrincipal, meeting_id: FromPath[str]) -> MyPartOut:
        """The caller's own part: entitlement, attendance, proxy, proxies held, counted votes."""
        meeting = self._meeting(db, principal, meeting_id)
        mine = views.my_view(db, meeting, principal.member_id)
        appointment = mine["proxy"]
        people = views.members_by_id(
            db,
            [a.member_id for a in mine["holding"]]
            + ([appointment.proxy_id] if appointment and appointment.proxy_id else []),
        )
        return MyPartOut(
            entitled=mine["entitled"],
            attending=mine["attending"],
            proxy=ProxyOut(
                people[appointment.proxy_id].public_id if appointment.proxy_id else "chair",
                appointment.instructions,
                appointment.appointed_at,
            )
            if appointment
            else None,
            holding=[
                {
                    "member": people[a.member_id].public_id,
                    "name": people[a.member_id].name,
                    "instructions": a.instructions,
                }
                for a in mine["holding"]
            ],
            counted={k: v.value if v else None for k, v in mine["counted"].items()},
        )

    @put("/{meeting_id:str}/proxy", opt=requires(Role.MEMBER), sync_to_thread=True)
    def appoint_proxy(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: JSONBody[ProxyIn],
    ) -> ProxyOut:
        """Appoint (or replace) one's proxy: a member or ``"chair"``; directed or not."""
        meeting = self._meeting(db, principal, meeting_id)
        try:
            holder = None if data.proxy == "chair" else get_member(db, data.proxy)
        except NotFound:
            raise InvalidInput(
                "No such member.", field_errors={"proxy": "No such member."}
            ) from None
        appointment = service.appoint_proxy(
            db,
            meeting,
            member_id=principal.member_id,
            proxy=holder,
            instructions=data.instructions,
            now=now,
        )
        return ProxyOut(
            holder.public_id if holder else "chair",
            appointment.instructions,
            appointment.appointed_at,
        )

    @delete(
        "/{meeting_id:str}/proxy",
        opt=requires(Role.MEMBER),
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=True,
    )
    def revoke_proxy(
        self, db: Db, principal: CurrentPrincipal, now: Now, meeting_id: FromPath[str]
    ) -> None:
        meeting = self._meeting(db, principal, meeting_id)
        service.revoke_proxy(db, meeting, member_id=principal.member_id, now=now)

    @post(
        "/{meeting_id:str}/attendance",
        opt=SIGNED_IN,
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
    )
    def check_in(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: JSONBody[AttendanceIn | None] = None,
    ) -> MeetingOut:
        """Check in oneself, or (the chair and tellers) another member."""
        meeting = self._meeting(db, principal, meeting_id)
        member = get_member(db, data.member if data and data.member else principal.public_id)
        service.check_in(db, meeting, member, actor_id=principal.member_id, now=now)
        return present(db, meeting, principal)

    @post("/{meeting_id:str}/open", opt=SIGNED_IN, status_code=HTTP_200_OK, sync_to_thread=True)
    def open_meeting(
        self, db: Db, principal: CurrentPrincipal, now: Now, meeting_id: FromPath[str]
    ) -> MeetingOut:
        """The chair opens the meeting: advance ballots close, the quorum is taken."""
        meeting = self._meeting(db, principal, meeting_id)
        service.open_meeting(db, meeting, actor_id=principal.member_id, now=now)
        return present(db, meeting, principal)

    @post("/{meeting_id:str}/close", opt=SIGNED_IN, status_code=HTTP_200_OK, sync_to_thread=True)
    def close_meeting(
        self, db: Db, principal: CurrentPrincipal, now: Now, meeting_id: FromPath[str]
    ) -> MeetingOut:
        meeting = self._meeting(db, principal, meeting_id)
        service.close_meeting(db, meeting, actor_id=principal.member_id, now=now)
        return present(db, meeting, principal)

    @post(
        "/{meeting_id:str}/items/{item_id:str}/open",
        opt=SIGNED_IN,
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def open_motion(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        item_id: FromPath[str],
    ) -> MeetingOut:
        meeting, item = self._item(db, principal, meeting_id, item_id)
        service.open_motion(db, meeting, item, actor_id=principal.member_id, now=now)
        return present(db, meeting, principal)

    @post(
        "/{meeting_id:str}/items/{item_id:str}/close",
        opt=SIGNED_IN,
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def close_motion(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        item_id: FromPath[str],
    ) -> MeetingOut:
        meeting, item = self._item(db, principal, meeting_id, item_id)
        service.close_motion(db, meeting, item, actor_id=principal.member_id, now=now)
        return present(db, meeting, principal)

    @post(
        "/{meeting_id:str}/items/{item_id:str}/declare",
        opt=SIGNED_IN,
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def declare(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        item_id: FromPath[str],
    ) -> dict[str, Any]:
        """The chair declares a closed motion's result; the result."""
        meeting, item = self._item(db, principal, meeting_id, item_id)
        service.declare(db, meeting, item, actor_id=principal.member_id, now=now)
        return _result(item)

    @post(
        "/{meeting_id:str}/items/{item_id:str}/votes",
        opt=requires(Role.MEMBER),
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
    )
    def vote(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        item_id: FromPath[str],
        data: JSONBody[ChoiceIn],
    ) -> ReceiptOut:
        """An attendee's secret vote on an open motion."""
        meeting, item = self._item(db, principal, meeting_id, item_id)
        return ReceiptOut(
            service.vote_in_room(
                db, meeting, item, member_id=principal.member_id, choice=data.choice, now=now
            )
        )

    @post(
        "/{meeting_id:str}/items/{item_id:str}/proxy-votes",
        opt=requires(Role.MEMBER),
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def proxy_vote(
        self,
        db: Db,
        principal: CurrentPrincipal,
        meeting_id: FromPath[str],
        item_id: FromPath[str],
        data: JSONBody[ChoiceIn],
    ) -> ChoiceIn:
        """A proxy holder's choice for the discretionary proxies they hold on this motion."""
        meeting, item = self._item(db, principal, meeting_id, item_id)
        service.proxy_vote(db, meeting, item, holder_id=principal.member_id, choice=data.choice)
        return data

    @post(
        "/{meeting_id:str}/items/{item_id:str}/tellers",
        opt=SIGNED_IN,
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def tellers(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        item_id: FromPath[str],
        data: JSONBody[TellersIn],
    ) -> TellersOut:
        """A teller's count of a show of hands or paper poll; counted once two agree."""
        meeting, item = self._item(db, principal, meeting_id, item_id)
        agreed = service.enter_teller_count(
            db,
            meeting,
            item,
            Figures(data.votes_for, data.against, data.abstain),
            teller_id=principal.member_id,
            now=now,
        )
        return TellersOut(agreed.as_dict() if agreed else None)

    @get("/{meeting_id:str}/items/{item_id:str}/result", opt=SIGNED_IN, sync_to_thread=True)
    def result(
        self, db: Db, principal: CurrentPrincipal, meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> dict[str, Any]:
        """A declared result: outcome, rule, per-channel figures, totals, quorum."""
        _meeting, item = self._item(db, principal, meeting_id, item_id)
        return _result(item)

    @get("/{meeting_id:str}/items/{item_id:str}/recount", opt=SIGNED_IN, sync_to_thread=True)
    def recount(
        self, db: Db, principal: CurrentPrincipal, meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> dict[str, Any]:
        """The declared result's recount file: every channel's papers (choices only) and the
        tellers' agreed count, with the SHA-256 the declaration recorded."""
        _meeting, item = self._item(db, principal, meeting_id, item_id)
        document = _declared(item)
        return {**document["recount"], "sha256": document["sha256"]}

    @get(
        "/{meeting_id:str}/reconciliation",
        opt=requires(Role.AUDITOR, Role.GOVERNOR),
        sync_to_thread=True,
    )
    def reconciliation(
        self, db: Db, principal: CurrentPrincipal, meeting_id: FromPath[str]
    ) -> dict[str, list[str]]:
        """Auditors and governors: per declared resolution, the ledger against the papers and
        counts behind its figures, and its SHA-256 against its content (empty: all agree)."""
        return views.reconciliation(db, self._meeting(db, principal, meeting_id))

    @get("/{meeting_id:str}/minutes", opt=SIGNED_IN, sync_to_thread=True)
    def minutes(self, db: Db, principal: CurrentPrincipal, meeting_id: FromPath[str]) -> MinutesOut:
        """Published minutes; governors also read the draft."""
        meeting = self._meeting(db, principal, meeting_id)
        if meeting.minutes_published_at is None and not _is_governor(principal):
            raise NotFound("The minutes have not been published.")
        return MinutesOut(meeting.minutes, meeting.minutes_published_at)

    @put("/{meeting_id:str}/minutes", sync_to_thread=True)
    def edit_minutes(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        meeting_id: FromPath[str],
        data: JSONBody[MinutesIn],
    ) -> MinutesOut:
        meeting = self._meeting(db, principal, meeting_id)
        service.edit_minutes(db, meeting, data.text, actor_id=principal.member_id, now=now)
        return MinutesOut(meeting.minutes, meeting.minutes_published_at)

    @post("/{meeting_id:str}/minutes/publish", status_code=HTTP_200_OK, sync_to_thread=True)
    def publish_minutes(
        self, db: Db, principal: CurrentPrincipal, now: Now, meeting_id: FromPath[str]
    ) -> MinutesOut:
        meeting = self._meeting(db, principal, meeting_id)
        service.publish_minutes(db, meeting, actor_id=principal.member_id, now=now)
        return MinutesOut(meeting.minutes, meeting.minutes_published_at)


def _declared(item: AgendaItem) -> dict[str, Any]:
    if item.motion is not MotionStatus.DECLARED or item.result is None:
        raise NotFound("This item's result has not been declared.")
    return item.result


def _result(item: AgendaItem) -> dict[str, Any]:
    document = _declared(item)
    return {k: v for k, v in document.items() if k != "recount"}
