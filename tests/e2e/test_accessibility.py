"""axe-core on every page each role reaches, at a desktop's and a phone's width: no violation
(issue 17). Pages are found by following the links of the home page and of the main menu's
pages, one page of each kind (``/ballots/abc`` and ``/ballots/xyz`` are one kind)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_membership_flow import sign_in

ROLES = ["visitor", "member", "governor", "auditor", "admin"]
WIDTHS = {"desktop": 1100, "phone": 390}
#: Not pages: files, and what is not HTML.
SKIPPED = re.compile(r"^/(api|static|schema)|\.(csv|json|blt)$|/sign-out")


def kind_of(path: str) -> str:
    """A page's kind: its path with the ids taken out."""
    return re.sub(r"/[A-Za-z0-9_-]{12,}(?=/|$)", "/ID", path)


def links(page: Any, server: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "anchors => anchors.map(a => a.href)"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != server or SKIPPED.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def pages_of(page: Any, server: str, seen: set[str]) -> list[str]:
    """The home page, the main menu's pages and the pages they link to, each kind once."""
    page.goto(server)
    menu = [server + "/", *[server + p for p in links(page, server)]]
    found: list[str] = []
    for url in menu:
        page.goto(url)
        for path in [urlsplit(url).path, *links(page, server)]:
            kind = kind_of(path.split("?")[0])
            if kind not in seen:
                seen.add(kind)
                found.append(path)
    return found


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def test_every_page_has_no_axe_violation_at_desktop_and_phone_widths(
    browser: Any, server: str, axe: Any
) -> None:
    seen: set[str] = set()
    problems: list[str] = []
    for role in ROLES:
        context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900})
        page = context.new_page()
        if role != "visitor":
            sign_in(page, server, role)
        for path in pages_of(page, server, seen):
            for width_name, width in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(server + path)
                results = axe.run(page)
                for violation in results.response["violations"]:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    problems.append(
                        f"{role} {width_name} {path}: {violation['id']} "
                        f"({violation['help']}) at {targets}"
                    )
                if width_name == "phone":
                    name = re.sub(r"[^a-z0-9]+", "-", f"{role}{path}".lower()).strip("-")
                    screenshot(page, f"phone-{name}"[:80])
        context.close()
    assert len(seen) > 25
    assert problems == [], "\n".join(problems)
