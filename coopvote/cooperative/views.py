"""Reading the co-operative's settings."""

from __future__ import annotations

from sqlmodel import Session

from coopvote.cooperative.models import CooperativeSettings


def current(session: Session) -> CooperativeSettings:
    """The settings in force (the defaults until an admin changes them)."""
    return session.get(CooperativeSettings, 1) or CooperativeSettings()
