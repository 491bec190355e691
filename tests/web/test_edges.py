"""Edges a reviewer found after issue 17's merge: each case of its kind, kept as a test."""

from __future__ import annotations

from typing import Any

import anyio
from litestar.testing import TestClient

from coopvote.db import Database
from coopvote.web.middleware import answering_head
from tests.factories import make_ballot, make_member
from tests.web.helpers import form, sign_in


def test_a_paper_nested_past_the_parsers_depth_is_refused_not_a_500(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="voter@example.org")
        ballot = make_ballot(session)
    sign_in(client, "voter@example.org")
    deep = "[" * 1500 + "]" * 1500
    answer = client.post(f"/ballots/{ballot.public_id}/vote", data=form(client, paper=deep))
    assert answer.status_code == 422
    assert "could not be read" in answer.text


def test_head_leaves_the_servers_own_scope_a_head() -> None:
    """The server reads the request's scope to know it owes no body after Content-Length:
    the app answers a GET on a copy."""
    seen: list[str] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["method"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page", "more_body": False})

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.disconnect"}

    scope: Any = {"type": "http", "method": "HEAD", "path": "/", "headers": []}
    head: Any = answering_head(app)
    anyio.run(head, scope, receive, send)
    assert seen == ["GET"]
    assert scope["method"] == "HEAD"
    assert sent[-1]["body"] == b""
