"""Reads never write: every GET route, as each of the demo's people and as a stranger, over
the demo's data, leaves every table as it was — and runs in a read-only transaction, so a
write would fail rather than slip through."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import SQLModel, select

from coopvote import demo
from coopvote.ballots.models import Ballot
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.elections.models import Election, Nomination
from coopvote.forum.models import Proposal
from coopvote.meetings.models import AgendaItem, Meeting
from coopvote.members.models import Member

#: The demo's people who can sign in (its pending applicant cannot until admitted).
PEOPLE = ["governor", "auditor", "admin", "member"]
#: Paths that are not the app's pages: files and the generated schema's renderers.
SKIPPED = re.compile(r"^/(static|schema)/")


def snapshot(database: Database) -> dict[str, str]:
    """A digest of every table's rows, in a stable order."""
    digests = {}
    with database.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(table.select().order_by(*table.primary_key.columns)).all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def concrete_paths(path: str, values: dict[str, list[str]]) -> Iterator[str]:
    """``path`` with each ``{name:type}`` replaced by every known value of that name (every
    combination, where a path names more than one)."""
    names = re.findall(r"\{(\w+):\w+\}", path)
    template = re.sub(r"\{\w+:\w+\}", "{}", path)
    for chosen in itertools.product(*(values[name] for name in names)):
        yield template.format(*chosen)


def get_paths(app: Litestar) -> list[str]:
    return sorted(
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if "GET" in handler.http_methods and not SKIPPED.match(route.path)
    )


def sign_in_cookies(client: TestClient[Any], who: str | None) -> dict[str, str]:
    """The cookies of a fresh visit, signed in as ``who`` (or as nobody)."""
    client.cookies.clear()
    token = client.get("/api/v1/health").cookies["csrftoken"]
    if who is not None:
        response = client.post(
            "/api/v1/session",
            json={"email": f"{who}@{demo.DOMAIN}", "password": demo.DEMO_PASSWORD},
            headers={"x-csrftoken": token},
        )
        assert response.status_code == 200, (who, response.text)
    return dict(client.cookies)


def test_get_routes_never_write(app: Litestar, database: Database) -> None:
    with database.transaction() as session:
        demo.load(session, utcnow())
        values = {
            "ballot_id": [b.public_id for b in session.exec(select(Ballot))],
            "proposal_id": [p.public_id for p in session.exec(select(Proposal))],
            "member_id": [m.public_id for m in session.exec(select(Member))][:6],
            "receipt": ["not-a-receipt"],
            "election_id": [e.public_id for e in session.exec(select(Election))],
            "nomination_id": [n.public_id for n in session.exec(select(Nomination))],
            "meeting_id": [m.public_id for m in session.exec(select(Meeting))],
            # Each meeting's items (under the other meeting they are 404s).
            "item_id": [i.public_id for i in session.exec(select(AgendaItem))],
            "action": ["open", "close", "cancel", "publish", "correct", "unknown"],
        }
    with TestClient(app, base_url="http://testserver.local") as client:
        visits = {who: sign_in_cookies(client, who) for who in [None, *PEOPLE]}
        before = snapshot(database)
        answered: dict[int, int] = {}
        for who, cookies in visits.items():
            client.cookies.clear()
            client.cookies.update(cookies)
            for path in get_paths(app):
                for concrete in concrete_paths(path, values):
                    status = client.get(concrete, follow_redirects=False).status_code
                    assert status < 500, (who, concrete, status)
                    answered[status] = answered.get(status, 0) + 1
    changed = {name for name, digest in snapshot(database).items() if before[name] != digest}
    assert changed == set()
    assert answered.get(200, 0) > 200  # the crawl reached real pages, not only refusals
