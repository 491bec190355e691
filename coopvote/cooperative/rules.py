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


def meeting_rule_problems(
    *,
    notice_clear_days: int,
    proxy_deadline_hours: int,
    proxy_cap: int,
    meeting_quorum: int,
    members_resolution_weeks: int,
) -> dict[str, str]:
    """Every general-meeting setting out of range, by field: at least the Companies Act 2006's
    14 clear days of notice (s. 307), a proxy deadline of 0 to 48 hours (s. 327), a cap of at
    least one member per proxy, a quorum of at least 2 (s. 318), and 0 weeks or more."""
    problems = {}
    if not 14 <= notice_clear_days <= 366:
        problems["notice_clear_days"] = "From 14 to 366 clear days (Companies Act 2006 s. 307)."
    if not 0 <= proxy_deadline_hours <= 48:
        problems["proxy_deadline_hours"] = "From 0 to 48 hours (Companies Act 2006 s. 327)."
    if proxy_cap < 1:
        problems["proxy_cap"] = "At least one member."
    if meeting_quorum < 2:
        problems["meeting_quorum"] = "At least two members (Companies Act 2006 s. 318)."
    if not 0 <= members_resolution_weeks <= 52:
        problems["members_resolution_weeks"] = "From 0 to 52 weeks."
    return problems
