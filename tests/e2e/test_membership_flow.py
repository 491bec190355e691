"""What a newcomer does first: a governor admits an applicant, who then sees their number."""

from typing import Any

from coopvote.demo import DEMO_PASSWORD, DOMAIN
from tests.e2e.conftest import screenshot


def sign_in(page: Any, server: str, local: str) -> None:
    page.goto(f"{server}/sign-in")
    page.get_by_label("Email address").fill(f"{local}@{DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_governor_admits_an_applicant_who_then_sees_their_member_number(
    page: Any, server: str
) -> None:
    # Issues 11 and 13: an applicant whose address is confirmed signs in and sees their own
    # application, and nothing a member sees.
    sign_in(page, server, "applicant")
    assert "waiting for a governor" in page.content()
    assert page.get_by_role("link", name="Forum").count() == 0
    screenshot(page, "01-applicant-pending")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server, "governor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Applications").click()
    screenshot(page, "02-governor-applications")
    card = page.locator(".card").filter(has_text=f"applicant@{DOMAIN}")
    card.get_by_role("button", name="Admit").click()
    assert "is now active" in page.locator(".flash").inner_text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server, "applicant")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My membership").click()
    summary = page.locator(".summary").inner_text()
    assert "Active" in summary
    assert page.locator(".member-number").inner_text().strip().isdigit()
    screenshot(page, "03-member-number")


def test_registration_reshows_the_form_with_problems_marked(page: Any, server: str) -> None:
    page.goto(f"{server}/register")
    page.get_by_label("Full name").fill("Nadia New")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_label("Choose a password").fill("short")
    page.get_by_role("button", name="Apply for membership").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.get_by_label("Full name").input_value() == "Nadia New"
    assert page.get_by_label("Choose a password").input_value() == ""
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    screenshot(page, "04-registration-errors")


def test_pages_work_by_keyboard(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
