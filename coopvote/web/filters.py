"""Jinja filters: presentation helpers that templates may call."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup

from coopvote.markdown import render_markdown


def install_filters(timezone: str) -> Any:
    """An ``engine_callback`` for Litestar's template config."""
    zone = ZoneInfo(timezone)

    def when(moment: datetime | None, style: str = "full") -> str:
        """A moment as every page shows one: in the co-operative's zone with its abbreviation
        ("7 Dec 2026, 04:04 GMT"); ``date``: the day only; ``seconds``: to the second."""
        if moment is None:
            return "—"
        local = moment.astimezone(zone)
        if style == "date":
            return f"{local.day} {local:%b %Y}"
        if style == "seconds":
            return f"{local.day} {local:%b %Y, %H:%M:%S %Z}"
        return f"{local.day} {local:%b %Y, %H:%M %Z}"

    def local_input(moment: datetime | None) -> str:
        """The value of a ``datetime-local`` input, in the co-operative's zone."""
        return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if moment else ""

    def markdown(source: str) -> Markup:
        return Markup(render_markdown(source))  # noqa: S704 - sanitised by nh3 in render_markdown

    def install(engine: JinjaTemplateEngine) -> None:
        engine.engine.filters.update(when=when, local_input=local_input, markdown=markdown)

    return install
