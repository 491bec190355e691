"""A general meeting end to end in the browser, on phone-width screens: the chair opens the
meeting and a motion, two attendees vote, two tellers enter a hand count, and the chair
closes the vote and declares the result with its figures per channel."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from coopvote.demo.trustees import TRUSTEES, demo_key
from tests.e2e.conftest import screenshot
from tests.e2e.test_membership_flow import sign_in

PHONE = {"width": 390, "height": 844}
MOTION = "Receive the annual report and accounts"


@contextmanager
def phone(browser: Any, server: str, who: str) -> Iterator[Any]:
    """``who`` signed in on a phone-width screen, on the next AGM's page."""
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    try:
        page = context.new_page()
        sign_in(page, server, who)
        page.get_by_role("button", name="Menu").click()  # folded at phone widths
        page.get_by_role("link", name="Meetings").click()
        page.get_by_role("link", name="Annual general meeting 2027").click()
        yield page
    finally:
        context.close()


def item(page: Any) -> Any:
    return page.locator(".card").filter(has_text=MOTION).last


def test_a_meeting_from_opening_the_motion_to_the_declared_result(
    browser: Any, server: str
) -> None:
    with phone(browser, server, "governor") as chair:
        chair.get_by_role("button", name="Check me in").click()
        chair.get_by_role("button", name="Open the meeting").click()
        assert "The meeting is open." in chair.locator(".flashes").inner_text()
        # The advance ballots closed when the meeting opened; the demo's are in trustee mode,
        # so two trustees open the box of the one about to be declared.
        meeting_id = chair.url.rstrip("/").split("/")[-1]
        meeting = chair.request.get(f"{server}/api/v1/meetings/{meeting_id}").json()
        ballot = next(i for i in meeting["items"] if i["title"] == MOTION)["advance_ballot_id"]
        chair.goto(f"{server}/ballots/{ballot}/open-box")
        for n, who in enumerate(TRUSTEES[:2], start=1):
            chair.locator(f"#key_{n}").fill(bytes(demo_key(who)).hex())
        chair.get_by_role("button", name="Open the box").click()
        chair.goto(f"{server}/meetings/{meeting_id}")
        item(chair).get_by_role("button", name="Open the vote").click()
        screenshot(chair, "40-chair-console-phone")

        for who, choice in [("member15", "For"), ("member16", "Against")]:
            with phone(browser, server, who) as attendee:
                attendee.get_by_role("button", name="Check me in").click()
                item(attendee).get_by_label(choice, exact=True).check()
                screenshot(attendee, f"41-attendee-vote-{who}-phone")
                item(attendee).get_by_role("button", name="Cast my vote").click()
                assert "Your vote is recorded" in attendee.locator(".flashes").inner_text()
                assert "Your vote counts (online in the room)" in item(attendee).inner_text()

        for teller in ("member1", "member2"):
            with phone(browser, server, teller) as desk:
                desk.get_by_role("button", name="Check me in").click()
                card = item(desk)
                card.get_by_label("Hands for").fill("1")
                card.get_by_label("Hands against").fill("0")
                card.get_by_label("Hands abstaining").fill("1")
                card.get_by_role("button", name="Enter count").click()
                assert "Count entered." in desk.locator(".flashes").inner_text()
        assert "2 tellers entered; agreed" in desk_text(browser, server)

        chair.reload()
        item(chair).get_by_role("button", name="Close the vote").click()
        item(chair).get_by_role("button", name="Declare the result").click()
        result = item(chair).locator(".result").inner_text()
        screenshot(chair, "42-declared-result-phone")
    assert "Carried: for 7, against 1, abstentions 1." in result
    assert "Companies Act 2006 s. 282" in result
    rows = {
        line.split("\t")[0]: line.split("\t")[1:] for line in result.splitlines() if "\t" in line
    }
    assert rows["Advance online votes"] == ["5", "0", "0"]
    assert rows["Online in the room"] == ["1", "1", "0"]
    assert rows["Tellers (hands or paper)"] == ["1", "0", "1"]


def desk_text(browser: Any, server: str) -> str:
    with phone(browser, server, "member1") as desk:
        return str(item(desk).inner_text())
