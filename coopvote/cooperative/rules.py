"""What the co-operative's settings may be, pure."""

from __future__ import annotations


def threshold_problems(*, count: int | None, percent: int, minimum: int) -> dict[str, str]:
    """Every support threshold out of range, by its settings field, so a form marks them
    all: a fixed ``count`` of at least one supporter (or none, to use ``percent``), a
    ``percent`` of active members from 1 to 100, and a ``minimum`` of at least one."""
    problems = {}
    if count is not None and count < 1:
        problems["support_threshold_count"] = "At least one supporter, or leave it empty."
    if not 1 <= percent <= 100:
        problems["support_threshold_percent"] = "A percentage from 1 to 100."
    if minimum < 1:
        problems["support_threshold_minimum"] = "At least one supporter."
    return problems
