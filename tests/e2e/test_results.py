"""A member reads the demo's published STV result and checks a receipt from its papers."""

from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_membership_flow import sign_in


def test_a_member_reads_a_published_election_and_checks_a_receipt(page: Any, server: str) -> None:
    sign_in(page, server, "member")
    page.get_by_role("link", name="Results", exact=True).click()
    page.get_by_role("link", name="Two member trustees for the trust board").click()
    assert "were elected." in page.locator(".outcome").inner_text()
    assert page.get_by_role("img", name="Votes in the final round").is_visible()
    assert page.get_by_role("heading", name="Round by round").is_visible()
    screenshot(page, "30-stv-result")

    votes = page.request.get(page.url.replace("/results/", "/api/v1/ballots/") + "/cast-votes")
    receipt = votes.json()[0]["receipt"]
    page.get_by_role("link", name="Check that your paper is in the count").click()
    page.get_by_label("Your receipt").fill(receipt.lower().replace("-", " "))
    page.get_by_role("button", name="Check").click()
    verdict = page.get_by_role("status")
    assert "Two member trustees for the trust board" in verdict.inner_text()
    screenshot(page, "31-receipt-checked")
