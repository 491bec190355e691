"""A member writes a proposal whose body holds a script: the page shows the text, and the
script never runs."""

from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_membership_flow import sign_in

BODY = """Let pupils **run the tuck shop** as a co-operative.

<script>document.title = "pwned"; window.pwned = true;</script>
<img src=x onerror="window.pwned = true">
"""


def test_a_script_in_a_proposal_is_shown_as_text_and_never_runs(page: Any, server: str) -> None:
    sign_in(page, server, "member")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Forum").click()
    page.get_by_role("link", name="Make a proposal").click()
    page.get_by_label("Title").fill("A pupils' tuck shop co-operative")
    page.get_by_label("Your proposal").fill(BODY)
    page.get_by_role("button", name="Publish proposal").click()
    body = page.locator(".proposal-body")
    assert body.locator("strong").inner_text() == "run the tuck shop"
    assert '<script>document.title = "pwned"' in body.inner_text()  # shown, as text
    assert page.title().startswith("A pupils' tuck shop co-operative")
    assert page.evaluate("window.pwned === undefined")
    assert page.get_by_role("button", name="Withdraw my proposal").is_visible()
    screenshot(page, "30-proposal")
