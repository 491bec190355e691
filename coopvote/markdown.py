"""Markdown from members and governors, rendered to HTML that is safe to show."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the source is not passed through; nh3 then removes anything unsafe that
# Markdown itself could produce (e.g. ``javascript:`` links).
_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_markdown(source: str) -> str:
    html = _renderer.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
