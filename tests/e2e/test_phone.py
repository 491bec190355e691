"""Pages on a 390 px phone (issue 17): nothing widens the page, the menu folds behind a
button, tables that scroll keep their first column in view, chart labels stay readable."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_membership_flow import sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    yield context.new_page()
    context.close()


def widest(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_menu_folds_behind_a_button_and_no_page_is_wider_than_the_phone(
    phone: Any, server: str
) -> None:
    sign_in(phone, server, "governor")
    menu = phone.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert (
        not phone.get_by_role("navigation", name="Main")
        .get_by_role("link", name="Ballots", exact=True)
        .is_visible()
    )
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    screenshot(phone, "40-phone-menu-open")
    phone.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Ballots", exact=True
    ).click()
    assert widest(phone) <= PHONE["width"]
    # The table scrolls sideways, its first column kept in view, and takes keyboard focus.
    region = phone.get_by_role("region", name="Every ballot, latest closing first")
    assert region.get_attribute("tabindex") == "0"
    first = phone.locator(".table-scroll tbody tr:first-child td:first-child")
    left = first.bounding_box()["x"]
    region.evaluate("element => element.scrollLeft = 400")
    assert first.bounding_box()["x"] == pytest.approx(left, abs=1)
    screenshot(phone, "41-phone-table")
    for path in ["/", "/governance/ballots/new", "/forum", "/results"]:
        phone.goto(server + path)
        assert widest(phone) <= PHONE["width"], path


def test_chart_labels_are_readable_and_winners_ticked_on_a_phone(phone: Any, server: str) -> None:
    sign_in(phone, server, "member")
    phone.goto(f"{server}/results")
    phone.get_by_role("link", name="Two member trustees for the trust board").click()
    labels = phone.locator(".chart .chart-label")
    assert labels.count() > 0
    for i in range(labels.count()):
        box = labels.nth(i).bounding_box()
        assert box["height"] >= 12  # drawn at least 12 px high, never squeezed smaller
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]  # never clipped
    assert "✓" in phone.locator(".chart").inner_html()
    screenshot(phone, "42-phone-chart")
