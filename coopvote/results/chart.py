"""A result's chart as SVG, drawn on the server: no script, no inline style (colours come
from classes in site.css), and a title and description that say in words what it shows."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

WIDTH = 640
LABEL_WIDTH = 200
VALUE_WIDTH = 90
ROW = 30
BAR = 20
LABEL_CHARACTERS = 28


def short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(
    bars: Sequence[tuple[str, str]],
    *,
    title: str,
    highlighted: Collection[str] = (),
    chart_id: str = "chart",
) -> str:
    """Horizontal bars, one per (label, figure as a decimal string), longest scaled to fit.
    Highlighted labels (the elected, or "for" a carried motion) get the class ``win``."""
    figures = [Decimal(figure) for _, figure in bars]
    largest = max(figures, default=Decimal(0)) or Decimal(1)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW * len(bars) + 10
    described = "; ".join(f"{label}: {figure}" for label, figure in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(described)}</desc>',
    ]
    for row, ((label, figure), value) in enumerate(zip(bars, figures, strict=True)):
        y = 5 + row * ROW
        length = int(span * value / largest)
        kind = "bar win" if label in highlighted else "bar"
        parts += [
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + BAR - 5}"'
            f' text-anchor="end">{escape(short(label))}</text>',
            f'<rect class="{kind}" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR}"/>',
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 6}" y="{y + BAR - 5}">'
            f"{escape(figure)}</text>",
        ]
    parts.append("</svg>")
    return "\n".join(parts)


def result_chart(result: Mapping[str, Any]) -> str:
    """The figures that decided the result: for, against and abstain; the final round of an
    IRV or STV count; otherwise the first-round votes (Schulze: first preferences). Bars
    follow the ballot's order of options (canonical JSON keeps objects' keys sorted)."""
    method = result["method"]
    if method == "resolution":
        tallies = result["tallies"]
        bars = [("For", tallies["for"]), ("Against", tallies["against"])]
        bars.append(("Abstain", tallies["abstain"]))
        won = {"For"} if result["outcome"] == "carried" else set()
        return bar_chart(bars, title="Votes for and against, and abstentions", highlighted=won)
    if method in {"irv", "stv", "meek"} and result["rounds"]:
        last = result["rounds"][-1]
        title = f"Votes in the final round (round {last['round']})"
        bars = [
            (name, last["votes"][name]) for name in result["candidates"] if name in last["votes"]
        ]
        return bar_chart(bars, title=title, highlighted=result["elected"])
    title = "First preferences" if method == "schulze" else "Votes"
    if method == "approval":
        title = "Marks of approval"
    bars = [(name, result["tallies"][name]) for name in result["candidates"]]
    return bar_chart(bars, title=title, highlighted=result["elected"])
