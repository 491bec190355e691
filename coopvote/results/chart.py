"""A result's chart as SVG, drawn on the server: no script, no inline style (colours come
from classes in site.css), and a title and description that say in words what it shows."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

WIDTH = 640
#: Each row: its label and figure on a line (the text's baseline at LINE), then its bar, so
#: that the label has the whole width and stays readable when a phone scales the chart down.
LINE = 26
BAR = 20
ROW = LINE + BAR + 14
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
    Highlighted labels (the elected, or "for" a carried motion) get the class ``win`` and a
    tick after their figure: marked by shape as well as by colour."""
    figures = [Decimal(figure) for _, figure in bars]
    largest = max(figures, default=Decimal(0)) or Decimal(1)
    span = WIDTH - 2
    height = ROW * len(bars)
    described = "; ".join(f"{label}: {figure}" for label, figure in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(described)}</desc>',
    ]
    for row, ((label, figure), value) in enumerate(zip(bars, figures, strict=True)):
        y = row * ROW
        length = max(int(span * value / largest), 1 if value else 0)
        won = label in highlighted
        parts += [
            f'<text class="chart-label" x="1" y="{y + LINE - 6}">{escape(short(label))}'
            f'<tspan class="chart-value"> {escape(figure)}{" ✓" if won else ""}</tspan></text>',
            f'<rect class="{"bar win" if won else "bar"}" x="1" y="{y + LINE}"'
            f' width="{length}" height="{BAR}"/>',
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
