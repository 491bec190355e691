from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from coopvote.app import TEMPLATES
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.mail import sender
from coopvote.settings import Settings
from tests.mail.smtp import Inbox, mail_settings, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


@pytest.fixture
def sending(settings: Settings, smtp: tuple[Inbox, int]) -> Settings:
    return mail_settings(settings, smtp[1])


class Deliver:
    """Runs the sender as the background worker would, at a moment the test chooses."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database, self.settings = database, settings
        self.renderer = sender.Renderer(TEMPLATES, settings)

    def __call__(self, at: datetime | None = None) -> int:
        moment = at or utcnow()
        total = 0
        while sent := sender.deliver_due(
            self.database, self.settings, self.renderer, lambda: moment
        ):
            total += sent
        return total


@pytest.fixture
def deliver(database: Database, sending: Settings) -> Deliver:
    return Deliver(database, sending)
