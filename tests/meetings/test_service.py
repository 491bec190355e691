"""General meetings through their services, on a real database: notice, proxies, attendance,
the ledger of counted votes, tellers, and the declared result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coopvote.audit.models import AuditEvent
from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot, BallotStatus
from coopvote.clock import utcnow
from coopvote.errors import Conflict, InvalidInput, NotAllowed
from coopvote.meetings import service, views
from coopvote.meetings.models import (
    Channel,
    CountedVote,
    Meeting,
    MeetingNotice,
    ResolutionType,
    RoomPaper,
)
from coopvote.meetings.rules import Figures
from coopvote.members.models import Member, Role
from coopvote.results import service as results
from coopvote.results.rules import can_preview
from tests.factories import make_member, make_proposal
from tests.meetings.helpers import definition, ident, noticed_meeting, resolutions


def governor(session: Session) -> Member:
    return make_member(session, roles=(Role.GOVERNOR,))


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(col(AuditEvent.seq))).all())


def test_notice_refused_when_the_meeting_is_fewer_clear_days_away_than_the_setting(
    session: Session,
) -> None:
    now = utcnow()
    gov = governor(session)
    meeting = service.create_meeting(
        session, definition(now + timedelta(days=15)), actor_id=gov.id, now=now
    )
    # 15 days ahead leaves 14 clear days (neither the day of notice nor the meeting's counts).
    service.issue_notice(session, meeting, actor_id=gov.id, now=now)
    short = service.create_meeting(
        session, definition(now + timedelta(days=14)), actor_id=gov.id, now=now
    )
    with pytest.raises(Conflict, match="13 clear days"):
        service.issue_notice(session, short, actor_id=gov.id, now=now)


def test_notice_refused_when_a_special_resolution_has_no_text(session: Session) -> None:
    now = utcnow()
    gov = governor(session)
    d = definition(now + timedelta(days=30))
    items = (*d.items, service.ItemDefinition(d.items[2].kind, "Blank", "", ResolutionType.SPECIAL))
    meeting = service.create_meeting(
        session,
        service.MeetingDefinition(d.kind, d.title, d.starts_at, d.place, items=items),
        actor_id=gov.id,
        now=now,
    )
    with pytest.raises(InvalidInput, match="full text"):
        service.issue_notice(session, meeting, actor_id=gov.id, now=now)


def test_an_issued_notice_is_fixed_and_an_amendment_is_a_new_audited_version(
    session: Session,
) -> None:
    gov = governor(session)
    meeting = noticed_meeting(session, gov)
    service.amend_notice(
        session,
        meeting,
        title=meeting.title,
        place="The Grange School library",
        online_url="",
        actor_id=gov.id,
        now=utcnow(),
    )
    notices = views.notices(session, meeting)
    assert [n.version for n in notices] == [1, 2]
    assert "library" in notices[1].document
    assert "library" not in notices[0].document
    assert actions(session).count("meeting.notice_issued") == 2
    forge = update(MeetingNotice).values(document="forged")
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(forge)


def test_members_resolution_needs_a_seconder_and_the_deadline(session: Session) -> None:
    now = utcnow()
    gov = governor(session)
    author = make_member(session)
    meeting = service.create_meeting(
        session, definition(now + timedelta(weeks=8)), actor_id=gov.id, now=now
    )
    alone = make_proposal(session, author, title="Solar panels")
    with pytest.raises(Conflict, match="seconder"):
        service.place_members_resolution(session, meeting, alone, actor_id=gov.id, now=now)
    seconded = make_proposal(session, author, title="Orchards", supporters=1)
    item = service.place_members_resolution(session, meeting, seconded, actor_id=gov.id, now=now)
    assert item.resolution_type is ResolutionType.ORDINARY
    assert item.text == seconded.body
    late = service.create_meeting(
        session, definition(now + timedelta(weeks=5)), actor_id=gov.id, now=now
    )
    with pytest.raises(Conflict, match="deadline"):
        service.place_members_resolution(session, late, seconded, actor_id=gov.id, now=now)


def test_proxy_cap_deadline_self_and_revocation(session: Session) -> None:
    now = utcnow()
    gov = governor(session)
    holder = make_member(session)
    appointers = [make_member(session) for _ in range(6)]
    meeting = noticed_meeting(session, gov, now=now)
    for m in appointers[:5]:
        service.appoint_proxy(
            session,
            meeting,
            member_id=ident(m),
            proxy=holder,
            instructions=None,
            now=now,
        )
    with pytest.raises(Conflict, match="5 members"):
        service.appoint_proxy(
            session,
            meeting,
            member_id=ident(appointers[5]),
            proxy=holder,
            instructions=None,
            now=now,
        )
    # The chair has no cap; nobody appoints themselves.
    service.appoint_proxy(
        session,
        meeting,
        member_id=ident(appointers[5]),
        proxy=None,
        instructions=None,
        now=now,
    )
    with pytest.raises(InvalidInput):
        service.appoint_proxy(
            session,
            meeting,
            member_id=ident(holder),
            proxy=holder,
            instructions=None,
            now=now,
        )
    # Revoking frees a place under the cap, until the deadline.
    service.revoke_proxy(session, meeting, member_id=ident(appointers[0]), now=now)
    assert views.proxies_held(session, meeting, ident(holder)) == 4
    late = meeting.starts_at - timedelta(hours=47)
    with pytest.raises(Conflict, match="deadline"):
        service.appoint_proxy(
            session,
            meeting,
            member_id=ident(appointers[0]),
            proxy=holder,
            instructions=None,
            now=late,
        )
    with pytest.raises(Conflict, match="deadline"):
        service.revoke_proxy(session, meeting, member_id=ident(appointers[1]), now=late)
    assert actions(session).count("proxy.appointed") == 6
    assert actions(session).count("proxy.revoked") == 1


def test_directed_instructions_name_the_meetings_resolutions(session: Session) -> None:
    gov = governor(session)
    member, holder = make_member(session), make_member(session)
    meeting = noticed_meeting(session, gov)
    with pytest.raises(InvalidInput):
        service.appoint_proxy(
            session,
            meeting,
            member_id=ident(member),
            proxy=holder,
            instructions={"nope": "for"},
            now=utcnow(),
        )


def run_to_declaration(session: Session) -> dict[str, object]:
    """A whole meeting: advance votes, directed and discretionary proxies, one overridden by
    an advance vote and one by attendance, in-room votes and a tellers' count."""
    now = utcnow()
    gov = governor(session)
    chair, teller1, teller2 = (make_member(session) for _ in range(3))
    advance_voter, holder, directed, discretionary, attender, in_room = (
        make_member(session) for _ in range(6)
    )
    meeting = noticed_meeting(session, gov, now=now, chair=chair, tellers=(teller1, teller2))
    ordinary, special = resolutions(session, meeting)
    service.appoint_proxy(
        session,
        meeting,
        member_id=ident(directed),
        proxy=holder,
        instructions={ordinary.public_id: "against", special.public_id: "for"},
        now=now,
    )
    service.appoint_proxy(
        session, meeting, member_id=ident(discretionary), proxy=holder, instructions=None, now=now
    )
    service.appoint_proxy(
        session, meeting, member_id=ident(advance_voter), proxy=None, instructions=None, now=now
    )
    service.appoint_proxy(
        session, meeting, member_id=ident(attender), proxy=holder, instructions=None, now=now
    )
    for item in (ordinary, special):
        ballot = session.get(Ballot, item.advance_ballot_id)
        assert ballot is not None
        ballots.cast_vote(
            session, ballot, member_id=ident(advance_voter), paper={"choice": "for"}, now=now
        )
    at = meeting.starts_at
    for m in (chair, teller1, teller2, holder, attender, in_room):
        service.check_in(
            session, meeting, m, actor_id=ident(m) if m is not attender else ident(teller1), now=at
        )
    assert views.proxy_in_force(session, meeting, ident(attender)) is None
    service.open_meeting(session, meeting, actor_id=ident(chair), now=at)
    # 6 in person, and by proxy: directed, discretionary and (to the chair) the advance voter.
    assert meeting.quorum_present == 9
    service.open_motion(session, meeting, special, actor_id=ident(chair), now=at)
    with pytest.raises(Conflict, match="already counted"):
        service.vote_in_room(
            session, meeting, special, member_id=ident(advance_voter), choice="for", now=at
        )
    service.vote_in_room(session, meeting, special, member_id=ident(in_room), choice="for", now=at)
    with pytest.raises(Conflict, match="already counted"):
        service.vote_in_room(
            session, meeting, special, member_id=ident(in_room), choice="for", now=at
        )
    service.vote_in_room(
        session, meeting, special, member_id=ident(attender), choice="against", now=at
    )
    service.proxy_vote(session, meeting, special, holder_id=ident(holder), choice="against")
    hands = Figures(2, 0, 1)
    assert (
        service.enter_teller_count(
            session, meeting, special, hands, teller_id=ident(teller1), now=at
        )
        is None
    )
    with pytest.raises(Conflict, match="do not agree"):
        service.close_motion(session, meeting, special, actor_id=ident(chair), now=at)
    assert (
        service.enter_teller_count(
            session, meeting, special, hands, teller_id=ident(teller2), now=at
        )
        == hands
    )
    service.close_motion(session, meeting, special, actor_id=ident(chair), now=at)
    service.declare(session, meeting, special, actor_id=ident(chair), now=at)
    ledger = {
        (r.member_id, r.channel)
        for r in session.exec(select(CountedVote).where(col(CountedVote.item_id) == special.id))
    }
    assert ledger == {
        (advance_voter.id, Channel.ADVANCE),
        (in_room.id, Channel.IN_ROOM),
        (attender.id, Channel.IN_ROOM),
        (directed.id, Channel.PROXY_DIRECTED),
        (discretionary.id, Channel.PROXY_DISCRETIONARY),
    }
    assert "proxy.overridden" in actions(session)
    assert special.result is not None
    return special.result


def test_one_result_combines_every_channel_with_nothing_counted_twice(session: Session) -> None:
    result = run_to_declaration(session)
    assert result["channels"] == {
        "advance": {"for": 1, "against": 0, "abstain": 0},
        "in_room": {"for": 1, "against": 1, "abstain": 0},
        "proxy_directed": {"for": 1, "against": 0, "abstain": 0},
        "proxy_discretionary": {"for": 0, "against": 1, "abstain": 0},
        "tellers": {"for": 2, "against": 0, "abstain": 1},
    }
    assert result["totals"] == {"for": 5, "against": 2, "abstain": 1}
    # 5 of 7 votes cast is 71 %: short of a special resolution's 75 %.
    assert result["outcome"] == "not_carried"
    assert "75 %" in str(result["rule"])
    assert "s. 283" in str(result["rule"])
    assert result["recount"]["papers"]["in_room"] == ["against", "for"]  # type: ignore[index]


def test_tellers_cannot_count_more_hands_than_members_present_without_a_vote(
    session: Session,
) -> None:
    now = utcnow()
    gov = governor(session)
    chair, teller = make_member(session), make_member(session)
    meeting = noticed_meeting(session, gov, now=now, chair=chair, tellers=(teller,))
    item = resolutions(session, meeting)[0]
    for m in (chair, teller):
        service.check_in(session, meeting, m, actor_id=ident(m), now=meeting.starts_at)
    service.open_meeting(session, meeting, actor_id=ident(chair), now=meeting.starts_at)
    service.open_motion(session, meeting, item, actor_id=ident(chair), now=meeting.starts_at)
    with pytest.raises(InvalidInput):
        service.enter_teller_count(
            session, meeting, item, Figures(3, 0, 0), teller_id=ident(teller), now=meeting.starts_at
        )
    with pytest.raises(NotAllowed):
        service.enter_teller_count(
            session, meeting, item, Figures(1, 0, 0), teller_id=ident(chair), now=meeting.starts_at
        )


def test_the_meeting_without_quorum_declares_void_and_minutes_are_drafted(
    session: Session,
) -> None:
    now = utcnow()
    gov = governor(session)
    chair = make_member(session)
    meeting = noticed_meeting(session, gov, now=now, chair=chair)
    at = meeting.starts_at
    service.check_in(session, meeting, chair, actor_id=ident(chair), now=at)
    service.open_meeting(session, meeting, actor_id=ident(chair), now=at)
    assert (meeting.quorum_present, meeting.quorum_required) == (1, 2)
    item = resolutions(session, meeting)[0]
    service.open_motion(session, meeting, item, actor_id=ident(chair), now=at)
    service.vote_in_room(session, meeting, item, member_id=ident(chair), choice="for", now=at)
    service.close_motion(session, meeting, item, actor_id=ident(chair), now=at)
    service.declare(session, meeting, item, actor_id=ident(chair), now=at)
    assert item.result is not None
    assert item.result["outcome"] == "void"
    service.close_meeting(session, meeting, actor_id=ident(chair), now=at)
    assert "NOT quorate" in meeting.minutes
    assert "Not put to the vote" in meeting.minutes
    service.edit_minutes(session, meeting, meeting.minutes + "\nApproved.", actor_id=gov.id, now=at)
    service.publish_minutes(session, meeting, actor_id=gov.id, now=at)
    with pytest.raises(Conflict):
        service.edit_minutes(session, meeting, "changed", actor_id=gov.id, now=at)


def test_reconciliation_finds_a_paper_removed_after_the_declaration(session: Session) -> None:
    run_to_declaration(session)
    meeting = session.exec(select(Meeting)).one()
    assert all(problems == [] for problems in views.reconciliation(session, meeting).values())
    session.execute(
        delete(RoomPaper).where(
            col(RoomPaper.tracker) == select(RoomPaper.tracker).limit(1).scalar_subquery()
        )
    )
    found = [p for problems in views.reconciliation(session, meeting).values() for p in problems]
    assert found == ["2 members counted but 1 in-room papers."]


def test_an_advance_ballot_is_never_previewed_or_published_on_its_own(session: Session) -> None:
    """Once the meeting opens, its advance ballots are closed and their boxes opened; their
    counts are still only a part of each resolution's result, which the chair declares with
    the room's votes (DOMAIN.md, "No early results")."""
    gov = governor(session)
    chair = make_member(session)
    voter = make_member(session)
    meeting = noticed_meeting(session, gov, chair=chair)
    ordinary, _special = resolutions(session, meeting)
    ballot = session.get(Ballot, ordinary.advance_ballot_id)
    assert ballot is not None
    ballots.cast_vote(
        session, ballot, member_id=ident(voter), paper={"choice": "for"}, now=utcnow()
    )
    service.check_in(session, meeting, chair, actor_id=ident(chair), now=meeting.starts_at)
    service.open_meeting(session, meeting, actor_id=ident(chair), now=meeting.starts_at)
    session.refresh(ballot)
    assert ballot.status is BallotStatus.CLOSED
    assert not can_preview(ballot, meeting.starts_at)
    with pytest.raises(Conflict, match="advance vote on a general meeting"):
        results.publish_result(session, ballot, actor_id=ident(gov), now=meeting.starts_at)
