"""Reading the log: filters, pages and the names behind actors and subjects."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from coopvote import audit
from coopvote.audit.models import AuditEvent
from coopvote.audit.views import NAMES_PER_QUERY, EventFilter, browse_events, find_events
from coopvote.members.models import Member, MemberStatus
from tests.factories import make_member

DAY = datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC)


def write(
    session: Session, action: str, *, actor: str = "system", subject: str = "x", at: datetime = DAY
) -> AuditEvent:
    return audit.record(session, actor=actor, action=action, subject=subject, now=at)


def seqs(session: Session, filters: EventFilter, **paging: int) -> list[int]:
    return [row.event.seq for row in find_events(session, filters, **paging)]


def test_events_filter_by_action_actor_and_subject(session: Session) -> None:
    a = write(session, "ballot.opened", actor="member:7", subject="ballot:1").seq
    b = write(session, "ballot.closed", actor="member:7", subject="ballot:1").seq
    c = write(session, "ballot.opened", actor="system", subject="ballot:2").seq
    assert seqs(session, EventFilter(action="ballot.opened")) == [a, c]
    assert seqs(session, EventFilter(actor="member:7")) == [a, b]
    assert seqs(session, EventFilter(subject="ballot:2")) == [c]
    assert seqs(session, EventFilter(action="ballot.opened", actor="member:7")) == [a]
    assert seqs(session, EventFilter(subject="ballot:")) == []  # exact, not a prefix


def test_dates_are_whole_utc_days_inclusive(session: Session) -> None:
    before = write(session, "x.done", at=DAY - timedelta(days=1)).seq
    first_moment = write(session, "x.done", at=DAY.replace(hour=0, minute=0, second=0)).seq
    last_moment = write(session, "x.done", at=DAY).seq
    after = write(session, "x.done", at=DAY + timedelta(seconds=1)).seq
    day = DAY.date()
    assert seqs(session, EventFilter(since=day, until=day)) == [first_moment, last_moment]
    assert seqs(session, EventFilter(since=day)) == [first_moment, last_moment, after]
    assert seqs(session, EventFilter(until=day)) == [before, first_moment, last_moment]
    assert seqs(session, EventFilter(since=date(2030, 1, 1))) == []


def test_after_and_limit_page_through_the_chain(session: Session) -> None:
    for _ in range(5):
        write(session, "x.done")
    assert seqs(session, EventFilter(), after=2) == [3, 4, 5]
    assert seqs(session, EventFilter(), after=1, limit=2) == [2, 3]


def test_browsing_counts_matches_and_pages_them(session: Session) -> None:
    for i in range(7):
        write(session, "x.done" if i % 2 else "y.done")
    page = browse_events(session, EventFilter(action="y.done"), page=2, per_page=3)
    assert page.total == 4
    assert page.pages == 2
    assert [row.event.seq for row in page.items] == [7]


def test_members_are_named_and_others_are_not(session: Session) -> None:
    member = make_member(session, name="Ann Able")
    governor = make_member(session, name="Gita Governor")
    event = write(session, "member.admitted", actor=f"member:{governor.id}", subject="register")
    write(session, "member.suspended", actor="system", subject=f"member:{member.id}")
    write(session, "member.ceased", actor="member:unknown", subject="member:999999")
    rows = find_events(session, EventFilter(), after=event.seq - 1)
    assert [(r.actor_name, r.subject_name) for r in rows] == [
        ("Gita Governor", None),
        (None, "Ann Able"),
        (None, None),
    ]


def test_names_are_found_for_more_members_than_one_query_takes(session: Session) -> None:
    many = [
        Member(
            public_id=f"p{n}",
            name=f"Name {n}",
            email=f"n{n}@example.org",
            password_hash="-",
            status=MemberStatus.ACTIVE,
            applied_at=DAY,
        )
        for n in range(NAMES_PER_QUERY + 1)
    ]
    session.add_all(many)
    session.flush()
    for member in many:
        write(session, "x.done", actor=f"member:{member.id}")
    rows = find_events(session, EventFilter(action="x.done"))
    assert [r.actor_name for r in rows] == [m.name for m in many]
