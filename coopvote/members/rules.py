"""The membership lifecycle, offices and registration rules, pure.

Guards decide who may call a route (governors act on the register, admins on offices); these
rules decide whether the thing may happen, so the API, the pages and the CLI share them."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from enum import StrEnum

from coopvote.errors import YES, Conflict, InvalidInput, NotAllowed, Verdict
from coopvote.members.models import IN_OFFICE, OFFICES, AgeBand, MemberStatus, Role

S = MemberStatus


class Transition(StrEnum):
    """A change of membership status, named as the audit log names it (``member.<value>``)."""

    ADMITTED = "admitted"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    CEASED = "ceased"
    WITHDREW = "withdrew"
    #: The membership's term ended without renewal, or the member left the school (issue 18).
    LAPSED = "lapsed"


#: Where each transition may start, and where it leads.
TRANSITIONS: dict[Transition, tuple[frozenset[MemberStatus], MemberStatus]] = {
    Transition.ADMITTED: (frozenset({S.PENDING}), S.ACTIVE),
    Transition.REJECTED: (frozenset({S.PENDING}), S.REJECTED),
    Transition.SUSPENDED: (frozenset({S.ACTIVE}), S.SUSPENDED),
    Transition.REINSTATED: (frozenset({S.SUSPENDED}), S.ACTIVE),
    Transition.CEASED: (frozenset({S.ACTIVE, S.SUSPENDED}), S.CEASED),
    Transition.WITHDREW: (frozenset({S.PENDING, S.ACTIVE, S.SUSPENDED}), S.CEASED),
    Transition.LAPSED: (frozenset({S.ACTIVE, S.SUSPENDED}), S.CEASED),
}

#: What a governor does to a member's record, by the name the API and the pages use for it.
#: Withdrawing is not among them: only members end their own membership that way.
GOVERNOR_ACTIONS: dict[str, Transition] = {
    "approve": Transition.ADMITTED,
    "reject": Transition.REJECTED,
    "suspend": Transition.SUSPENDED,
    "reinstate": Transition.REINSTATED,
    "cease": Transition.CEASED,
}

#: Transitions a governor must explain: the member is told why.
NEEDS_REASON = frozenset({Transition.REJECTED, Transition.SUSPENDED, Transition.CEASED})
MAX_REASON = 1000

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def leads_to(transition: Transition) -> MemberStatus:
    return TRANSITIONS[transition][1]


def can_transition(status: MemberStatus, transition: Transition) -> Verdict:
    """Whether a member in ``status`` may go through ``transition`` (``Conflict`` if not)."""
    if status in TRANSITIONS[transition][0]:
        return YES
    return Verdict(Conflict(f"A member who is {status.value} cannot be {transition.value}."))


def ensure_transition(status: MemberStatus, transition: Transition) -> MemberStatus:
    """The status the transition leads to; raises ``Conflict`` when it does not fit."""
    can_transition(status, transition).ensure()
    return leads_to(transition)


def can_change_status(
    status: MemberStatus, transition: Transition, *, by_the_member: bool
) -> Verdict:
    """Whether ``transition`` may be offered on a member's record: members acting for
    themselves may only withdraw, and only they withdraw (``NotAllowed``); whatever is taken
    must fit the member's status (``Conflict``). Who acts as a governor is the guards' call."""
    if (transition is Transition.WITHDREW) != by_the_member:
        return Verdict(NotAllowed("Members may only withdraw, and only from their own record."))
    return can_transition(status, transition)


#: Transitions that take an office holder's powers away.
ENDS_STANDING = frozenset(
    {Transition.SUSPENDED, Transition.CEASED, Transition.WITHDREW, Transition.LAPSED}
)


def can_act_on(actor_id: int | None, member_id: int | None) -> Verdict:
    """Nobody governs their own record (admits, suspends, rejects, ceases themselves, or gives
    or takes their own offices): ``NotAllowed``. ``actor_id`` ``None`` is the command line,
    run by whoever runs the server. Separation of duties: ASVS 5.0 V2.3 (business logic)."""
    if actor_id is not None and actor_id == member_id:
        return Verdict(NotAllowed("Nobody may act on their own record: ask another officer."))
    return YES


def can_end_standing(
    transition: Transition, offices: frozenset[Role], *, by_admin: bool, admins: int
) -> Verdict:
    """Whether ``transition`` may be made on a member holding ``offices``, by an admin or
    not, while ``admins`` accounts are admins in office. Suspending or ending the membership
    of an office holder takes their powers, so it needs an admin (``NotAllowed``: a governor
    cannot remove the people who oversee governors), and never takes the last admin's
    (``Conflict``: someone must be able to manage offices) — not even by withdrawing, which
    the member does for themselves."""
    if transition not in ENDS_STANDING or not offices:
        return YES
    if transition is not Transition.WITHDREW and not by_admin:
        return Verdict(NotAllowed("Only an admin may suspend or cease an office holder."))
    if Role.ADMIN in offices and admins <= 1:
        return Verdict(Conflict("The co-operative must keep at least one admin."))
    return YES


def can_change_sign_in(offices: frozenset[Role], *, by_admin: bool) -> Verdict:
    """Whether an officer may change the email address of a member holding ``offices``: the
    address is the name they sign in with, so changing an office holder's needs an admin
    (``NotAllowed``), as suspending them does (``can_end_standing``): a governor cannot lock
    out the people who oversee governors."""
    if offices and not by_admin:
        return Verdict(NotAllowed("Only an admin may change an office holder's email address."))
    return YES


def ensure_reason(transition: Transition, reason: str) -> str:
    """The reason as recorded (trimmed). Raises ``InvalidInput`` when a transition that needs
    one has none, or when it is longer than ``MAX_REASON`` characters."""
    reason = reason.strip()
    if transition in NEEDS_REASON and not reason:
        raise InvalidInput(
            "Give a reason: the member will see it.", field_errors={"reason": "Give a reason."}
        )
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            "Keep the reason under 1,000 characters.", field_errors={"reason": "Too long."}
        )
    return reason


def can_grant_office(name: str, role: Role, held: frozenset[Role], status: MemberStatus) -> Verdict:
    """Whether a person (``name``, in ``status``, holding ``held``) may be given ``role``: only
    offices are granted, membership comes by admission (``InvalidInput``); only to an account
    in office's standing (``IN_OFFICE``: an admitted member, or an office holder's account),
    never to an applicant or a suspended member (``Conflict``); nobody holds one twice
    (``Conflict``)."""
    if role not in OFFICES:
        return Verdict(InvalidInput("Membership is granted by admission, not as a role."))
    if status not in IN_OFFICE:
        return Verdict(Conflict(f"{name} is {status.value}: only an admitted member holds office."))
    if role in held:
        return Verdict(Conflict(f"{name} is already {role.value}."))
    return YES


def can_revoke_office(name: str, role: Role, held: frozenset[Role], *, admins: int) -> Verdict:
    """Whether ``role`` may be taken from a person holding ``held`` while ``admins`` people
    are admins: only an office they hold (``Conflict``), and the co-operative keeps at least
    one admin, so that someone can still manage offices (``Conflict``)."""
    if role not in held:
        return Verdict(Conflict(f"{name} is not {role.value}."))
    if role is Role.ADMIN and admins <= 1:
        return Verdict(Conflict("The co-operative must keep at least one admin."))
    return YES


#: RFC 5321 §4.5.3.1: a mailbox's local part holds at most 64 octets, a path 256 with its
#: angle brackets, so an address at most 254.
LONGEST_EMAIL = 254
LONGEST_LOCAL_PART = 64
#: Unicode's explicit direction controls (embeddings, overrides, isolates): in a name they
#: make it display as something else ("Trojan Source", CVE-2021-42574).
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def email_problem(email: str) -> str | None:
    """Why ``email`` is no address to register (``None``: it is one)."""
    if (
        not EMAIL.match(email)
        or len(email) > LONGEST_EMAIL
        or len(email.rpartition("@")[0]) > LONGEST_LOCAL_PART
    ):
        return "Enter an email address like name@example.org."
    return None


#: Control characters (a line break, a bell, a terminal's escape): no name holds one.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")


def name_problem(name: str) -> str | None:
    """Why ``name`` is no name to show (``None``: it is one): blank, or nothing visible in it
    (only spaces and invisible format characters such as zero-width spaces), direction
    controls, control characters such as line breaks (a name goes into mail headers, which
    cannot hold them), or over 200 characters."""
    if not any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in name):
        return "Enter your name."
    if DIRECTION_CONTROLS & set(name):
        return "Names cannot contain text-direction control characters."
    if len(name) > 200:
        return "Use at most 200 characters."
    if CONTROL_CHARACTERS.search(name.strip()):  # the ends are stripped before it is kept
        return "Names cannot contain control characters."
    return None


#: Statuses of people who are no longer (or never were) members: their data may be erased.
FORMER = frozenset({S.CEASED, S.REJECTED})
#: How long a former member's register entry is kept after they left: Companies Act 2006
#: s. 121 lets an entry relating to a former member be removed ten years after they ceased.
REGISTER_KEPT_YEARS = 10
#: Ten years in days, leap days included: an entry goes on the tenth anniversary or a day
#: after it, never before.
REGISTER_KEPT = timedelta(days=365 * REGISTER_KEPT_YEARS + 3)


def can_erase(status: MemberStatus, *, erased: bool) -> Verdict:
    """Whether a person's personal data, beyond their register entry, may be erased: only
    once they are no longer a member (ceased) or were never admitted (rejected), since a
    member's contact details are needed to give notice of meetings and ballots (``Conflict``:
    end the membership first), and only once (``Conflict``). UK GDPR Art. 17; the register
    entry itself is kept as the Companies Act requires (``retention_stage``)."""
    if status not in FORMER:
        return Verdict(
            Conflict("Only a former member's data can be erased: end the membership first.")
        )
    if erased:
        return Verdict(Conflict("This person's personal data has been erased already."))
    return YES


class Stage(StrEnum):
    """What retention does next to a former member's record."""

    #: Erase everything but the register entry (contact details, password, free text).
    ERASE = "erase"
    #: Remove the register entry too, leaving a tombstone.
    REMOVE = "remove"


def retention_stage(
    status: MemberStatus,
    *,
    left_at: datetime,
    now: datetime,
    erase_after: timedelta,
    erased: bool,
    removed: bool,
) -> Stage | None:
    """What retention owes a person whose membership ended (or application was turned down)
    at ``left_at``: their personal data beyond the register entry is erased ``erase_after``
    that (the co-operative's setting: storage limitation, UK GDPR Art. 5(1)(e)); a former
    member's register entry is removed ``REGISTER_KEPT_YEARS`` after they left (Companies
    Act 2006 s. 121); a rejected applicant was never on the register, so theirs goes with the
    rest. ``None`` when nothing is due yet, or for anyone still a member."""
    if status not in FORMER or removed:
        return None
    if not erased:
        return Stage.ERASE if now >= left_at + erase_after else None
    if status is S.REJECTED:
        return Stage.REMOVE
    return Stage.REMOVE if now >= left_at + REGISTER_KEPT else None


def term_ends_at(term_started_at: datetime | None, lapse_after_days: int | None) -> datetime | None:
    """When a membership lapses unless renewed: ``lapse_after_days`` (the constituency's
    setting) after its term began; ``None`` where membership does not lapse."""
    if lapse_after_days is None or term_started_at is None:
        return None
    return term_started_at + timedelta(days=lapse_after_days)


def can_renew(status: MemberStatus, term_ends: datetime | None) -> Verdict:
    """Only an admitted member whose membership lapses may renew it (``Conflict``): a lapsed
    one applies again, as the rules require of a new member."""
    if status not in {S.ACTIVE, S.SUSPENDED}:
        return Verdict(Conflict("Only a member can renew their membership."))
    if term_ends is None:
        return Verdict(Conflict("Your membership does not need renewing."))
    return YES


#: The constituency whose members are asked their age band.
STUDENTS = "students"
#: Below this age a child's consent to an online service needs a parent's or carer's (UK
#: GDPR Art. 8(1) as the Data Protection Act 2018 s. 9 sets it).
CONSENT_AGE = 13
#: What a student answers when younger than the co-operative's minimum age: never stored.
BELOW_MINIMUM = "below_minimum"


def age_problems(
    constituency: str, band: str, guardian: str, *, minimum_age: int
) -> dict[str, str]:
    """A student's age band and parent's or carer's consent, as registration asks them:
    a band is needed (students only), not below ``minimum_age`` (the co-operative's rules),
    and under 13 only where the minimum allows it; ``guardian`` names who gives consent, and
    may follow later (admission waits for it: ``can_admit``)."""
    if constituency != STUDENTS:
        return {}
    if band == BELOW_MINIMUM:
        return {"age_band": f"Students can join from the age of {minimum_age}."}
    if band not in set(AgeBand) or (band == AgeBand.UNDER_13 and minimum_age >= CONSENT_AGE):
        return {"age_band": "Choose your age."}
    if len(guardian) > 200:
        return {"guardian_consent_by": "Use at most 200 characters."}
    return {}


def can_admit(age_band: AgeBand | None, guardian_consent_by: str | None) -> Verdict:
    """A student under 13 is admitted only with a parent's or carer's consent on record
    (``Conflict``)."""
    if age_band is AgeBand.UNDER_13 and not guardian_consent_by:
        return Verdict(
            Conflict("A student under 13 needs a parent's or carer's consent, recorded first.")
        )
    return YES
