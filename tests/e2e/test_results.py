"""A member reads the demo's published STV result and checks a receipt from its board."""

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

    api = page.url.replace("/results/", "/api/v1/ballots/")
    assert all(set(vote) == {"paper"} for vote in page.request.get(f"{api}/cast-votes").json())
    receipt = page.request.get(f"{api}/board").json()["trackers"][0]
    page.get_by_role("link", name="Check that your paper is in the count").click()
    page.get_by_label("Your receipt").fill(receipt.upper())
    page.get_by_role("button", name="Check").click()
    verdict = page.get_by_role("status")
    assert "Two member trustees for the trust board" in verdict.inner_text()
    screenshot(page, "31-receipt-checked")
