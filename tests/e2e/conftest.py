"""The browser suite: a real server with the demo loaded, driven by headless Chromium.

Runs when ``COOPVOTE_BROWSER_TESTS=1`` (``.ci/run`` sets it); screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coopvote.settings import Settings
from tests.live import live_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("COOPVOTE_BROWSER_TESTS") != "1":
        skip = pytest.mark.skip(reason="browser suite: set COOPVOTE_BROWSER_TESTS=1 (.ci/run does)")
        for item in items:
            if "e2e" in item.nodeid:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo, loaded and served as ``python3 dev.py demo`` does, in development settings."""
    database = tmp_path_factory.mktemp("server") / "coopvote.db"
    settings = Settings(database_url=f"sqlite:///{database}")
    subprocess.run(
        [sys.executable, "-m", "coopvote", "demo", "--reset"],
        env={**os.environ, "COOPVOTE_DATABASE_URL": settings.database_url},
        check=True,
        capture_output=True,
    )
    with live_server(settings, workers=1) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
