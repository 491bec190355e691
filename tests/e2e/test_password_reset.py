"""Issue 13's browser test: forgot password → open the caught email → set a new password →
sign in. The server sends through a real SMTP server that keeps what it catches in a Maildir,
listed by the development-only page ``/dev/mail``, as in ``python3 dev.py demo``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from coopvote.demo import DOMAIN
from coopvote.settings import Settings
from tests.e2e.conftest import screenshot
from tests.live import free_port, live_server

NEW_PASSWORD = "a fresh passphrase for the allotment"


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo served with its mail caught into a Maildir; the server's URL."""
    folder = tmp_path_factory.mktemp("mail-server")
    maildir = folder / "maildir"
    settings = Settings(database_url=f"sqlite:///{folder / 'coopvote.db'}")
    subprocess.run(
        [sys.executable, "-m", "coopvote", "demo", "--reset"],
        env={**os.environ, "COOPVOTE_DATABASE_URL": settings.database_url},
        check=True,
        capture_output=True,
    )
    port = free_port()
    catcher = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port)
    catcher.start()
    environ = {
        "COOPVOTE_SMTP_HOST": "127.0.0.1",
        "COOPVOTE_SMTP_PORT": str(port),
        "COOPVOTE_SMTP_SECURITY": "none",
        "COOPVOTE_DEV_MAILDIR": str(maildir),
        "COOPVOTE_BASE_URL": "{url}",
    }
    try:
        with live_server(settings, workers=1, environ=environ) as url:
            yield url
    finally:
        catcher.stop()


def test_forgot_password_then_the_caught_email_then_a_new_password_then_sign_in(
    page: Any, mail_server: str
) -> None:
    email = f"member@{DOMAIN}"
    page.goto(f"{mail_server}/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    assert "Check your email" in page.locator("h1").inner_text()
    screenshot(page, "13-01-reset-asked")

    page.goto(f"{mail_server}/dev/mail")
    for _ in range(30):  # the background worker sends within seconds
        if page.locator(".caught-mail", has_text="Set a new password").count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    message = page.locator(".caught-mail", has_text="Set a new password").first
    screenshot(page, "13-02-caught-mail")
    message.get_by_role("link").first.click()

    assert page.locator("h1").inner_text() == "Choose a new password"
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()
    screenshot(page, "13-03-password-set")

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if page.locator("h1").inner_text() == "Privacy notice":  # a version not yet accepted
        page.get_by_role("button", name="I have read it: continue").click()
    assert page.locator("h1").inner_text().startswith("Welcome, ")  # the member's dashboard
    screenshot(page, "13-04-signed-in")
