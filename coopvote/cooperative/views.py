"""Reading the co-operative's settings, and what a new one still needs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from coopvote.cooperative.models import CooperativeSettings
from coopvote.members import views as member_views
from coopvote.members.models import Role


def current(session: Session) -> CooperativeSettings:
    """The settings in force (the defaults until an admin changes them)."""
    return session.get(CooperativeSettings, 1) or CooperativeSettings()


@dataclass(frozen=True)
class SetupStep:
    """One thing a new co-operative needs before its members can join and vote."""

    done: bool
    what: str
    #: Where an admin does it: a page, or the setting to change where the service starts.
    how: str
    link: str | None = None


def setup_steps(session: Session, *, name: str, timezone: str) -> list[SetupStep]:
    """What a fresh installation still lacks, in the order an admin would set it up: its name
    and time zone (settings read when the service starts), organisations and constituencies
    (without one of each nobody can apply), and governors to admit members and run ballots."""
    organisations = len(member_views.organisations(session))
    constituencies = len(member_views.constituencies(session))
    governors = member_views.count_holders(session, Role.GOVERNOR)
    return [
        SetupStep(
            True,
            f"The co-operative's name: {name}",
            "Shown on every page; change COOPVOTE_COOPERATIVE_NAME where the service starts.",
        ),
        SetupStep(
            True,
            f"Its time zone: {timezone}",
            "Every time is shown in it; change COOPVOTE_TIMEZONE where the service starts.",
        ),
        SetupStep(
            organisations > 0 and constituencies > 0,
            f"Organisations ({organisations}) and constituencies ({constituencies})",
            "Nobody can apply to join until there is at least one of each.",
            "/admin/groups",
        ),
        SetupStep(
            governors > 0,
            f"Governors ({governors})",
            "Governors admit members and run ballots: give the office to an admitted member.",
            "/admin/roles",
        ),
    ]
