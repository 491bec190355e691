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


#: Erasure comes at most ten years after leaving: by then the register entry goes too.
MAX_ERASE_AFTER_DAYS = 3652
#: No co-operative admits members older than this as "students"; a guard against typing slips.
MAX_MINIMUM_AGE = 25


def register_problems(*, erase_after_days: int, minimum_age: int) -> dict[str, str]:
    """The register's settings out of range, by field (issue 18): erasure from the day after
    leaving up to ten years (``MAX_ERASE_AFTER_DAYS``), and a students' minimum age from 0 to
    ``MAX_MINIMUM_AGE``."""
    problems = {}
    if not 1 <= erase_after_days <= MAX_ERASE_AFTER_DAYS:
        problems["erase_after_days"] = f"From 1 to {MAX_ERASE_AFTER_DAYS} days."
    if not 0 <= minimum_age <= MAX_MINIMUM_AGE:
        problems["minimum_age"] = f"An age from 0 to {MAX_MINIMUM_AGE}."
    return problems
