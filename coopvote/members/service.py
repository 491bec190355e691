"""Membership commands: applying, the lifecycle, offices, organisations and constituencies.
Each loads, checks ``members.rules``, changes, records its audit event and flushes; reads
live in ``members.views``, the command line's account commands in ``members.accounts``.

``members`` uses ``security`` (an applicant's password is hashed; a member whose membership
ends is signed out everywhere), never the other way round: see ``members.accounts``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import update
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.cooperative.models import CooperativeSettings
from coopvote.db.types import new_public_id
from coopvote.errors import Conflict, InvalidInput
from coopvote.mail import service as mail
from coopvote.mail.models import Notice
from coopvote.members.models import (
    IN_OFFICE,
    NO_PASSWORD,
    OFFICES,
    AgeBand,
    Constituency,
    Counter,
    Member,
    MemberRole,
    MemberStatus,
    Organisation,
    Role,
    StatusChange,
    normalise_email,
)
from coopvote.members.privacy import current_version
from coopvote.members.rules import (
    STUDENTS,
    Transition,
    age_problems,
    can_act_on,
    can_admit,
    can_change_sign_in,
    can_end_standing,
    can_grant_office,
    can_revoke_office,
    email_problem,
    ensure_reason,
    ensure_transition,
    name_problem,
)
from coopvote.members.views import (
    constituency_by_slug,
    count_holders,
    held_roles,
    organisation_by_slug,
)
from coopvote.security import sessions, tokens
from coopvote.security.passwords import hash_password, password_problem
from coopvote.security.service import find_by_email

MEMBER_NUMBER = "member_number"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Application:
    name: str
    email: str
    password: str
    constituency: str
    organisation: str
    agrees_to_rules: bool
    #: For an organisation applying to be a member (``name`` is then the organisation's):
    #: the person who will act and vote for it.
    representative: str | None = None
    #: A student's age band (``rules.age_problems``), and who gives a parent's or carer's
    #: consent when under 13 (it may be recorded later, before admission).
    age_band: str = ""
    guardian_consent_by: str = ""


def add_organisation(
    session: Session, *, slug: str, name: str, now: datetime, actor_id: int | None = None
) -> Organisation:
    """Raises ``InvalidInput`` for a malformed slug or name, ``Conflict`` for a taken slug
    (each naming its field). ``actor_id`` ``None`` is the command line."""
    return _add_group(
        session, Organisation, "organisation", slug=slug, name=name, now=now, actor_id=actor_id
    )


def add_constituency(
    session: Session, *, slug: str, name: str, now: datetime, actor_id: int | None = None
) -> Constituency:
    """Raises ``InvalidInput`` for a malformed slug or name, ``Conflict`` for a taken slug
    (each naming its field). ``actor_id`` ``None`` is the command line."""
    return _add_group(
        session, Constituency, "constituency", slug=slug, name=name, now=now, actor_id=actor_id
    )


Group = TypeVar("Group", Organisation, Constituency)


def _add_group(
    session: Session,
    model: type[Group],
    kind: str,
    *,
    slug: str,
    name: str,
    now: datetime,
    actor_id: int | None,
) -> Group:
    if not SLUG.match(slug) or len(slug) > 60:
        malformed = "A slug is lower-case letters, digits and single hyphens, e.g. 'the-grange'."
        raise InvalidInput(malformed, field_errors={"slug": malformed})
    if problem := name_problem(name):
        raise InvalidInput(problem, field_errors={"name": problem})
    if session.exec(select(model).where(model.slug == slug)).first() is not None:
        raise Conflict(f"{slug!r} exists already.", field_errors={"slug": "That slug is taken."})
    group = model(slug=slug, name=name.strip())
    session.add(group)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action=f"{kind}.added",
        subject=f"{kind}:{slug}",
        now=now,
        data={"name": group.name},
    )
    return group


def application_problems(session: Session, application: Application) -> dict[str, str]:
    """Every problem with an application, by field, so a form can mark them all at once."""
    # The co-operative's settings, read as ``cooperative.views.current`` does (it sits above).
    settings = session.get(CooperativeSettings, 1) or CooperativeSettings()
    return age_problems(
        application.constituency,
        application.age_band,
        application.guardian_consent_by.strip(),
        minimum_age=settings.minimum_age,
    ) | marked(
        {
            "name": name_problem(application.name),
            "email": email_problem(normalise_email(application.email)),
            "password": password_problem(
                application.password, email=application.email, name=application.name
            ),
            "constituency": None
            if constituency_by_slug(session, application.constituency)
            else "Choose the group you belong to.",
            "organisation": None
            if organisation_by_slug(session, application.organisation)
            else "Choose your school or organisation.",
            "agrees_to_rules": None
            if application.agrees_to_rules
            else "You must agree to the co-operative's rules to join.",
            "representative": None
            if application.representative is None
            else name_problem(application.representative),
        }
    )


def marked(fields: dict[str, str | None]) -> dict[str, str]:
    """The fields that have a problem, with it."""
    return {field: problem for field, problem in fields.items() if problem}


def hash_application(application: Application) -> str | None:
    """The application's password hashed, when the policy accepts it (``None`` otherwise).
    Pure, and slow on purpose: the web layer runs it outside any transaction."""
    problem = password_problem(application.password, email=application.email, name=application.name)
    return None if problem else hash_password(application.password)


def apply_for_membership(
    session: Session,
    application: Application,
    now: datetime,
    *,
    password_hash: str | None = None,
) -> str:
    """Record an application; returns the new member's public id. ``password_hash`` is
    ``hash_application``'s, hashed here when not given. Raises ``InvalidInput`` marking every
    field's problem.

    The applicant is mailed a link to confirm their address, and cannot sign in until they
    follow it. When the email is already registered nothing is stored, but the answer looks
    the same and takes as long: an unused random id, after the same hashing, an audit event
    written (``member.applied_again``, on the existing member's record) and a message queued
    (to the address's owner, saying someone tried), so that both paths write and commit alike.
    Signing in with the password just given fails alike too (the owner's password stands; a
    new address is unconfirmed): nobody can find out who is a member by registering their
    address."""
    problems = application_problems(session, application)
    if problems:
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    email = normalise_email(application.email)
    password_hash = password_hash or hash_password(application.password)
    public_id = new_public_id()
    existing = find_by_email(session, email)
    if existing is not None:
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="member.applied_again",
            subject=audit.member_subject(existing),
            now=now,
        )
        mail.queue(session, notice=Notice.ALREADY_REGISTERED, member=existing, context={}, now=now)
        return public_id
    constituency = constituency_by_slug(session, application.constituency)
    organisation = organisation_by_slug(session, application.organisation)
    assert constituency is not None
    assert organisation is not None
    member = add_applicant(
        session,
        public_id=public_id,
        name=application.name,
        email=email,
        password_hash=password_hash,
        constituency=constituency,
        organisation=organisation,
        now=now,
        representative=application.representative,
        email_confirmed=False,
    )
    # Applying after being shown the notice in force is accepting it.
    member.privacy_version = current_version(session)
    session.add(member)
    if application.constituency == STUDENTS:
        member.age_band = AgeBand(application.age_band)
        if member.age_band is AgeBand.UNDER_13 and application.guardian_consent_by.strip():
            member.guardian_consent_by = application.guardian_consent_by.strip()
            member.guardian_consent_at = now
        session.add(member)
        session.flush()
    send_confirmation(session, member, now)
    return public_id


def send_confirmation(session: Session, member: Member, now: datetime) -> None:
    """Mail ``member`` a link that confirms their address."""
    token = tokens.issue(session, member=member, purpose=tokens.Purpose.CONFIRM_EMAIL, now=now)
    mail.queue(
        session, notice=Notice.CONFIRM_EMAIL, member=member, context={"token": token}, now=now
    )


def add_applicant(
    session: Session,
    *,
    public_id: str,
    name: str,
    email: str,
    password_hash: str,
    constituency: Constituency,
    organisation: Organisation,
    now: datetime,
    actor_id: int | None = None,
    representative: str | None = None,
    email_confirmed: bool = True,
) -> Member:
    """Store a pending member with the first entry of their history; ``representative``
    makes the member an organisation that acts through that person; ``email_confirmed``
    false for an applicant who gave the address themselves (it must be confirmed)."""
    member = Member(
        public_id=public_id,
        name=name.strip(),
        representative=representative.strip() if representative else None,
        email=email,
        password_hash=password_hash,
        status=MemberStatus.PENDING,
        constituency_id=constituency.id,
        organisation_id=organisation.id,
        applied_at=now,
        agreed_to_rules_at=now,
        email_confirmed=email_confirmed,
    )
    session.add(member)
    session.flush()
    _record_status(
        session, member, None, MemberStatus.PENDING, actor_id=actor_id, reason="", now=now
    )
    audit.record(
        session,
        actor=audit.member_actor(actor_id or member.id),
        action="member.applied",
        subject=audit.member_subject(member),
        now=now,
        data={
            "constituency": constituency.slug,
            "organisation": organisation.slug,
            **({"kind": "organisation"} if representative else {}),
        },
    )
    return member


def change_status(
    session: Session,
    *,
    member: Member,
    transition: Transition,
    actor_id: int | None,
    now: datetime,
    reason: str = "",
    effective_at: datetime | None = None,
    notify: bool = True,
) -> Member:
    """Move a member along the lifecycle, with their history and an audit event. Every change
    of standing changes what the member may do, so it signs them out everywhere: their next
    session gets a new id (ASVS 5.0 7.2.4). ``actor_id`` ``None`` is the command line.
    ``effective_at`` is when the change took effect in the history (and so for the rolls
    read from it), if earlier than ``now``: a membership lapses when its term ended, however
    late the lapse is recorded. An applicant admitted or rejected is mailed the decision (and
    its reason), unless ``notify`` is false (an import, whose members are invited instead).

    Raises ``InvalidInput`` for a missing or overlong reason; ``NotAllowed`` when the actor
    governs their own record, or is no admin and suspends or ceases an office holder;
    ``Conflict`` when the transition does not fit the member's status or would leave the
    co-operative without an admin."""
    reason = ensure_reason(transition, reason)
    if transition is not Transition.WITHDREW:
        can_act_on(actor_id, member.id).ensure()
    # Lock the row so that two governors acting at once cannot both move the same member.
    session.refresh(member, with_for_update=True)
    can_end_standing(
        transition,
        held_roles(session, member) if member.status in IN_OFFICE else frozenset(),
        by_admin=_is_admin(session, actor_id),
        admins=count_holders(session, Role.ADMIN),
    ).ensure()
    if transition is Transition.ADMITTED:
        can_admit(member.age_band, member.guardian_consent_by).ensure()
    before = member.status
    member.status = ensure_transition(before, transition)
    data: dict[str, object] = {"from": before.value, "to": member.status.value}
    if transition is Transition.ADMITTED:
        member.member_number = _next_value(session, MEMBER_NUMBER)
        member.term_started_at = now
        data["member_number"] = member.member_number
    assert member.id is not None
    sessions.end_all_sessions(session, member.id)
    session.add(member)
    if effective_at is not None:
        data["effective_at"] = effective_at.isoformat()
    _record_status(
        session,
        member,
        before,
        member.status,
        actor_id=actor_id,
        reason=reason,
        now=effective_at or now,
    )
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action=f"member.{transition.value}",
        subject=audit.member_subject(member),
        now=now,
        data=data,
        # Free text about the member: kept apart from the hashed log, erased with them.
        private={"reason": reason} if reason else None,
    )
    if notify and transition in ADMISSION_NOTICES:
        mail.queue(
            session,
            notice=ADMISSION_NOTICES[transition],
            member=member,
            context={"reason": reason, "member_number": member.member_number},
            now=now,
        )
    return member


#: Decisions on an application that its applicant is always told of.
ADMISSION_NOTICES = {Transition.ADMITTED: Notice.ADMITTED, Transition.REJECTED: Notice.REJECTED}


def _is_admin(session: Session, actor_id: int | None) -> bool:
    """Whether the actor has an admin's powers now; the command line (``None``) has them."""
    if actor_id is None:
        return True
    actor = session.get(Member, actor_id)
    return actor is not None and Role.ADMIN in sessions.roles_of(session, actor)


def _record_status(
    session: Session,
    member: Member,
    before: MemberStatus | None,
    after: MemberStatus,
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> None:
    assert member.id is not None
    session.add(
        StatusChange(
            member_id=member.id,
            from_status=before,
            to_status=after,
            reason=reason,
            actor_id=actor_id,
            at=now,
        )
    )
    session.flush()


def _next_value(session: Session, counter: str) -> int:
    """Take the next value of a counter. The row update is atomic on every engine."""
    statement = (
        update(Counter)
        .where(col(Counter.name) == counter)
        .values(value=col(Counter.value) + 1)
        .returning(col(Counter.value))
    )
    return int(session.execute(statement).scalar_one())


def grant_role(
    session: Session, *, member: Member, role: Role, actor_id: int | None, now: datetime
) -> None:
    """Give a member an office; their sessions end, so that the new powers come with a new
    session id (ASVS 5.0 7.2.4). Raises ``NotAllowed`` for one's own record, ``InvalidInput``
    for membership itself, ``Conflict`` for an account not in office's standing or one that
    holds the office already."""
    can_act_on(actor_id, member.id).ensure()
    can_grant_office(member.name, role, held_roles(session, member), member.status).ensure()
    assert member.id is not None
    session.add(MemberRole(member_id=member.id, role=role))
    sessions.end_all_sessions(session, member.id)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="role.granted",
        subject=audit.member_subject(member),
        now=now,
        data={"role": role.value},
    )


def grant_office(
    session: Session, *, email: str, office: str, actor_id: int | None, now: datetime
) -> Member:
    """Give the account with ``email`` the office named ``office`` (an admin's form). Raises
    ``InvalidInput`` marking an unknown account and a name that is no office together, then
    as ``grant_role``."""
    member = find_by_email(session, email)
    if problems := marked(
        {
            "email": None if member else "Nobody with that email address has an account.",
            "role": None if office in {o.value for o in OFFICES} else "Choose an office.",
        }
    ):
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    assert member is not None
    grant_role(session, member=member, role=Role(office), actor_id=actor_id, now=now)
    return member


def revoke_role(
    session: Session, *, member: Member, role: Role, actor_id: int | None, now: datetime
) -> None:
    """Take an office from a member; their sessions end, as when one is granted. Raises
    ``NotAllowed`` for one's own record, ``Conflict`` when they do not hold it, or when it
    would leave the co-operative without an admin."""
    can_act_on(actor_id, member.id).ensure()
    admins = count_holders(session, Role.ADMIN)
    can_revoke_office(member.name, role, held_roles(session, member), admins=admins).ensure()
    held = session.get(MemberRole, (member.id, role))
    session.delete(held)
    assert member.id is not None
    sessions.end_all_sessions(session, member.id)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="role.revoked",
        subject=audit.member_subject(member),
        now=now,
        data={"role": role.value},
    )


@dataclass(frozen=True)
class Details:
    """A member's details as corrected: by the member (their name: a change of email waits
    for member mail, which confirms the new address by a link), or by a governor (both)."""

    name: str
    email: str | None = None


def correct_details(
    session: Session, *, member: Member, details: Details, actor_id: int | None, now: datetime
) -> list[str]:
    """Correct a member's details (UK GDPR Art. 16, rectification); returns the names of the
    fields changed, which the audit event ``member.details_corrected`` records without their
    old or new values (the register keeps those; the log must not hold personal data).
    ``actor_id`` is the member themselves (their name only: ``details.email`` ``None``) or a
    governor (any member's but their own, as for every officer's act on a record). Raises
    ``NotAllowed`` for an officer's correction of their own record, or of an office holder's
    email by someone who is no admin (``rules.can_change_sign_in``), ``InvalidInput`` marking
    each bad field or an email address another account holds, ``Conflict`` for an erased
    record."""
    if details.email is not None:
        # An officer's correction: changing one's own email this way would skip the
        # confirmation a member's own change of address waits for.
        can_act_on(actor_id, member.id).ensure()
    if member.erased_at is not None:
        raise Conflict("This record has been erased: there is nothing left to correct.")
    email = normalise_email(details.email) if details.email is not None else member.email
    if problems := marked({"name": name_problem(details.name), "email": email_problem(email)}):
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    if email != member.email and find_by_email(session, email) is not None:
        raise InvalidInput(
            "Another account has that email address.",
            field_errors={"email": "Another account has that email address."},
        )
    if email != member.email:
        can_change_sign_in(
            held_roles(session, member), by_admin=_is_admin(session, actor_id)
        ).ensure()
    changed = {"name": details.name.strip(), "email": email}
    fields = [field for field, value in changed.items() if getattr(member, field) != value]
    if not fields:
        return []
    for field in fields:
        setattr(member, field, changed[field])
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="member.details_corrected",
        subject=audit.member_subject(member),
        now=now,
        data={"fields": fields},
    )
    return fields


def replace_representative(
    session: Session,
    *,
    member: Member,
    name: str,
    email: str,
    actor_id: int | None,
    now: datetime,
) -> Member:
    """A governor names a new representative for an organisation member: the organisation
    keeps its membership, number and vote (one organisation, one vote: whatever it did
    through the old representative, such as voting, stays done). The old representative is
    signed out and their password no longer works; the new one signs in once a password is
    set for them (``coopvote users set-password``; by mail where member mail exists).
    Audited as ``member.representative_replaced``, naming no one. Raises ``Conflict`` for a
    member who is no organisation, ``NotAllowed`` for one's own record, ``InvalidInput``
    marking a bad name or email, or an email another account holds."""
    can_act_on(actor_id, member.id).ensure()
    if member.representative is None:
        raise Conflict("Only an organisation member has a representative.")
    email = normalise_email(email)
    if problems := marked({"name": name_problem(name), "email": email_problem(email)}):
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    holder = find_by_email(session, email)
    if holder is not None and holder.id != member.id:
        raise InvalidInput(
            "Another account has that email address.",
            field_errors={"email": "Another account has that email address."},
        )
    member.representative, member.email = name.strip(), email
    member.password_hash = NO_PASSWORD
    session.add(member)
    assert member.id is not None
    sessions.end_all_sessions(session, member.id)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="member.representative_replaced",
        subject=audit.member_subject(member),
        now=now,
    )
    return member


def record_guardian_consent(
    session: Session, *, member: Member, guardian: str, actor_id: int | None, now: datetime
) -> Member:
    """A governor records the consent, given in writing, of a student's parent or carer
    (``guardian``, who gave it), so that a student under 13 may be admitted. Audited as
    ``member.consent_recorded``, the guardian's name kept apart from the hashed log. Raises
    ``Conflict`` for anyone but a student under 13, ``InvalidInput`` for a bad name."""
    can_act_on(actor_id, member.id).ensure()
    if member.age_band is not AgeBand.UNDER_13:
        raise Conflict("Only a student under 13 needs a parent's or carer's consent.")
    if problem := name_problem(guardian):
        raise InvalidInput(problem, field_errors={"guardian": problem})
    member.guardian_consent_by, member.guardian_consent_at = guardian.strip(), now
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="member.consent_recorded",
        subject=audit.member_subject(member),
        now=now,
        private={"guardian": member.guardian_consent_by},
    )
    return member
