from datetime import timedelta

from sqlmodel import Session

from coopvote.clock import utcnow
from coopvote.security.models import WebSession
from coopvote.security.sessions import hash_token, look_up, resolve_session, start_session
from tests.factories import make_member

IDLE, ABSOLUTE = timedelta(minutes=30), timedelta(hours=12)
TIMEOUTS = {"idle": IDLE, "absolute": ABSOLUTE}


def resolve(session: Session, token: str, at: timedelta) -> bool:
    return (
        resolve_session(session, token, now=utcnow() + at, idle=IDLE, absolute=ABSOLUTE) is not None
    )


def test_a_session_ends_after_the_idle_timeout(session: Session) -> None:
    member = make_member(session)
    assert member.id is not None
    token = start_session(session, member.id, utcnow())
    assert resolve(session, token, timedelta(minutes=29))
    assert not resolve(session, token, timedelta(minutes=29 + 31))
    assert session.get(WebSession, hash_token(token)) is None, "an expired session is deleted"


def test_activity_keeps_a_session_alive_until_the_absolute_timeout(session: Session) -> None:
    member = make_member(session)
    assert member.id is not None
    token = start_session(session, member.id, utcnow())
    for minutes in range(20, 12 * 60, 20):  # a request every twenty minutes, all day
        assert resolve(session, token, timedelta(minutes=minutes))
    assert not resolve(session, token, timedelta(hours=12, minutes=1))


def test_only_a_hash_of_the_token_is_stored(session: Session) -> None:
    member = make_member(session)
    assert member.id is not None
    token = start_session(session, member.id, utcnow())
    assert session.get(WebSession, token) is None
    assert session.get(WebSession, hash_token(token)) is not None


def test_requests_within_a_minute_of_the_last_refresh_write_nothing(session: Session) -> None:
    member = make_member(session)
    assert member.id is not None
    start = utcnow()
    token = start_session(session, member.id, start)
    for seconds in (1, 30, 59):
        found = look_up(session, token, now=start + timedelta(seconds=seconds), **TIMEOUTS)
        assert found.principal is not None
        assert not found.writes
    later = look_up(session, token, now=start + timedelta(seconds=61), **TIMEOUTS)
    assert later.stale
    assert later.principal is not None


def test_the_idle_timeout_runs_from_the_last_refresh(session: Session) -> None:
    member = make_member(session)
    assert member.id is not None
    start = utcnow()
    token = start_session(session, member.id, start)
    # Requests every 50 seconds never refresh the session, yet keep it within the timeout
    # of its last refresh: the idle timeout keeps its meaning to within a minute.
    assert resolve(session, token, timedelta(seconds=50))
    assert resolve(session, token, timedelta(minutes=2))
    assert resolve(session, token, timedelta(minutes=2, seconds=50))
    assert not resolve(session, token, timedelta(minutes=2 + 31))
    assert session.get(WebSession, hash_token(token)) is None
