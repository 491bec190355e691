"""The membership lifecycle and registration rules, pure."""

from __future__ import annotations

import re
from enum import StrEnum

from coopvote.errors import Conflict
from coopvote.members.models import MemberStatus

S = MemberStatus


class Transition(StrEnum):
    """A change of membership status, named as the audit log names it (``member.<value>``)."""

    ADMITTED = "admitted"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    CEASED = "ceased"
    WITHDREW = "withdrew"


#: Where each transition may start, and where it leads.
TRANSITIONS: dict[Transition, tuple[frozenset[MemberStatus], MemberStatus]] = {
    Transition.ADMITTED: (frozenset({S.PENDING}), S.ACTIVE),
    Transition.REJECTED: (frozenset({S.PENDING}), S.REJECTED),
    Transition.SUSPENDED: (frozenset({S.ACTIVE}), S.SUSPENDED),
    Transition.REINSTATED: (frozenset({S.SUSPENDED}), S.ACTIVE),
    Transition.CEASED: (frozenset({S.ACTIVE, S.SUSPENDED}), S.CEASED),
    Transition.WITHDREW: (frozenset({S.PENDING, S.ACTIVE, S.SUSPENDED}), S.CEASED),
}

#: Transitions a governor must explain: the member is told why.
NEEDS_REASON = frozenset({Transition.REJECTED, Transition.SUSPENDED, Transition.CEASED})

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def can_transition(status: MemberStatus, transition: Transition) -> bool:
    return status in TRANSITIONS[transition][0]


def ensure_transition(status: MemberStatus, transition: Transition) -> MemberStatus:
    """The status the transition leads to, or ``Conflict`` when it does not fit."""
    if not can_transition(status, transition):
        raise Conflict(f"A member who is {status.value} cannot be {transition.value}.")
    return TRANSITIONS[transition][1]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    if not EMAIL.match(email) or len(email) > 320:
        return "Enter an email address like name@example.org."
    return None


def name_problem(name: str) -> str | None:
    if not name.strip():
        return "Enter your name."
    if len(name) > 200:
        return "Use at most 200 characters."
    return None
