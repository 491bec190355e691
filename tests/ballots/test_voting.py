import pytest
from sqlmodel import Session, func, select

from coopvote.audit.models import AuditEvent
from coopvote.ballots import box, keys
from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, BoardEntry, Method, RollEntry, SealedPaper
from coopvote.clock import utcnow
from coopvote.errors import Conflict, InvalidInput, NotAllowed
from coopvote.members.models import Member, MemberStatus
from tests.factories import make_ballot, make_member


def option_ids(session: Session, ballot: Ballot) -> list[int]:
    return [o.id for o in ballot_views.options(session, ballot) if o.id is not None]


def vote(session: Session, ballot: Ballot, member: Member, paper: dict[str, object]) -> str:
    assert member.id is not None
    return ballots.cast_vote(session, ballot, member_id=member.id, paper=paper, now=utcnow())


def opened(session: Session, ballot: Ballot, tracker: str) -> dict[str, object]:
    """What the sealed paper with this tracker holds, opened with the ballot's key."""
    sealed = session.get(SealedPaper, tracker)
    assert sealed is not None
    assert box.tracker(sealed.sealed) == tracker
    (paper,) = box.open_papers(keys.private_key(ballot.public_id), [sealed.sealed])
    return paper


def test_a_vote_seals_a_paper_onto_the_board_and_marks_the_roll_in_one_go(
    session: Session,
) -> None:
    member = make_member(session)
    ballot = make_ballot(session)
    receipt = vote(session, ballot, member, {"choice": "for"})
    assert opened(session, ballot, receipt) == {"choice": "for"}
    assert b"for" not in session.get(SealedPaper, receipt).sealed  # type: ignore[union-attr]
    (entry,) = session.exec(select(BoardEntry)).all()
    assert (entry.tracker, entry.position) == (receipt, 1)
    assert ballot_views.turnout(session, ballot).votes_cast == 1
    # Who voted is recorded at close, all at once, never in the order of casting.
    voted = select(AuditEvent).where(AuditEvent.action == "member.voted")
    assert session.exec(voted).all() == []
    ballots.close_ballot(session, ballot, actor_id=None, now=utcnow())
    assert session.exec(voted).one().data == {"ballot": ballot.public_id}


def test_every_paper_of_a_ballot_is_sealed_to_one_length(session: Session) -> None:
    voters = [make_member(session), make_member(session)]
    ballot = make_ballot(session, method=Method.STV, seats=2)
    first, second, *rest = option_ids(session, ballot)
    papers: list[dict[str, object]] = [{"ranking": [first]}, {"ranking": [second, first, *rest]}]
    trackers = [vote(session, ballot, v, p) for v, p in zip(voters, papers, strict=True)]
    lengths = {len(session.get(SealedPaper, t).sealed) for t in trackers}  # type: ignore[union-attr]
    assert len(lengths) == 1


def test_a_second_vote_is_a_conflict_and_stores_nothing(session: Session) -> None:
    member = make_member(session)
    ballot = make_ballot(session)
    vote(session, ballot, member, {"choice": "for"})
    with pytest.raises(Conflict):
        vote(session, ballot, member, {"choice": "against"})
    assert session.exec(select(func.count()).select_from(SealedPaper)).one() == 1


def test_a_member_not_on_the_roll_may_not_vote(session: Session) -> None:
    ballot = make_ballot(session)
    late = make_member(session)
    with pytest.raises(NotAllowed):
        vote(session, ballot, late, {"choice": "for"})


def test_a_member_suspended_after_opening_keeps_the_entry_but_may_not_vote(
    session: Session,
) -> None:
    member = make_member(session)
    ballot = make_ballot(session)
    member.status = MemberStatus.SUSPENDED
    with pytest.raises(NotAllowed):
        vote(session, ballot, member, {"choice": "for"})
    assert session.get(RollEntry, (ballot.id, member.id)) is not None


def test_a_closed_ballot_takes_no_votes(session: Session) -> None:
    member = make_member(session)
    ballot = make_ballot(session)
    ballots.close_ballot(session, ballot, actor_id=None, now=utcnow())
    with pytest.raises(Conflict):
        vote(session, ballot, member, {"choice": "for"})


@pytest.mark.parametrize(
    ("method", "seats", "max_choices", "paper"),
    [
        (Method.RESOLUTION, 1, None, {"choice": "maybe"}),
        (Method.RESOLUTION, 1, None, {"choices": [1]}),
        (Method.PLURALITY, 1, None, {"choices": "first"}),
        (Method.PLURALITY, 1, None, {"choices": ["A", "B"]}),
        (Method.PLURALITY, 1, None, {"choices": []}),
        (Method.APPROVAL, 1, 2, {"choices": ["A", "B", "C"]}),
        (Method.STV, 2, None, {"ranking": ["A", "A"]}),
        (Method.STV, 2, None, {"ranking": ["A", 999_999]}),
        (Method.IRV, 1, None, {"ranking": []}),
        (Method.SCHULZE, 1, None, {"ranking": ["A"], "extra": 1}),
        (Method.MEEK, 2, None, {"ranking": [True]}),
    ],
)
def test_invalid_papers_are_refused_and_nothing_is_stored(
    session: Session,
    method: Method,
    seats: int,
    max_choices: int | None,
    paper: dict[str, object],
) -> None:
    member = make_member(session)
    ballot = make_ballot(session, method=method, seats=seats, max_choices=max_choices)
    ids = dict(zip("ABCD", option_ids(session, ballot), strict=False))

    def resolve(value: object) -> object:
        if isinstance(value, list):
            return [ids.get(v, v) if isinstance(v, str) else v for v in value]
        return value

    with pytest.raises(InvalidInput):
        vote(session, ballot, member, {key: resolve(v) for key, v in paper.items()})
    assert session.exec(select(func.count()).select_from(SealedPaper)).one() == 0
    assert ballot_views.turnout(session, ballot).votes_cast == 0


@pytest.mark.parametrize("method", [Method.IRV, Method.STV, Method.MEEK, Method.SCHULZE])
def test_partial_rankings_are_accepted(session: Session, method: Method) -> None:
    member = make_member(session)
    ballot = make_ballot(session, method=method)
    first, second, *_ = option_ids(session, ballot)
    receipt = vote(session, ballot, member, {"ranking": [second, first]})
    assert opened(session, ballot, receipt) == {"ranking": [second, first]}


def test_approval_papers_are_stored_in_one_canonical_order(session: Session) -> None:
    member = make_member(session)
    ballot = make_ballot(session, method=Method.APPROVAL, max_choices=3)
    a, b, c, _ = option_ids(session, ballot)
    receipt = vote(session, ballot, member, {"choices": [c, a, b]})
    assert opened(session, ballot, receipt) == {"choices": sorted([a, b, c])}


def test_my_ballots_lists_open_ballots_on_whose_roll_i_am(session: Session) -> None:
    member = make_member(session, constituency="staff")
    mine = make_ballot(session, title="Staff seat", eligible_constituencies=["staff"])
    make_ballot(session, title="Parents only", eligible_constituencies=["parents-carers"])
    assert member.id is not None
    listed = ballot_views.my_open_ballots(session, member_id=member.id, now=utcnow())
    assert [(b.ballot.public_id, b.has_voted) for b in listed] == [(mine.public_id, False)]
    vote(session, mine, member, {"choice": "for"})
    listed = ballot_views.my_open_ballots(session, member_id=member.id, now=utcnow())
    assert listed[0].has_voted
