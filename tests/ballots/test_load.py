"""A burst of voters against a real server (1 worker on SQLite, 2 on PostgreSQL): every vote is
answered, none with a 5xx, and every 201 is one mark, one sealed paper and one board entry.
Not timed: the speed is measured by ``python -m bench``."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import col, func, select

from coopvote.ballots.board import Entry, chain_problem
from coopvote.ballots.models import BoardEntry, RollEntry, SealedPaper
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.security.sessions import start_session
from coopvote.settings import Settings
from coopvote.web.middleware import bound_csrf_token
from tests.factories import make_ballot, make_member
from tests.live import live_server

VOTERS = 64
#: The server's bounded wait for the database, in seconds (``COOPVOTE_DATABASE_WAIT_SECONDS``),
#: shorter than the default: when each vote took the write lock in turn, the tail of a burst
#: of 128 waited longer than this and was answered 503 (8 of them on this machine).
WAIT = "1"
#: A recorded vote: 201 from the API, or the paper page's redirect to its receipt.
RECORDED = 201


def test_a_burst_of_voters_is_answered_without_errors_and_reconciles(
    database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPVOTE_DATABASE_WAIT_SECONDS", WAIT)  # the live server's environment
    with database.transaction() as session:
        members = [make_member(session) for _ in range(VOTERS)]
        ballot = make_ballot(session)
        ballot_id, ballot_pk = ballot.public_id, ballot.id
        tokens = [start_session(session, m.id, utcnow()) for m in members if m.id is not None]

    def headers(token: str) -> dict[str, str]:
        csrf = bound_csrf_token(settings, token)
        return {
            "cookie": f"{settings.session_cookie_name}={token}; {settings.csrf_cookie_name}={csrf}",
            "x-csrftoken": csrf,
        }

    # Each voter sends two votes at once, half through the API and half through the paper's
    # confirm form: one of each pair is recorded, the other refused, in the same batches.
    attempts = [(token, way) for token in tokens for way in ("api", "page")]
    start = threading.Barrier(len(attempts))

    with live_server(settings, workers=1 if database.is_sqlite else 2) as url:

        def attempt(token_way: tuple[str, str]) -> tuple[int, str]:
            token, way = token_way
            with httpx.Client(base_url=url, timeout=60, headers=headers(token)) as client:
                start.wait()
                if way == "api":
                    answer = client.post(
                        f"/api/v1/ballots/{ballot_id}/votes", json={"choice": "for"}
                    )
                    return answer.status_code, answer.json().get("receipt", "")
                answer = client.post(
                    f"/ballots/{ballot_id}/vote", data={"paper": '{"choice": "against"}'}
                )
                # Cast on the page is answered by a redirect to its receipt (post/redirect/get).
                receipt_page = f"/ballots/{ballot_id}/receipt"
                if answer.status_code == 303 and answer.headers["location"] == receipt_page:
                    return RECORDED, ""
                return answer.status_code, ""

        with ThreadPoolExecutor(len(attempts)) as pool:
            answers = list(pool.map(attempt, attempts))

    statuses = Counter(RECORDED if status == 201 else status for status, _ in answers)
    assert statuses == {RECORDED: VOTERS, 409: VOTERS}, statuses
    receipts = {receipt for status, receipt in answers if status == RECORDED and receipt}
    with database.reading() as session:
        marked = session.exec(
            select(func.count()).select_from(RollEntry).where(col(RollEntry.has_voted))
        ).one()
        sealed = session.exec(select(func.count()).select_from(SealedPaper)).one()
        entries = session.exec(
            select(BoardEntry)
            .where(BoardEntry.ballot_id == ballot_pk)
            .order_by(col(BoardEntry.position))
        ).all()
    assert marked == sealed == len(entries) == VOTERS
    assert receipts <= {e.tracker for e in entries}
    assert chain_problem(ballot_id, [Entry(e.position, e.tracker, e.head) for e in entries]) is None
