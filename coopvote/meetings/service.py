"""Commands on general meetings: call, give notice, name officers, appoint and revoke proxies,
check in, open the meeting and its motions, vote in the room, enter tellers' counts, close and
declare, and keep the minutes. Each loads, checks the rules, changes, audits and flushes; the
request (or CLI command) owns the transaction. Reads live in ``views``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, literal, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.ballots import box, keys
from coopvote.ballots import service as ballots
from coopvote.ballots.models import BallotStatus, Method, RollEntry, Threshold
from coopvote.ballots.rules import Definition
from coopvote.cooperative import views as cooperative
from coopvote.db.types import new_public_id
from coopvote.errors import Conflict, InvalidInput, NotAllowed
from coopvote.forum import views as forum
from coopvote.forum.models import Proposal, ProposalStatus
from coopvote.meetings import rules, views
from coopvote.meetings.models import (
    AgendaItem,
    Attendance,
    Channel,
    CountedVote,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingNotice,
    MeetingOfficer,
    MeetingStatus,
    MotionStatus,
    OfficerRole,
    ProxyAppointment,
    ProxyVote,
    ResolutionType,
    RoomPaper,
    TellerCount,
)
from coopvote.members.models import Member, MemberStatus

M = MeetingStatus


@dataclass(frozen=True)
class ItemDefinition:
    kind: ItemKind
    title: str
    text: str = ""
    resolution_type: ResolutionType | None = None


@dataclass(frozen=True)
class MeetingDefinition:
    kind: MeetingKind
    title: str
    starts_at: datetime
    place: str = ""
    online_url: str = ""
    record_date: datetime | None = None
    items: Sequence[ItemDefinition] = field(default_factory=tuple)


def subject(meeting: Meeting) -> str:
    return f"meeting:{meeting.public_id}"


def _audit(
    session: Session,
    meeting: Meeting,
    action: str,
    *,
    actor_id: int | None,
    now: datetime,
    data: Mapping[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action=action,
        subject=subject(meeting),
        now=now,
        data=data,
    )


#: The longest text each field of a meeting's definition may hold (the columns' lengths).
LIMITS = {"title": 200, "place": 500, "online_url": 500, "item_title": 200, "item_text": 20_000}


def _definition_problems(definition: MeetingDefinition, now: datetime) -> dict[str, str]:
    """Every problem of a meeting's definition, by field, so that a form marks them all."""
    problems = {}
    for name in ("title", "place", "online_url"):
        if len(getattr(definition, name)) > LIMITS[name]:
            problems[name] = f"At most {LIMITS[name]} characters."
    if not definition.title.strip():
        problems["title"] = "Give the meeting a title."
    starts_at, record_date = definition.starts_at, definition.record_date
    if starts_at.tzinfo is None:
        problems["starts_at"] = "Give the time with an offset."
    elif starts_at <= now:
        problems["starts_at"] = "A meeting is called for a time still to come."
    if not (definition.place.strip() or definition.online_url.strip()):
        problems["place"] = "Give a place, an online joining link, or both."
    if record_date is not None and (
        record_date.tzinfo is None or starts_at.tzinfo is None or not now <= record_date < starts_at
    ):
        problems["record_date"] = "A moment (with an offset) from now until the meeting."
    for n, item in enumerate(definition.items):
        if not item.title.strip() or len(item.title) > LIMITS["item_title"]:
            problems[f"items.{n}.title"] = "Give every item a title of at most 200 characters."
        if len(item.text) > LIMITS["item_text"]:
            problems[f"items.{n}.text"] = "At most 20,000 characters."
        if (item.kind is ItemKind.RESOLUTION) != (item.resolution_type is not None):
            problems[f"items.{n}.resolution_type"] = (
                "A resolution is ordinary or special; other items have no type."
            )
    return problems


def create_meeting(
    session: Session, definition: MeetingDefinition, *, actor_id: int | None, now: datetime
) -> Meeting:
    """Call a meeting: a draft with its agenda, until its notice is issued. ``InvalidInput``
    marks every problem."""
    if problems := _definition_problems(definition, now):
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    meeting = Meeting(
        public_id=new_public_id(),
        kind=definition.kind,
        title=definition.title.strip(),
        starts_at=definition.starts_at,
        place=definition.place.strip(),
        online_url=definition.online_url.strip(),
        record_date=definition.record_date,
        status=M.DRAFT,
        created_at=now,
        created_by=actor_id,
    )
    session.add(meeting)
    session.flush()
    for item in definition.items:
        _add_item(session, meeting, item)
    _audit(
        session,
        meeting,
        "meeting.called",
        actor_id=actor_id,
        now=now,
        data={"title": meeting.title},
    )
    return meeting


def _add_item(
    session: Session, meeting: Meeting, item: ItemDefinition, proposal_id: int | None = None
) -> AgendaItem:
    assert meeting.id is not None
    row = AgendaItem(
        public_id=new_public_id(),
        meeting_id=meeting.id,
        position=len(views.items(session, meeting)) + 1,
        kind=item.kind,
        title=item.title.strip(),
        text=item.text.strip(),
        resolution_type=item.resolution_type,
        proposal_id=proposal_id,
    )
    session.add(row)
    session.flush()
    return row


def place_members_resolution(
    session: Session, meeting: Meeting, proposal: Proposal, *, actor_id: int | None, now: datetime
) -> AgendaItem:
    """Put a forum proposal with a proposer and at least one seconder, proposed before the
    deadline (``members_resolution_weeks`` before the meeting), on a draft's agenda as an
    ordinary resolution in the proposal's words."""
    if meeting.status is not M.DRAFT:
        raise Conflict("The agenda is fixed once the notice is issued.")
    settings = cooperative.current(session)
    rules.can_place_members_resolution(
        supporters=forum.support_count(session, proposal),
        proposed_at=proposal.created_at,
        deadline=meeting.starts_at - timedelta(weeks=settings.members_resolution_weeks),
        open_for_support=proposal.status is ProposalStatus.OPEN,
    ).ensure()
    if any(i.proposal_id == proposal.id for i in views.items(session, meeting)):
        raise Conflict("That proposal is on the agenda already.")
    item = _add_item(
        session,
        meeting,
        ItemDefinition(ItemKind.RESOLUTION, proposal.title, proposal.body, ResolutionType.ORDINARY),
        proposal_id=proposal.id,
    )
    _audit(
        session,
        meeting,
        "meeting.members_resolution_placed",
        actor_id=actor_id,
        now=now,
        data={"proposal": proposal.public_id, "item": item.public_id},
    )
    return item


def name_officer(
    session: Session,
    meeting: Meeting,
    member: Member,
    role: OfficerRole,
    *,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Name the meeting's chair (replacing any before) or one of its tellers."""
    if meeting.status in {M.CLOSED, M.CANCELLED}:
        raise Conflict("This meeting is over.")
    if member.status is not MemberStatus.ACTIVE:
        raise Conflict("Only an active member can be a meeting officer.")
    assert meeting.id is not None
    assert member.id is not None
    if role is OfficerRole.CHAIR:
        for officer in views.officers(session, meeting, OfficerRole.CHAIR):
            session.delete(officer)
        session.flush()
    existing = session.get(MeetingOfficer, (meeting.id, member.id))
    if existing is not None:
        session.delete(existing)
        session.flush()
    session.add(MeetingOfficer(meeting_id=meeting.id, member_id=member.id, role=role))
    session.flush()
    _audit(
        session,
        meeting,
        "meeting.officer_named",
        actor_id=actor_id,
        now=now,
        data={"member": member.public_id, "role": role.value},
    )


def notice_document(meeting: Meeting, items: Sequence[AgendaItem], version: int) -> str:
    """The notice as canonical JSON: what members were told, in full."""
    return json.dumps(
        {
            "meeting": meeting.public_id,
            "version": version,
            "kind": meeting.kind.value,
            "title": meeting.title,
            "starts_at": meeting.starts_at.isoformat(),
            "place": meeting.place,
            "online_url": meeting.online_url,
            "record_date": meeting.record_date.isoformat() if meeting.record_date else None,
            "proxy_deadline": meeting.proxy_deadline.isoformat()
            if meeting.proxy_deadline
            else None,
            "agenda": [
                {
                    "id": i.public_id,
                    "kind": i.kind.value,
                    "title": i.title,
                    "text": i.text,
                    "resolution_type": i.resolution_type.value if i.resolution_type else None,
                }
                for i in items
            ],
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def _store_notice(
    session: Session, meeting: Meeting, *, actor_id: int | None, now: datetime
) -> MeetingNotice:
    assert meeting.id is not None
    version = len(views.notices(session, meeting)) + 1
    document = notice_document(meeting, views.items(session, meeting), version)
    notice = MeetingNotice(
        meeting_id=meeting.id,
        version=version,
        issued_at=now,
        issued_by=actor_id,
        document=document,
        sha256=hashlib.sha256(document.encode()).hexdigest(),
    )
    session.add(notice)
    session.flush()
    _audit(
        session,
        meeting,
        "meeting.notice_issued",
        actor_id=actor_id,
        now=now,
        data={"version": version, "sha256": notice.sha256},
    )
    return notice


def issue_notice(
    session: Session, meeting: Meeting, *, actor_id: int | None, now: datetime
) -> MeetingNotice:
    """Issue the notice: checked against the notice period and the special resolutions' text
    (``rules.can_issue_notice``), then fixed. The proxy deadline, cap and quorum in force are
    frozen onto the meeting, and each resolution gets its secret advance ballot, opening at the
    record date (now by default) and closing when the meeting opens (at the latest when it is
    due to start)."""
    meeting = _locked(session, meeting)
    items = views.items(session, meeting)
    settings = cooperative.current(session)
    rules.can_issue_notice(
        meeting,
        [(i.kind, i.resolution_type, i.text) for i in items],
        now,
        notice_days=settings.notice_clear_days,
    ).ensure()
    meeting.status = M.NOTICED
    meeting.notice_issued_at = now
    meeting.proxy_deadline = rules.proxy_deadline(meeting.starts_at, settings.proxy_deadline_hours)
    meeting.proxy_cap = settings.proxy_cap
    meeting.quorum_required = settings.meeting_quorum
    record_date = meeting.record_date if meeting.record_date and meeting.record_date > now else None
    session.add(meeting)
    for item in items:
        if item.kind is not ItemKind.RESOLUTION:
            continue
        assert item.resolution_type is not None
        ballot = ballots.create_ballot(
            session,
            Definition(
                title=f"{meeting.title}: {item.title}"[:200],
                method=Method.RESOLUTION,
                closes_at=meeting.starts_at,
                description=item.text,
                threshold=Threshold.THREE_QUARTERS
                if item.resolution_type is ResolutionType.SPECIAL
                else Threshold.SIMPLE,
                opens_at=record_date,
                meeting_advance=True,
            ),
            actor_id=actor_id,
            now=now,
        )
        if record_date is None:
            ballots.open_ballot(session, ballot, actor_id=actor_id, now=now)
        item.advance_ballot_id = ballot.id
        session.add(item)
    session.flush()
    return _store_notice(session, meeting, actor_id=actor_id, now=now)


def amend_notice(
    session: Session,
    meeting: Meeting,
    *,
    title: str,
    place: str,
    online_url: str,
    actor_id: int | None,
    now: datetime,
) -> MeetingNotice:
    """Change an issued notice's title, place or joining link: a new, audited version of the
    notice. The time and the agenda are fixed with the notice (a meeting at another time, or
    with other business, is called anew with full notice)."""
    meeting = _locked(session, meeting)
    if meeting.status is not M.NOTICED:
        raise Conflict("Only an issued notice, before the meeting, can be amended.")
    if (
        not title.strip()
        or not (place.strip() or online_url.strip())
        or len(title) > LIMITS["title"]
        or max(len(place), len(online_url)) > LIMITS["place"]
    ):
        raise InvalidInput(
            "Please correct the marked fields.",
            field_errors={"place": "Give a title, and a place or a joining link."},
        )
    meeting.title, meeting.place, meeting.online_url = title.strip(), place.strip(), online_url
    session.add(meeting)
    session.flush()
    return _store_notice(session, meeting, actor_id=actor_id, now=now)


def cancel_meeting(
    session: Session, meeting: Meeting, *, reason: str, actor_id: int | None, now: datetime
) -> Meeting:
    """Cancel a meeting before it opens (to hold it at another time, call it anew with full
    notice): its advance ballots are cancelled with the same reason, their sealed papers
    destroyed (``ballots.cancel_ballot``)."""
    meeting = _locked(session, meeting)
    if meeting.status not in {M.DRAFT, M.NOTICED}:
        raise Conflict("Only a meeting that has not opened can be cancelled.")
    if not reason.strip() or len(reason) > 1000:
        raise InvalidInput(
            "Give a reason for cancelling (at most 1,000 characters): members will see it.",
            field_errors={"reason": "Give a reason."},
        )
    for item in views.items(session, meeting):
        if item.advance_ballot_id is not None:
            ballot = ballots.get_ballot(session, views.ballot_public_id(session, item), now)
            if ballot.status in {BallotStatus.DRAFT, BallotStatus.OPEN}:
                ballots.cancel_ballot(session, ballot, reason=reason, actor_id=actor_id, now=now)
    meeting.status = M.CANCELLED
    meeting.cancelled_at, meeting.cancel_reason = now, reason.strip()
    session.add(meeting)
    session.flush()
    _audit(
        session,
        meeting,
        "meeting.cancelled",
        actor_id=actor_id,
        now=now,
        data={"reason": reason.strip()},
    )
    return meeting


def _locked(session: Session, meeting: Meeting) -> Meeting:
    """The meeting's row, locked for this transaction (on SQLite the write lock is held
    already): proxy appointments against a cap, and state changes, queue one behind another."""
    return session.exec(
        select(Meeting)
        .where(col(Meeting.id) == meeting.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def appoint_proxy(
    session: Session,
    meeting: Meeting,
    *,
    member_id: int,
    proxy: Member | None,
    instructions: Mapping[str, str] | None,
    now: datetime,
) -> ProxyAppointment:
    """Appoint ``proxy`` (``None``: the chair of the meeting), directed by ``instructions``
    (item public id → for/against/abstain) or discretionary (``None``), replacing any
    appointment in force. Refused after the deadline, over the proxy's cap, for oneself, or
    for a member not entitled at the record date (``rules.can_appoint_proxy``)."""
    meeting = _locked(session, meeting)
    if not views.entitled(session, meeting, member_id):
        raise NotAllowed("You are not entitled to vote at this meeting.")
    if proxy is not None and proxy.status is not MemberStatus.ACTIVE:
        raise InvalidInput(
            "A proxy must be an active member.", field_errors={"proxy": "Not an active member."}
        )
    current = views.proxy_in_force(session, meeting, member_id)
    holds = views.proxies_held(session, meeting, proxy.id) if proxy and proxy.id else 0
    if current is not None and proxy is not None and current.proxy_id == proxy.id:
        holds -= 1  # changing instructions to the same proxy takes no more of the cap
    rules.can_appoint_proxy(
        meeting,
        now,
        member_id=member_id,
        proxy_id=proxy.id if proxy else None,
        proxy_holds=holds,
        attending=views.attending(session, meeting, member_id),
    ).ensure()
    resolutions = {
        i.public_id for i in views.items(session, meeting) if i.kind is ItemKind.RESOLUTION
    }
    if problems := rules.instruction_problems(instructions, resolutions):
        raise InvalidInput("Please correct the instructions.", field_errors=problems)
    if current is not None:
        _end(session, current, "replaced", now)
    assert meeting.id is not None
    appointment = ProxyAppointment(
        meeting_id=meeting.id,
        member_id=member_id,
        proxy_id=proxy.id if proxy else None,
        instructions=dict(instructions) if instructions is not None else None,
        appointed_at=now,
    )
    session.add(appointment)
    session.flush()
    _audit(
        session,
        meeting,
        "proxy.appointed",
        actor_id=member_id,
        now=now,
        data={
            "proxy": proxy.public_id if proxy else "chair",
            "directed": instructions is not None,
        },
    )
    return appointment


def _end(session: Session, appointment: ProxyAppointment, reason: str, now: datetime) -> None:
    appointment.revoked_at = now
    appointment.ended_reason = reason
    session.add(appointment)
    session.flush()


def revoke_proxy(session: Session, meeting: Meeting, *, member_id: int, now: datetime) -> None:
    """Revoke the member's proxy in force, until the deadline."""
    meeting = _locked(session, meeting)
    rules.can_revoke_proxy(meeting, now).ensure()
    current = views.proxy_in_force(session, meeting, member_id)
    if current is None:
        raise Conflict("You have no proxy in force for this meeting.")
    _end(session, current, "revoked", now)
    _audit(session, meeting, "proxy.revoked", actor_id=member_id, now=now)


def check_in(
    session: Session,
    meeting: Meeting,
    member: Member,
    *,
    actor_id: int,
    now: datetime,
) -> Attendance:
    """Register ``member`` as present (themselves, or an officer for them). Attending
    overrides any proxy they appointed: it ends, audited."""
    assert meeting.id is not None
    assert member.id is not None
    if actor_id != member.id and not views.is_officer(session, meeting, actor_id):
        raise NotAllowed("Only the meeting's chair and tellers check other members in.")
    rules.can_check_in(meeting).ensure()
    if not views.entitled(session, meeting, member.id):
        raise NotAllowed("That member is not entitled to attend and vote at this meeting.")
    if views.attending(session, meeting, member.id):
        raise Conflict("Already checked in.")
    attendance = Attendance(
        meeting_id=meeting.id,
        member_id=member.id,
        checked_in_at=now,
        checked_in_by=None if actor_id == member.id else actor_id,
    )
    session.add(attendance)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("Already checked in.") from None
    _audit(
        session,
        meeting,
        "meeting.checked_in",
        actor_id=actor_id,
        now=now,
        data={"member": member.public_id},
    )
    current = views.proxy_in_force(session, meeting, member.id)
    if current is not None:
        _end(session, current, "attended", now)
        _audit(
            session,
            meeting,
            "proxy.overridden",
            actor_id=actor_id,
            now=now,
            data={"member": member.public_id, "by": "attendance"},
        )
    return attendance


def _ensure_chair(session: Session, meeting: Meeting, actor_id: int) -> None:
    if not views.is_chair(session, meeting, actor_id):
        raise NotAllowed("Only the chair of the meeting can do that.")


def open_meeting(session: Session, meeting: Meeting, *, actor_id: int, now: datetime) -> Meeting:
    """The chair opens the meeting: the advance ballots close (their votes enter the ledger as
    counted, so no other channel can count those members again), and the quorum present in
    person or by proxy is taken (``rules.quorum_present``)."""
    _ensure_chair(session, meeting, actor_id)
    meeting = _locked(session, meeting)
    rules.can_open_meeting(meeting, now).ensure()
    for item in views.items(session, meeting):
        if item.advance_ballot_id is None:
            continue
        ballot = ballots.get_ballot(session, views.ballot_public_id(session, item), now)
        if ballot.status is BallotStatus.DRAFT:
            raise Conflict("The record date has not come yet: the meeting cannot open before it.")
        if ballot.status is BallotStatus.OPEN:
            ballots.close_ballot(session, ballot, actor_id=actor_id, now=now)
        session.execute(
            insert(CountedVote).from_select(
                ["item_id", "member_id", "channel"],
                sa_select(
                    literal(item.id), col(RollEntry.member_id), literal(Channel.ADVANCE.value)
                ).where(col(RollEntry.ballot_id) == ballot.id, col(RollEntry.has_voted)),
            )
        )
    meeting.status = M.OPEN
    meeting.opened_at = now
    meeting.quorum_present = views.quorum(session, meeting).present
    session.add(meeting)
    session.flush()
    _audit(
        session,
        meeting,
        "meeting.opened",
        actor_id=actor_id,
        now=now,
        data={"quorum_required": meeting.quorum_required, "quorum_present": meeting.quorum_present},
    )
    return meeting


def _locked_item(session: Session, item: AgendaItem) -> AgendaItem:
    """The item's row, locked: votes, proxies' votes and the close of its motion queue up."""
    return session.exec(
        select(AgendaItem)
        .where(col(AgendaItem.id) == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def open_motion(
    session: Session, meeting: Meeting, item: AgendaItem, *, actor_id: int, now: datetime
) -> AgendaItem:
    _ensure_chair(session, meeting, actor_id)
    item = _locked_item(session, item)
    rules.can_open_motion(meeting, item.kind, item.motion).ensure()
    item.motion = MotionStatus.OPEN
    item.motion_opened_at = now
    session.add(item)
    session.flush()
    _audit(
        session, meeting, "motion.opened", actor_id=actor_id, now=now, data={"item": item.public_id}
    )
    return item


def room_key_id(item: AgendaItem) -> str:
    """The name the item's in-room box key derives from (``ballots.keys``, server-key mode)."""
    return f"meeting-item:{item.public_id}"


def vote_in_room(
    session: Session,
    meeting: Meeting,
    item: AgendaItem,
    *,
    member_id: int,
    choice: str,
    now: datetime,
) -> str:
    """An attendee's secret vote on an open motion; the sealed paper's tracker (the receipt).

    The ledger row (item, member, ``in_room``) goes in first: its primary key lets the database
    refuse a second counted vote for the member on this item whatever the channel or the
    timing (``Conflict``). The paper is then sealed into the item's box with no member on it."""
    item = _locked_item(session, item)
    if choice not in rules.CHOICES:
        raise InvalidInput("Choose for, against or abstain.", field_errors={"choice": "Choose."})
    rules.can_vote_in_room(
        item.motion,
        attending=views.attending(session, meeting, member_id),
        entitled=views.entitled_on_item(session, item, member_id),
        counted=views.counted(session, item, member_id),
    ).ensure()
    assert item.id is not None
    try:
        with session.begin_nested():
            session.add(CountedVote(item_id=item.id, member_id=member_id, channel=Channel.IN_ROOM))
            session.flush()
    except IntegrityError:
        raise Conflict("Your vote on this resolution is already counted.") from None
    sealed = box.seal(keys.public_key(room_key_id(item)), {"choice": choice}, box.paper_size([]))
    tracker = box.tracker(sealed)
    session.add(RoomPaper(tracker=tracker, item_id=item.id, sealed=sealed))
    session.flush()
    return tracker


def proxy_vote(
    session: Session, meeting: Meeting, item: AgendaItem, *, holder_id: int, choice: str
) -> ProxyVote:
    """A proxy holder's choice on an open motion for every discretionary proxy they hold (the
    chair's for proxies to the chair), replacing any before. Counted when the motion closes."""
    item = _locked_item(session, item)
    if choice not in rules.CHOICES:
        raise InvalidInput("Choose for, against or abstain.", field_errors={"choice": "Choose."})
    if item.motion is not MotionStatus.OPEN:
        raise Conflict("This motion is not open for voting.")
    if not views.attending(session, meeting, holder_id) and not views.is_chair(
        session, meeting, holder_id
    ):
        raise NotAllowed("Check in at the meeting to vote as a proxy.")
    if not views.discretionary_for(session, meeting, item, holder_id):
        raise NotAllowed("You hold no discretionary proxy on this resolution.")
    assert item.id is not None
    vote = session.get(ProxyVote, (item.id, holder_id)) or ProxyVote(
        item_id=item.id, holder_id=holder_id, choice=choice
    )
    vote.choice = choice
    session.add(vote)
    session.flush()
    return vote


def enter_teller_count(
    session: Session,
    meeting: Meeting,
    item: AgendaItem,
    figures: rules.Figures,
    *,
    teller_id: int,
    now: datetime,
) -> rules.Figures | None:
    """A teller's count of a show of hands or paper poll, replacing their own earlier entry;
    the agreed count once two tellers have entered the same figures, else ``None``."""
    if not views.is_teller(session, meeting, teller_id):
        raise NotAllowed("Only the meeting's tellers enter counts.")
    item = _locked_item(session, item)
    if item.motion is not MotionStatus.OPEN:
        raise Conflict("Counts are entered while the motion is open.")
    if problems := rules.teller_count_problems(
        figures, in_room_without_vote=views.present_without_vote(session, meeting, item)
    ):
        raise InvalidInput("Please check the counts.", field_errors=problems)
    assert item.id is not None
    row = session.get(TellerCount, (item.id, teller_id)) or TellerCount(
        item_id=item.id,
        teller_id=teller_id,
        votes_for=0,
        votes_against=0,
        abstentions=0,
        entered_at=now,
    )
    row.votes_for, row.votes_against, row.abstentions = (
        figures.votes_for,
        figures.against,
        figures.abstain,
    )
    row.entered_at = now
    session.add(row)
    session.flush()
    _audit(
        session,
        meeting,
        "motion.teller_count_entered",
        actor_id=teller_id,
        now=now,
        data={"item": item.public_id, "figures": figures.as_dict()},
    )
    return views.teller_count(session, item)


def close_motion(
    session: Session, meeting: Meeting, item: AgendaItem, *, actor_id: int, now: datetime
) -> AgendaItem:
    """The chair closes the vote. Proxies in force whose holder is present (or is the chair)
    enter the ledger now for members not counted otherwise: directed ones with their
    instruction on this item, the others with their holder's choice. A member already counted
    (an advance vote) overrides their proxy, audited."""
    _ensure_chair(session, meeting, actor_id)
    item = _locked_item(session, item)
    if item.motion is not MotionStatus.OPEN:
        raise Conflict("This motion is not open.")
    assert item.id is not None
    if views.teller_counts(session, item) and views.teller_count(session, item) is None:
        raise Conflict("The tellers' counts do not agree yet: two tellers must enter the same.")
    proxy_choices: dict[str, list[str]] = {
        Channel.PROXY_DIRECTED.value: [],
        Channel.PROXY_DISCRETIONARY.value: [],
    }
    for appointment in views.proxies_in_force(session, meeting):
        if not views.entitled_on_item(session, item, appointment.member_id):
            continue
        if views.counted(session, item, appointment.member_id):
            _audit(
                session,
                meeting,
                "proxy.overridden",
                actor_id=None,
                now=now,
                data={
                    "member": views.member_public_id(session, appointment.member_id),
                    "item": item.public_id,
                    "by": "advance vote",
                },
            )
            continue
        used = views.proxy_choice(session, meeting, item, appointment)
        if used is None:
            continue
        channel, choice = used
        session.add(CountedVote(item_id=item.id, member_id=appointment.member_id, channel=channel))
        proxy_choices[channel.value].append(choice)
    # Stored without members, sorted: the recount file's proxy papers.
    item.result = {"proxies": {k: sorted(v) for k, v in proxy_choices.items()}}
    item.motion = MotionStatus.CLOSED
    item.motion_closed_at = now
    session.add(item)
    session.flush()
    _audit(
        session, meeting, "motion.closed", actor_id=actor_id, now=now, data={"item": item.public_id}
    )
    return item


def declare(
    session: Session, meeting: Meeting, item: AgendaItem, *, actor_id: int, now: datetime
) -> AgendaItem:
    """The chair declares a closed motion's result: every channel's figures (``views.figures``),
    the rule applied and its outcome (``void`` without the quorum, s. 318), stored with the
    recount file's papers and counts and a SHA-256 of the whole, and audited."""
    _ensure_chair(session, meeting, actor_id)
    item = _locked_item(session, item)
    if item.motion is not MotionStatus.CLOSED:
        raise Conflict("Close the motion before declaring its result.")
    document = views.result_document(session, meeting, item, keys.private_key(room_key_id(item)))
    item.result = document
    item.motion = MotionStatus.DECLARED
    item.declared_at = now
    session.add(item)
    session.flush()
    _audit(
        session,
        meeting,
        "motion.declared",
        actor_id=actor_id,
        now=now,
        data={"item": item.public_id, "outcome": document["outcome"], "sha256": document["sha256"]},
    )
    return item


def close_meeting(session: Session, meeting: Meeting, *, actor_id: int, now: datetime) -> Meeting:
    """The chair closes the meeting once no motion is open or awaiting declaration; its
    minutes are drafted from the record (``views.draft_minutes``) for governors to edit."""
    _ensure_chair(session, meeting, actor_id)
    meeting = _locked(session, meeting)
    if meeting.status is not M.OPEN:
        raise Conflict("Only an open meeting can be closed.")
    if any(
        i.motion in {MotionStatus.OPEN, MotionStatus.CLOSED} for i in views.items(session, meeting)
    ):
        raise Conflict("Close and declare every motion first.")
    meeting.status = M.CLOSED
    meeting.closed_at = now
    meeting.minutes = views.draft_minutes(session, meeting)
    session.add(meeting)
    session.flush()
    _audit(session, meeting, "meeting.closed", actor_id=actor_id, now=now)
    return meeting


def edit_minutes(
    session: Session, meeting: Meeting, text: str, *, actor_id: int | None, now: datetime
) -> Meeting:
    if meeting.status is not M.CLOSED:
        raise Conflict("Minutes are kept once the meeting has closed.")
    if meeting.minutes_published_at is not None:
        raise Conflict("Published minutes are fixed.")
    if len(text) > 100_000:
        raise InvalidInput("The minutes are too long.", field_errors={"minutes": "Too long."})
    meeting.minutes = text
    session.add(meeting)
    session.flush()
    _audit(
        session,
        meeting,
        "minutes.edited",
        actor_id=actor_id,
        now=now,
        data={"sha256": hashlib.sha256(text.encode()).hexdigest()},
    )
    return meeting


def publish_minutes(
    session: Session, meeting: Meeting, *, actor_id: int | None, now: datetime
) -> Meeting:
    """Publish the minutes: from then on every member reads them, and nobody changes them."""
    if meeting.status is not M.CLOSED or meeting.minutes_published_at is not None:
        raise Conflict("Only a closed meeting's unpublished minutes can be published.")
    won = session.execute(
        update(Meeting)
        .where(col(Meeting.id) == meeting.id, col(Meeting.minutes_published_at).is_(None))
        .values(minutes_published_at=now)
        .execution_options(synchronize_session=False)
    )
    if not won.rowcount:  # type: ignore[attr-defined]
        raise Conflict("Someone else published these minutes at the same moment.")
    session.refresh(meeting)
    _audit(
        session,
        meeting,
        "minutes.published",
        actor_id=actor_id,
        now=now,
        data={"sha256": hashlib.sha256(meeting.minutes.encode()).hexdigest()},
    )
    return meeting
