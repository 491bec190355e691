"""A member votes in each kind of demo ballot through the pages, and cannot vote twice."""

from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_membership_flow import sign_in


def test_a_member_ranks_candidates_reviews_and_gets_a_receipt(page: Any, server: str) -> None:
    sign_in(page, server, "member")
    page.get_by_role("link", name="My ballots").click()
    page.get_by_role("link", name="Parents' and carers' seats on the trust forum").first.click()
    page.get_by_label("Preference for Chloe Clarke").select_option("1")
    page.get_by_label("Preference for Amira Ahmed").select_option("2")
    screenshot(page, "10-ranked-paper")
    page.get_by_role("button", name="Review my vote").click()
    assert page.locator(".choices").inner_text().splitlines() == [
        "1. Chloe Clarke",
        "2. Amira Ahmed",
    ]
    page.reload()  # the review step, refreshed, is the same page
    page.get_by_role("button", name="Cast my vote").click()
    receipt = page.locator(".receipt-code").inner_text().strip()
    assert len(receipt) == 64
    screenshot(page, "11-receipt")
    ballot_url = page.url.removesuffix("/receipt")
    # Refreshing the receipt re-posts nothing and shows it again.
    page.reload()
    assert page.locator(".receipt-code").inner_text().strip() == receipt
    # Back to the review step: it says so, with no Cast button.
    page.go_back()
    assert "You have already voted" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Cast my vote").count() == 0
    # Retrievable for the rest of the browser session, and on the ballot's public board.
    page.get_by_role("link", name="See your receipt").click()
    assert page.locator(".receipt-code").inner_text().strip() == receipt
    page.goto(f"{ballot_url}/board")
    assert receipt in page.locator("main").inner_text()


def test_a_member_changes_their_mind_at_review_then_votes_on_the_resolution(
    page: Any, server: str
) -> None:
    sign_in(page, server, "member")
    page.goto(f"{server}/ballots")
    page.get_by_role("link", name="Adopt the new co-operative values statement").first.click()
    page.get_by_role("button", name="Review my vote").click()
    assert page.locator(".field-error").is_visible()  # nothing chosen: re-shown with the problem
    page.get_by_label("Against").check()
    page.get_by_role("button", name="Review my vote").click()
    page.get_by_role("link", name="Change my choices").click()
    assert page.get_by_label("Against").is_checked()
    page.get_by_label("For", exact=True).check()
    page.get_by_role("button", name="Review my vote").click()
    assert page.locator(".choices").inner_text().strip() == "For"
    page.get_by_role("button", name="Cast my vote").click()
    assert page.locator(".receipt-code").is_visible()
    page.goto(f"{server}/ballots")
    assert (
        page.locator(".card").filter(has_text="values statement").get_by_text("Voted").is_visible()
    )
