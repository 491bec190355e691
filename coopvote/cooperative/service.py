"""Changing the co-operative's settings, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from coopvote import audit
from coopvote.cooperative.models import CooperativeSettings
from coopvote.cooperative.rules import (
    meeting_rule_problems,
    register_problems,
    threshold_problems,
)
from coopvote.errors import InvalidInput


@dataclass(frozen=True)
class SettingsChange:
    results_public: bool
    support_threshold_count: int | None
    support_threshold_percent: int
    support_threshold_minimum: int


def change(
    session: Session, change: SettingsChange, *, actor_id: int | None, now: datetime
) -> CooperativeSettings:
    """Put ``change`` in force, recording what changed (nothing is recorded when nothing
    did). Raises ``InvalidInput`` marking every field out of range."""
    if problems := threshold_problems(
        count=change.support_threshold_count,
        percent=change.support_threshold_percent,
        minimum=change.support_threshold_minimum,
    ):
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    return _put_in_force(session, vars(change), actor_id=actor_id, now=now)


@dataclass(frozen=True)
class RegisterSettings:
    """The register's settings (issue 18): days after leaving before a former member's
    personal data is erased, and the youngest a student may join."""

    erase_after_days: int
    minimum_age: int


def change_register(
    session: Session, change: RegisterSettings, *, actor_id: int | None, now: datetime
) -> CooperativeSettings:
    """As ``change``, for the register's settings. Raises ``InvalidInput`` marking each out of
    range (``rules.register_problems``)."""
    if problems := register_problems(
        erase_after_days=change.erase_after_days, minimum_age=change.minimum_age
    ):
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    return _put_in_force(session, vars(change), actor_id=actor_id, now=now)


@dataclass(frozen=True)
class MeetingRules:
    """General meetings' settings (issue 16; ``CooperativeSettings`` says what each means)."""

    notice_clear_days: int
    proxy_deadline_hours: int
    proxy_cap: int
    meeting_quorum: int
    members_resolution_weeks: int


def change_meeting_rules(
    session: Session, rules: MeetingRules, *, actor_id: int | None, now: datetime
) -> CooperativeSettings:
    """As ``change``, for general meetings' settings. Raises ``InvalidInput`` marking every
    field out of range (``rules.meeting_rule_problems``)."""
    if problems := meeting_rule_problems(**vars(rules)):
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    return _put_in_force(session, vars(rules), actor_id=actor_id, now=now)


def _put_in_force(
    session: Session, values: dict[str, object], *, actor_id: int | None, now: datetime
) -> CooperativeSettings:
    settings = session.get(CooperativeSettings, 1, with_for_update=True) or CooperativeSettings()
    before = settings.model_dump()
    for name, value in values.items():
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
