"""The demo's general meetings: last month's AGM, held and minuted, and the next AGM with its
notice issued — an ordinary and a special resolution, a members' resolution from the forum,
directed and discretionary proxies, and advance votes cast. The governor chairs both."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot
from coopvote.demo import people, trustees
from coopvote.forum.models import Proposal
from coopvote.meetings import service, views
from coopvote.meetings.models import (
    AgendaItem,
    ItemKind,
    Meeting,
    MeetingKind,
    OfficerRole,
    ResolutionType,
)
from coopvote.meetings.rules import Figures
from coopvote.members.models import Member

R = ItemKind.RESOLUTION
ARTICLES = (
    "That the articles of association be amended by replacing article 12 with:\n\n"
    "> 12. The stakeholder forum shall include **three** representatives of parents and "
    "carers, elected by the members of that constituency for terms of two years."
)


def _agenda(year: int) -> tuple[service.ItemDefinition, ...]:
    return (
        service.ItemDefinition(
            ItemKind.REPORT,
            f"Annual report and accounts {year - 1}–{str(year)[2:]}",
            "The trustees' report and the audited accounts, circulated with this notice.",
        ),
        service.ItemDefinition(
            R,
            "Receive the annual report and accounts",
            f"That the annual report and accounts for {year - 1}–{str(year)[2:]} be received.",
            ResolutionType.ORDINARY,
        ),
        service.ItemDefinition(
            R, "Three parent and carer seats on the forum", ARTICLES, ResolutionType.SPECIAL
        ),
        service.ItemDefinition(ItemKind.AOB, "Any other business"),
    )


def _id(member: Member) -> int:
    assert member.id is not None
    return member.id


def _call(
    session: Session,
    governor: Member,
    everyone: dict[str, Member],
    *,
    title: str,
    year: int,
    starts_at: datetime,
    called_at: datetime,
    members_resolution: Proposal | None = None,
) -> Meeting:
    meeting = service.create_meeting(
        session,
        service.MeetingDefinition(
            kind=MeetingKind.AGM,
            title=title,
            starts_at=starts_at,
            place="The Grange School hall, Wendover Way, Aylesbury",
            online_url="https://meet.example.org/alp-agm",
            items=_agenda(year),
        ),
        actor_id=governor.id,
        now=called_at,
    )
    if members_resolution is not None:
        service.place_members_resolution(
            session, meeting, members_resolution, actor_id=governor.id, now=called_at
        )
    service.issue_notice(session, meeting, actor_id=governor.id, now=called_at)
    for who, role in [
        ("governor", OfficerRole.CHAIR),
        ("member1", OfficerRole.TELLER),
        ("member2", OfficerRole.TELLER),
    ]:
        service.name_officer(
            session, meeting, everyone[who], role, actor_id=governor.id, now=called_at
        )
    return meeting


def _proxies_and_advance_votes(
    session: Session,
    meeting: Meeting,
    everyone: dict[str, Member],
    resolutions: list[AgendaItem],
    at: datetime,
) -> None:
    """member6 directs member7; member8 leaves it to the chair; member9 to member7; member10
    to member14 vote in advance (for, but one against the special resolution)."""
    directed = {i.public_id: "for" for i in resolutions}
    directed[resolutions[-1].public_id] = "against"
    for who, proxy, instructions in [
        ("member6", everyone["member7"], directed),
        ("member8", None, None),
        ("member9", everyone["member7"], None),
    ]:
        service.appoint_proxy(
            session,
            meeting,
            member_id=_id(everyone[who]),
            proxy=proxy,
            instructions=instructions,
            now=at,
        )
    for n in range(10, 15):
        for item in resolutions:
            ballot = session.get(Ballot, item.advance_ballot_id)
            assert ballot is not None
            choice = (
                "against" if n == 14 and item.resolution_type is ResolutionType.SPECIAL else "for"
            )
            ballots.cast_vote(
                session,
                ballot,
                member_id=_id(everyone[f"member{n}"]),
                paper={"choice": choice},
                now=at + timedelta(hours=n),
            )


def load(session: Session, governor: Member, now: datetime) -> None:
    everyone = people.by_name(session)
    _past_agm(
        session,
        governor,
        everyone,
        (now - timedelta(days=30)).replace(hour=18, minute=30, second=0, microsecond=0),
    )
    bikes = session.exec(
        select(Proposal).where(col(Proposal.title) == "Covered bike shelters at every school")
    ).one()
    meeting = _call(
        session,
        governor,
        everyone,
        title="Annual general meeting 2027",
        year=2027,
        starts_at=(now + timedelta(weeks=8)).replace(hour=18, minute=30, second=0, microsecond=0),
        called_at=now - timedelta(days=2),
        members_resolution=bikes,
    )
    resolutions = [i for i in views.items(session, meeting) if i.kind is R]
    _proxies_and_advance_votes(session, meeting, everyone, resolutions, now - timedelta(days=1))


def _past_agm(
    session: Session, governor: Member, everyone: dict[str, Member], starts_at: datetime
) -> None:
    """Last month's AGM, from notice to published minutes."""
    chair = _id(governor)
    meeting = _call(
        session,
        governor,
        everyone,
        title="Annual general meeting 2026",
        year=2026,
        starts_at=starts_at,
        called_at=starts_at - timedelta(days=28),
    )
    resolutions = [i for i in views.items(session, meeting) if i.kind is R]
    _proxies_and_advance_votes(
        session, meeting, everyone, resolutions, starts_at - timedelta(days=10)
    )
    present = [
        "governor",
        "member1",
        "member2",
        "member7",
        "member",
        *(f"member{n}" for n in range(15, 22)),
    ]
    for who in present:
        service.check_in(
            session, meeting, everyone[who], actor_id=_id(everyone["member1"]), now=starts_at
        )
    service.open_meeting(session, meeting, actor_id=chair, now=starts_at)
    for item in resolutions:
        ballot = session.get(Ballot, item.advance_ballot_id)
        assert ballot is not None
        trustees.open_box(session, ballot, starts_at + timedelta(minutes=1))
    for n, item in enumerate(resolutions):
        at = starts_at + timedelta(minutes=10 * (n + 1))
        service.open_motion(session, meeting, item, actor_id=chair, now=at)
        for who in ("member15", "member16", "member17", "member18", "member"):
            choice = "against" if who == "member18" else "for"
            service.vote_in_room(
                session, meeting, item, member_id=_id(everyone[who]), choice=choice, now=at
            )
        service.proxy_vote(session, meeting, item, holder_id=chair, choice="for")
        service.proxy_vote(session, meeting, item, holder_id=_id(everyone["member7"]), choice="for")
        hands = Figures(3, 0, 1)
        for teller in ("member1", "member2"):
            service.enter_teller_count(
                session, meeting, item, hands, teller_id=_id(everyone[teller]), now=at
            )
        service.close_motion(session, meeting, item, actor_id=chair, now=at + timedelta(minutes=5))
        service.declare(session, meeting, item, actor_id=chair, now=at + timedelta(minutes=6))
    ends = starts_at + timedelta(hours=1)
    service.close_meeting(session, meeting, actor_id=chair, now=ends)
    service.edit_minutes(
        session,
        meeting,
        meeting.minutes + "\nThe chair thanked the members and closed the meeting at 19:30.\n",
        actor_id=chair,
        now=ends + timedelta(days=3),
    )
    service.publish_minutes(session, meeting, actor_id=chair, now=ends + timedelta(days=7))
