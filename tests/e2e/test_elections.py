"""Elections in the browser (issue 15): nominating, agreeing to stand and seconding by keyboard
alone, and voting in two contests of one election with JavaScript turned off."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta
from typing import Any

import httpx

from coopvote.clock import utcnow
from coopvote.demo import DEMO_PASSWORD, DOMAIN
from tests.e2e.conftest import screenshot
from tests.e2e.test_membership_flow import sign_in

STUDENTS = "Students' forum seats 2027"
VIEWPORT = {"width": 1100, "height": 900}


def tab_to(page: Any, selector: str, presses: int = 300) -> None:
    """Move the focus with the Tab key alone until it reaches ``selector``."""
    target = page.locator(selector)
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def submit(page: Any) -> None:
    """Press Enter on the focused button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def open_election(page: Any, server: str, title: str) -> None:
    page.goto(f"{server}/elections")
    page.get_by_role("link", name=title).click()


def test_nominating_agreeing_and_seconding_by_keyboard(page: Any, server: str) -> None:
    # A student nominates herself: the form opens, is filled and sent from the keyboard.
    sign_in(page, server, "member33")
    open_election(page, server, STUDENTS)
    tab_to(page, "summary:has-text('Nominate for Students')")
    page.keyboard.press("Enter")
    tab_to(page, "textarea[name^='statement-']")
    page.keyboard.type("I run the school's **eco club**; I will speak up for every year group.")
    tab_to(page, "button:has-text('Submit the nomination')")
    submit(page)
    assert "Your nomination is made." in page.locator(".flashes").inner_text()
    screenshot(page, "40-nominated")

    # The student member33 nominated earlier agrees to stand, by keyboard.
    sign_in(page, server, "member24")
    open_election(page, server, STUDENTS)
    tab_to(page, "button:has-text('Agree to stand')")
    submit(page)
    assert "You have agreed to stand." in page.locator(".flashes").inner_text()

    # And seconds another student's nomination, by keyboard; once only.
    tab_to(page, "button:has-text('Second') >> nth=0")
    submit(page)
    assert "You have seconded the nomination." in page.locator(".flashes").inner_text()
    assert page.locator("text=You seconded this nomination.").count() >= 1
    screenshot(page, "41-seconded")


def api(server: str, local: str) -> httpx.Client:
    client = httpx.Client(base_url=server, timeout=60)
    client.get("/api/v1/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    signed = client.post(
        "/api/v1/session", json={"email": f"{local}@{DOMAIN}", "password": DEMO_PASSWORD}
    )
    assert signed.status_code == 200, signed.text
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


def two_contest_election(server: str) -> str:
    """An election whose two contests (every member; The Grange's members) both go to a
    ballot that is open now; the demo member may vote in both. Returns its title."""
    now = utcnow()
    title = "Two-contest election"
    with closing(api(server, "governor")) as governor:
        made = governor.post(
            "/api/v1/elections",
            json={
                "title": title,
                "nominations_open_at": (now - timedelta(hours=1)).isoformat(),
                "nominations_close_at": (now + timedelta(days=1)).isoformat(),
                "voting_opens_at": (now + timedelta(days=1)).isoformat(),
                "voting_closes_at": (now + timedelta(days=8)).isoformat(),
                "contests": [
                    {"title": "Whole trust", "seats": 1, "method": "plurality"},
                    {
                        "title": "The Grange",
                        "seats": 1,
                        "method": "stv",
                        "eligible": {"organisations": ["the-grange"]},
                    },
                ],
            },
        )
        assert made.status_code == 201, made.text
        election = made.json()
        for contest, nominees in zip(
            election["contests"], (("member1", "member2"), ("member9", "member12")), strict=True
        ):
            for nominee in nominees:
                with closing(api(server, nominee)) as member:
                    nominated = member.post(
                        f"/api/v1/elections/{election['id']}/contests/{contest['id']}/nominations",
                        json={"statement": f"{nominee} for {contest['title']}."},
                    ).json()
                with closing(api(server, "member18")) as seconder:
                    seconder.post(f"/api/v1/nominations/{nominated['id']}/second")
                governor.post(f"/api/v1/nominations/{nominated['id']}/approve")
        closed = governor.post(f"/api/v1/elections/{election['id']}/close-nominations").json()
        for contest in closed["contests"]:
            assert contest["outcome"] == "balloted"
            governor.post(f"/api/v1/ballots/{contest['ballot_id']}/open")
    return title


def test_voting_in_two_contests_without_javascript(browser: Any, server: str) -> None:
    title = two_contest_election(server)
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1100, "height": 900}
    )
    page = context.new_page()
    try:
        sign_in(page, server, "member")
        open_election(page, server, title)
        assert f"Your ballots in the {title}" in page.locator("main").inner_text()
        screenshot(page, "42-your-ballots")
        # Plurality: tick one.
        page.get_by_role("link", name="Vote for Whole trust").click()
        page.locator("input[name=choices]").first.check()
        page.get_by_role("button", name="Review my vote").click()
        page.get_by_role("button", name="Cast my vote").click()
        assert len(page.locator(".receipt-code").inner_text().strip()) == 64
        # STV: rank, with the statements a link away on the paper.
        open_election(page, server, title)
        page.get_by_role("link", name="Vote for The Grange").click()
        assert page.locator("a", has_text="statement").count() == 2
        labels = [label.inner_text() for label in page.locator(".rank-row label").all()]
        page.get_by_label(f"Preference for {labels[1]}").select_option("1")
        page.get_by_label(f"Preference for {labels[0]}").select_option("2")
        page.get_by_role("button", name="Review my vote").click()
        page.get_by_role("button", name="Cast my vote").click()
        assert len(page.locator(".receipt-code").inner_text().strip()) == 64
        open_election(page, server, title)
        mine = page.locator("section[aria-labelledby='my-ballots']").inner_text()
        assert mine.count("Voted") == 2
        screenshot(page, "43-voted-in-both")
    finally:
        context.close()
