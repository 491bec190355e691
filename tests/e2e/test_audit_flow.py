"""The demo's auditor finds a verified chain, keeps its head and checks it, and reads the log."""

from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_membership_flow import sign_in


def test_the_auditor_sees_a_verified_chain_and_checks_a_kept_head(page: Any, server: str) -> None:
    sign_in(page, server, "auditor")
    page.get_by_role("link", name="Audit", exact=True).click()
    assert "The audit log verifies" in page.locator(".verdict").first.inner_text()
    kept = page.locator(".summary code.hash").last.inner_text().strip()
    screenshot(page, "50-audit-dashboard")

    page.get_by_label("Head (sequence number:hash)").fill(kept)
    page.get_by_role("button", name="Check").click()
    assert "still has the hash you kept" in page.locator("#main").inner_text()

    page.get_by_role("link", name="Browse and filter the log").click()
    page.get_by_label("Action").select_option("member.admitted")
    page.get_by_role("button", name="Filter").click()
    actions = page.locator("table.audit-log tbody td:nth-child(4)").all_inner_texts()
    assert actions
    assert set(actions) == {"member.admitted"}
    screenshot(page, "51-audit-log-filtered")
