"""Reading and changing the co-operative's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from coopvote import audit
from coopvote.cooperative.models import CooperativeSettings
from coopvote.errors import InvalidInput


@dataclass(frozen=True)
class SettingsChange:
    results_public: bool
    support_threshold_count: int | None
    support_threshold_percent: int
    support_threshold_minimum: int


def current(session: Session) -> CooperativeSettings:
    """The settings in force (the defaults until an admin changes them)."""
    return session.get(CooperativeSettings, 1) or CooperativeSettings()


def change(
    session: Session, change: SettingsChange, *, actor_id: int | None, now: datetime
) -> CooperativeSettings:
    problems = {}
    if change.support_threshold_count is not None and change.support_threshold_count < 1:
        problems["support_threshold_count"] = "At least one supporter, or leave it empty."
    if not 1 <= change.support_threshold_percent <= 100:
        problems["support_threshold_percent"] = "A percentage from 1 to 100."
    if change.support_threshold_minimum < 1:
        problems["support_threshold_minimum"] = "At least one supporter."
    if problems:
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    settings = session.get(CooperativeSettings, 1, with_for_update=True) or CooperativeSettings()
    before = settings.model_dump()
    for name, value in vars(change).items():
        setattr(settings, name, value)
    session.add(settings)
    session.flush()
    after = settings.model_dump()
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changed:
        audit.record(
            session,
            actor=audit.member_actor(actor_id),
            action="settings.changed",
            subject="cooperative",
            now=now,
            data=changed,
        )
    return settings
