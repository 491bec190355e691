"""A crawl of every form each role is shown, sent back with hostile values (issue 17): never a
5xx or a stack trace, and a refused form comes back with its problem marked."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient

from coopvote.ballots.models import Method
from coopvote.db import Database
from coopvote.members.models import MemberStatus, Role
from tests.factories import make_ballot, make_member, make_proposal
from tests.web.helpers import sign_in

Client = TestClient[Any]

#: Each hostile value is sent in every field of every form, one value at a time.
HOSTILE = [
    "",
    " ",
    "²",
    "inf",
    "1e309",
    "-1",
    str(10**20),
    "9999-12-31T23:59",
    "\u200b\u200b",
    "\u202eevil",
    "<script>alert(1)</script>",
    "x" * 5000,
]
ROLES: dict[str, tuple[Role, ...] | None] = {
    "visitor": None,
    "member": (),
    "governor": (Role.GOVERNOR,),
    "admin": (Role.ADMIN,),
    "auditor": (Role.AUDITOR,),
}
#: Forms that end the crawl's own session or leave every page unchanged for it.
NOT_CRAWLED = re.compile(r"^/(sign-out|sign-in)$")
MARKED = re.compile(r'class="(field-error|error-summary|flash flash-error)')


class Forms(HTMLParser):
    """Every POST form of a page: its action and its fields (name → first value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.links: list[str] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "a" and found.get("href", "").startswith("/"):
            self.links.append(found["href"])
        elif tag == "form" and found.get("method", "").lower() == "post":
            self._current = {}
            self.forms.append((found.get("action", ""), self._current))
        elif tag in {"input", "select", "textarea"} and self._current is not None:
            name = found.get("name")
            if name and name not in self._current:
                self._current[name] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def parsed(html: str) -> Forms:
    forms = Forms()
    forms.feed(html)
    return forms


def kind_of(path: str) -> str:
    return re.sub(r"/[A-Za-z0-9_-]{12,}(?=/|$)", "/ID", path.split("?")[0].split("#")[0])


@pytest.mark.parametrize("role", list(ROLES))
def test_every_form_sent_back_with_hostile_values_is_answered_without_a_5xx(
    client: Client, database: Database, role: str
) -> None:
    with database.transaction() as session:
        roles = ROLES[role]
        if roles is not None:  # first, to be on the open ballot's roll
            make_member(session, email="crawler@example.org", roles=roles)
        author = make_member(session, email="author@example.org")
        make_proposal(session, author)
        make_ballot(session, method=Method.STV)
        make_ballot(session, open_now=False, title="A draft")
        make_member(session, email="applicant@example.org", status=MemberStatus.PENDING)
    if roles is not None:
        sign_in(client, "crawler@example.org")
    seen: set[str] = set()
    pages = ["/", "/register", "/sign-in"]
    for link in parsed(client.get("/").text).links:
        pages.append(link)
    for page_path in list(pages):
        for link in parsed(client.get(page_path).text).links:
            if kind_of(link) not in {kind_of(p) for p in pages}:
                pages.append(link)
    forms: dict[str, tuple[str, dict[str, str]]] = {}
    for page_path in pages:
        if SKIP_PAGE.search(page_path):
            continue
        for action, fields in parsed(client.get(page_path).text).forms:
            if not NOT_CRAWLED.match(action) and kind_of(action) not in seen:
                seen.add(kind_of(action))
                forms[action] = (page_path, fields)
    assert len(forms) >= MINIMUM_FORMS[role], sorted(forms)
    token = client.cookies["csrftoken"]
    # Ending one's own membership (or session) last: every other form is sent signed in.
    for action, (page_path, fields) in sorted(forms.items(), key=lambda f: "withdraw" in f[0]):
        for value in HOSTILE:
            sent = {name: value for name in fields if name != "_csrf_token"}
            answer = client.post(
                action,
                data={**sent, "_csrf_token": token},
                headers={"referer": f"http://testserver.local{page_path}"},
                follow_redirects=False,
            )
            where = f"{role} {action} {value[:20]!r}"
            assert answer.status_code < 500, (where, answer.text[:300])
            assert "Traceback" not in answer.text, where
            if answer.status_code == 422 and "text/html" in answer.headers["content-type"]:
                assert MARKED.search(answer.text), (where, "no problem marked")
            if urlsplit(answer.headers.get("location", "")).path == "/sign-in" and roles:
                pytest.fail(f"{where}: the crawl was signed out")


#: At least this many kinds of form each role is shown (so that the crawl cannot quietly
#: find none).
MINIMUM_FORMS = {"visitor": 1, "member": 6, "governor": 10, "admin": 8, "auditor": 6}
SKIP_PAGE = re.compile(r"^/(api|static|schema)|\.(csv|json)$")
