"""Reading general meetings: agendas, officers, entitlement, proxies, quorum, the figures of
each channel and the declared result. Never writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nacl.public import PrivateKey
from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from coopvote.ballots import box
from coopvote.ballots.models import Ballot, Paper, RollEntry
from coopvote.errors import Conflict, NotFound
from coopvote.meetings import rules
from coopvote.meetings.models import (
    AgendaItem,
    Attendance,
    Channel,
    CountedVote,
    ItemKind,
    Meeting,
    MeetingNotice,
    MeetingOfficer,
    MeetingStatus,
    OfficerRole,
    ProxyAppointment,
    ProxyVote,
    RoomPaper,
    TellerCount,
)
from coopvote.members.models import Member, MemberStatus


def find_meeting(session: Session, public_id: str) -> Meeting:
    meeting = session.exec(select(Meeting).where(col(Meeting.public_id) == public_id)).first()
    if meeting is None:
        raise NotFound("No such meeting.")
    return meeting


def visible_meeting(session: Session, public_id: str, *, governor: bool) -> Meeting:
    """A meeting as a viewer may see it: drafts only to governors (``NotFound`` otherwise)."""
    meeting = find_meeting(session, public_id)
    if meeting.status is MeetingStatus.DRAFT and not governor:
        raise NotFound("No such meeting.")
    return meeting


def list_meetings(session: Session, *, governor: bool) -> list[Meeting]:
    query = select(Meeting).order_by(col(Meeting.starts_at).desc())
    if not governor:
        query = query.where(col(Meeting.status) != MeetingStatus.DRAFT)
    return list(session.exec(query).all())


def items(session: Session, meeting: Meeting) -> list[AgendaItem]:
    return list(
        session.exec(
            select(AgendaItem)
            .where(col(AgendaItem.meeting_id) == meeting.id)
            .order_by(col(AgendaItem.position))
        ).all()
    )


def find_item(session: Session, meeting: Meeting, public_id: str) -> AgendaItem:
    item = session.exec(
        select(AgendaItem).where(
            col(AgendaItem.meeting_id) == meeting.id, col(AgendaItem.public_id) == public_id
        )
    ).first()
    if item is None:
        raise NotFound("No such item on this meeting's agenda.")
    return item


def notices(session: Session, meeting: Meeting) -> list[MeetingNotice]:
    return list(
        session.exec(
            select(MeetingNotice)
            .where(col(MeetingNotice.meeting_id) == meeting.id)
            .order_by(col(MeetingNotice.version))
        ).all()
    )


def officers(
    session: Session, meeting: Meeting, role: OfficerRole | None = None
) -> list[MeetingOfficer]:
    query = select(MeetingOfficer).where(col(MeetingOfficer.meeting_id) == meeting.id)
    if role is not None:
        query = query.where(col(MeetingOfficer.role) == role)
    return list(session.exec(query).all())


def chair_id(session: Session, meeting: Meeting) -> int | None:
    chairs = officers(session, meeting, OfficerRole.CHAIR)
    return chairs[0].member_id if chairs else None


def is_officer(session: Session, meeting: Meeting, member_id: int) -> bool:
    return any(o.member_id == member_id for o in officers(session, meeting))


def is_chair(session: Session, meeting: Meeting, member_id: int) -> bool:
    return chair_id(session, meeting) == member_id


def is_teller(session: Session, meeting: Meeting, member_id: int) -> bool:
    return any(o.member_id == member_id for o in officers(session, meeting, OfficerRole.TELLER))


def advance_ballot_ids(session: Session, meeting: Meeting) -> list[int]:
    return [i.advance_ballot_id for i in items(session, meeting) if i.advance_ballot_id]


def entitled(session: Session, meeting: Meeting, member_id: int) -> bool:
    """Entitled at the record date: on the roll of the meeting's advance ballots (frozen at the
    record date); a meeting with nothing to vote on admits every active member."""
    ballot_ids = advance_ballot_ids(session, meeting)
    if not ballot_ids:
        member = session.get(Member, member_id)
        return member is not None and member.status is MemberStatus.ACTIVE
    return bool(
        session.exec(
            select(
                exists().where(
                    col(RollEntry.ballot_id).in_(ballot_ids), col(RollEntry.member_id) == member_id
                )
            )
        ).one()
    )


def entitled_on_item(session: Session, item: AgendaItem, member_id: int) -> bool:
    if item.advance_ballot_id is None:
        return False
    return session.get(RollEntry, (item.advance_ballot_id, member_id)) is not None


def ballot_public_id(session: Session, item: AgendaItem) -> str:
    ballot = session.get(Ballot, item.advance_ballot_id)
    assert ballot is not None
    return ballot.public_id


def attending(session: Session, meeting: Meeting, member_id: int) -> bool:
    return session.get(Attendance, (meeting.id, member_id)) is not None


def attendees(session: Session, meeting: Meeting) -> list[int]:
    return list(
        session.exec(
            select(Attendance.member_id).where(col(Attendance.meeting_id) == meeting.id)
        ).all()
    )


def proxy_in_force(session: Session, meeting: Meeting, member_id: int) -> ProxyAppointment | None:
    return session.exec(
        select(ProxyAppointment).where(
            col(ProxyAppointment.meeting_id) == meeting.id,
            col(ProxyAppointment.member_id) == member_id,
            col(ProxyAppointment.revoked_at).is_(None),
        )
    ).first()


def proxies_in_force(session: Session, meeting: Meeting) -> list[ProxyAppointment]:
    return list(
        session.exec(
            select(ProxyAppointment)
            .where(
                col(ProxyAppointment.meeting_id) == meeting.id,
                col(ProxyAppointment.revoked_at).is_(None),
            )
            .order_by(col(ProxyAppointment.member_id))
        ).all()
    )


def proxies_held(session: Session, meeting: Meeting, holder_id: int) -> int:
    """How many members ``holder_id`` represents at the meeting now (against the cap)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(ProxyAppointment)
            .where(
                col(ProxyAppointment.meeting_id) == meeting.id,
                col(ProxyAppointment.proxy_id) == holder_id,
                col(ProxyAppointment.revoked_at).is_(None),
            )
        ).one()
    )


def held_by(session: Session, meeting: Meeting, holder_id: int) -> list[ProxyAppointment]:
    """The proxies ``holder_id`` holds: those naming them, and as chair those naming the chair."""
    chair = is_chair(session, meeting, holder_id)
    return [
        a
        for a in proxies_in_force(session, meeting)
        if a.proxy_id == holder_id or (chair and a.proxy_id is None)
    ]


def _holder(session: Session, meeting: Meeting, appointment: ProxyAppointment) -> int | None:
    return appointment.proxy_id if appointment.proxy_id is not None else chair_id(session, meeting)


def discretionary_for(session: Session, meeting: Meeting, item: AgendaItem, holder_id: int) -> bool:
    """Whether ``holder_id`` holds a proxy that leaves this item to their discretion."""
    return any(
        not (a.instructions or {}).get(item.public_id) for a in held_by(session, meeting, holder_id)
    )


def proxy_choice(
    session: Session, meeting: Meeting, item: AgendaItem, appointment: ProxyAppointment
) -> tuple[Channel, str] | None:
    """How a proxy in force votes on ``item``: its instruction (directed), else its holder's
    choice (discretionary; ``None`` when the holder made none). A proxy counts only when its
    holder is present (the chair always is), as for the quorum (s. 324)."""
    holder = _holder(session, meeting, appointment)
    if holder is None:
        return None
    if not (is_chair(session, meeting, holder) or attending(session, meeting, holder)):
        return None
    directed = (appointment.instructions or {}).get(item.public_id)
    if directed:
        return Channel.PROXY_DIRECTED, directed
    vote = session.get(ProxyVote, (item.id, holder))
    return (Channel.PROXY_DISCRETIONARY, vote.choice) if vote else None


def counted(session: Session, item: AgendaItem, member_id: int) -> bool:
    return session.get(CountedVote, (item.id, member_id)) is not None


def counted_channel(session: Session, item: AgendaItem, member_id: int) -> Channel | None:
    row = session.get(CountedVote, (item.id, member_id))
    return row.channel if row else None


def member_public_id(session: Session, member_id: int) -> str:
    member = session.get(Member, member_id)
    assert member is not None
    return member.public_id


def present_without_vote(session: Session, meeting: Meeting, item: AgendaItem) -> int:
    """Attendees whose vote on ``item`` is not counted through another channel: at most this
    many hands for the tellers."""
    present = set(attendees(session, meeting))
    voted = set(
        session.exec(select(CountedVote.member_id).where(col(CountedVote.item_id) == item.id)).all()
    )
    return len(present - voted)


def teller_counts(session: Session, item: AgendaItem) -> list[TellerCount]:
    return list(session.exec(select(TellerCount).where(col(TellerCount.item_id) == item.id)).all())


def teller_count(session: Session, item: AgendaItem) -> rules.Figures | None:
    """The tellers' agreed count (``rules.agreed_teller_count``)."""
    return rules.agreed_teller_count(
        rules.Figures(c.votes_for, c.votes_against, c.abstentions)
        for c in sorted(teller_counts(session, item), key=lambda c: c.entered_at)
    )


@dataclass(frozen=True)
class Quorum:
    required: int
    in_person: int
    by_proxy: int

    @property
    def present(self) -> int:
        return self.in_person + self.by_proxy

    @property
    def met(self) -> bool:
        return self.present >= self.required


def quorum(session: Session, meeting: Meeting) -> Quorum:
    """Members present in person and by proxy now (``rules.quorum_present``)."""
    present = attendees(session, meeting)
    chair = chair_id(session, meeting)
    chair_present = chair is not None and (
        chair in present or meeting.status is not MeetingStatus.NOTICED
    )
    total = rules.quorum_present(
        present,
        {a.member_id: a.proxy_id for a in proxies_in_force(session, meeting)},
        chair_present=chair_present,
    )
    return Quorum(meeting.quorum_required or 0, len(present), total - len(present))


def _advance_papers(session: Session, item: AgendaItem) -> list[str]:
    ballot = session.get(Ballot, item.advance_ballot_id)
    assert ballot is not None
    if ballot.box_opened_at is None:
        raise Conflict(
            "The advance ballot's box has not been opened yet: its trustees must open it first."
        )
    return sorted(
        str(p.get("choice"))
        for p in session.exec(select(Paper.choice).where(col(Paper.ballot_id) == ballot.id)).all()
    )


def _room_papers(session: Session, item: AgendaItem, key: PrivateKey) -> list[str]:
    sealed = session.exec(select(RoomPaper.sealed).where(col(RoomPaper.item_id) == item.id)).all()
    return sorted(str(p["choice"]) for p in box.open_papers(key, sealed))


def result_document(
    session: Session, meeting: Meeting, item: AgendaItem, room_key: PrivateKey
) -> dict[str, Any]:
    """A closed motion's result: each channel's figures, the totals, the rule applied and the
    outcome (``void`` when the meeting was not quorate when it opened), with the recount
    file: every channel's papers (choices only, sorted) or counts. ``sha256`` covers the rest."""
    assert item.resolution_type is not None
    proxies = (item.result or {}).get("proxies", {})
    tellers = teller_count(session, item) or rules.Figures()
    papers = {
        "advance": _advance_papers(session, item),
        "in_room": _room_papers(session, item, room_key),
        "proxy_directed": list(proxies.get(Channel.PROXY_DIRECTED.value, [])),
        "proxy_discretionary": list(proxies.get(Channel.PROXY_DISCRETIONARY.value, [])),
    }
    channels = {name: rules.Figures.of(choices) for name, choices in papers.items()}
    channels["tellers"] = tellers
    totals = sum(channels.values(), rules.Figures())
    decision = rules.decide(rules.basis_of(item.resolution_type), totals)
    quorate = (meeting.quorum_present or 0) >= (meeting.quorum_required or 0)
    document: dict[str, Any] = {
        "meeting": meeting.public_id,
        "item": item.public_id,
        "title": item.title,
        "resolution_type": item.resolution_type.value,
        "outcome": ("carried" if decision.carried else "not_carried") if quorate else "void",
        "rule": decision.rule,
        "quorum": {"required": meeting.quorum_required, "present": meeting.quorum_present},
        "channels": {name: f.as_dict() for name, f in channels.items()},
        "totals": totals.as_dict(),
        "recount": {"papers": papers, "tellers": tellers.as_dict()},
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    document["sha256"] = hashlib.sha256(canonical.encode()).hexdigest()
    return document


def draft_minutes(session: Session, meeting: Meeting) -> str:
    """The record of proceedings, generated from the meeting: attendance and proxies, the
    quorum, and each item with its result and the rule applied (Markdown)."""
    q = quorum(session, meeting)
    lines = [
        f"# Minutes: {meeting.title}",
        "",
        f"Held at {meeting.starts_at:%d %B %Y %H:%M} UTC"
        + (f", {meeting.place}" if meeting.place else "")
        + (" and online" if meeting.online_url else "")
        + ".",
        f"Opened at {meeting.opened_at:%H:%M} UTC." if meeting.opened_at else "",
        "",
        f"Present: {q.in_person} members in person; {len(proxies_in_force(session, meeting))} "
        "proxies in force.",
        f"Quorum: {meeting.quorum_present} present in person or by proxy when the meeting "
        f"opened; {meeting.quorum_required} required"
        + (
            " — the meeting was quorate."
            if (meeting.quorum_present or 0) >= (meeting.quorum_required or 0)
            else " — NOT quorate."
        ),
        "",
    ]
    for item in items(session, meeting):
        lines.append(f"## {item.position}. {item.title}")
        if item.kind is ItemKind.RESOLUTION and item.result and "outcome" in item.result:
            r = item.result
            t = r["totals"]
            lines += [
                "",
                f"{r['rule']} For {t['for']}, against {t['against']}, abstentions "
                f"{t['abstain']}: **{r['outcome'].replace('_', ' ')}**.",
            ]
        elif item.kind is ItemKind.RESOLUTION:
            lines += ["", "Not put to the vote."]
        lines.append("")
    return "\n".join(line for line in lines if line is not None)


def my_view(session: Session, meeting: Meeting, member_id: int) -> dict[str, Any]:
    """What a member sees of their own part: entitlement, attendance, proxy in force, the
    proxies they hold, and per resolution whether (and by which channel) their vote counts."""
    appointment = proxy_in_force(session, meeting, member_id)
    return {
        "entitled": entitled(session, meeting, member_id),
        "attending": attending(session, meeting, member_id),
        "proxy": appointment,
        "holding": held_by(session, meeting, member_id),
        "counted": {
            i.public_id: counted_channel(session, i, member_id)
            for i in items(session, meeting)
            if i.kind is ItemKind.RESOLUTION
        },
    }


def members_by_id(session: Session, ids: Sequence[int]) -> dict[int, Member]:
    if not ids:
        return {}
    return {
        m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(ids))).all() if m.id
    }


@dataclass(frozen=True)
class ItemPage:
    item: AgendaItem
    #: The viewer's counted channel on it, if any.
    counted: Channel | None
    #: Whether the viewer holds a proxy left to their discretion on it.
    discretionary: bool
    #: Tellers' agreed count, and how many tellers have entered one.
    agreed: rules.Figures | None
    teller_entries: int
    #: The advance ballot's public id (resolutions, once the notice is issued).
    advance_ballot: str | None


@dataclass(frozen=True)
class MeetingPage:
    """Everything the meeting's page shows one viewer; what they may do follows from it."""

    meeting: Meeting
    items: list[ItemPage]
    quorum: Quorum | None
    entitled: bool
    attending: bool
    proxy: ProxyAppointment | None
    proxy_name: str | None
    holding: list[tuple[str, dict[str, str] | None]]
    is_chair: bool
    is_teller: bool
    chair_name: str | None
    teller_names: list[str]
    notice_versions: int


def meeting_page(session: Session, meeting: Meeting, member_id: int) -> MeetingPage:
    appointment = proxy_in_force(session, meeting, member_id)
    holding = held_by(session, meeting, member_id)
    crew = officers(session, meeting)
    people = members_by_id(
        session,
        [a.member_id for a in holding]
        + [o.member_id for o in crew]
        + ([appointment.proxy_id] if appointment and appointment.proxy_id else []),
    )
    return MeetingPage(
        meeting=meeting,
        items=[
            ItemPage(
                item=i,
                counted=counted_channel(session, i, member_id),
                discretionary=discretionary_for(session, meeting, i, member_id),
                agreed=teller_count(session, i),
                teller_entries=len(teller_counts(session, i)),
                advance_ballot=ballot_public_id(session, i) if i.advance_ballot_id else None,
            )
            for i in items(session, meeting)
        ],
        quorum=quorum(session, meeting) if meeting.notice_issued_at else None,
        entitled=entitled(session, meeting, member_id),
        attending=attending(session, meeting, member_id),
        proxy=appointment,
        proxy_name=(
            people[appointment.proxy_id].name
            if appointment and appointment.proxy_id
            else ("the chair of the meeting" if appointment else None)
        ),
        holding=[(people[a.member_id].name, a.instructions) for a in holding],
        is_chair=is_chair(session, meeting, member_id),
        is_teller=is_teller(session, meeting, member_id),
        chair_name=next(
            (people[o.member_id].name for o in crew if o.role is OfficerRole.CHAIR), None
        ),
        teller_names=[people[o.member_id].name for o in crew if o.role is OfficerRole.TELLER],
        notice_versions=len(notices(session, meeting)),
    )


def by_number(session: Session, number: str) -> Member | None:
    """The member with this member number (as typed), or ``None``."""
    digits = number.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        return None
    return session.exec(select(Member).where(col(Member.member_number) == int(digits))).first()


def _ledger_counts(session: Session, item: AgendaItem) -> dict[Channel, int]:
    rows = session.exec(
        select(CountedVote.channel, func.count())
        .where(col(CountedVote.item_id) == item.id)
        .group_by(col(CountedVote.channel))
    ).all()
    return {Channel(channel): int(n) for channel, n in rows}


def reconciliation(session: Session, meeting: Meeting) -> dict[str, list[str]]:
    """For each declared resolution, what an auditor would find wrong (empty lists when all is
    well): the ledger's members counted per channel against the papers behind the published
    figures — the advance ballot's voters and opened papers, the in-room sealed papers, the
    proxies' choices — and the declaration's SHA-256 against its content."""
    found: dict[str, list[str]] = {}
    for item in items(session, meeting):
        if item.result is None or "sha256" not in item.result:
            continue
        problems = []
        result = dict(item.result)
        claimed = result.pop("sha256")
        canonical = json.dumps(result, sort_keys=True, separators=(",", ":"))
        if hashlib.sha256(canonical.encode()).hexdigest() != claimed:
            problems.append("The declared result does not match its SHA-256.")
        ledger = _ledger_counts(session, item)
        papers = result["recount"]["papers"]
        voters = session.exec(
            select(func.count())
            .select_from(RollEntry)
            .where(col(RollEntry.ballot_id) == item.advance_ballot_id, col(RollEntry.has_voted))
        ).one()
        in_room = session.exec(
            select(func.count()).select_from(RoomPaper).where(col(RoomPaper.item_id) == item.id)
        ).one()
        for what, counted, behind in [
            ("advance voters", ledger.get(Channel.ADVANCE, 0), voters),
            ("advance papers", ledger.get(Channel.ADVANCE, 0), len(papers["advance"])),
            ("in-room papers", ledger.get(Channel.IN_ROOM, 0), in_room),
            ("in-room papers counted", ledger.get(Channel.IN_ROOM, 0), len(papers["in_room"])),
            (
                "directed proxies",
                ledger.get(Channel.PROXY_DIRECTED, 0),
                len(papers["proxy_directed"]),
            ),
            (
                "discretionary proxies",
                ledger.get(Channel.PROXY_DISCRETIONARY, 0),
                len(papers["proxy_discretionary"]),
            ),
        ]:
            if counted != behind:
                problems.append(f"{counted} members counted but {behind} {what}.")
        found[item.public_id] = problems
    return found
