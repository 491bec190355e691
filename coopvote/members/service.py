"""Membership: applications, admission, the lifecycle, the register and roles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.db.types import new_public_id
from coopvote.errors import Conflict, InvalidInput, NotFound
from coopvote.members.models import (
    Constituency,
    Counter,
    Member,
    MemberRole,
    MemberStatus,
    Organisation,
    Role,
    StatusChange,
)
from coopvote.members.rules import (
    NEEDS_REASON,
    Transition,
    email_problem,
    ensure_transition,
    name_problem,
    normalise_email,
)
from coopvote.paging import Page
from coopvote.security import sessions
from coopvote.security.passwords import hash_password, password_problem

MEMBER_NUMBER = "member_number"


@dataclass(frozen=True)
class Application:
    name: str
    email: str
    password: str
    constituency: str
    organisation: str
    agrees_to_rules: bool


@dataclass(frozen=True)
class MemberSummary:
    """A member as the register, the API and the pages show them."""

    id: int
    public_id: str
    name: str
    email: str
    status: MemberStatus
    member_number: int | None
    constituency: str | None
    constituency_name: str | None
    organisation: str | None
    organisation_name: str | None
    applied_at: datetime
    roles: tuple[Role, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    from_status: MemberStatus | None
    to_status: MemberStatus
    reason: str
    actor_name: str | None


@dataclass(frozen=True)
class RegisterQuery:
    search: str = ""
    status: MemberStatus | None = None
    constituency: str | None = None
    organisation: str | None = None
    page: int = 1
    per_page: int = 25


def organisations(session: Session) -> Sequence[Organisation]:
    return session.exec(select(Organisation).order_by(col(Organisation.name))).all()


def constituencies(session: Session) -> Sequence[Constituency]:
    return session.exec(select(Constituency).order_by(col(Constituency.id))).all()


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def add_organisation(session: Session, *, slug: str, name: str, now: datetime) -> Organisation:
    _check_new_slug(session, Organisation, slug, name)
    organisation = Organisation(slug=slug, name=name.strip())
    session.add(organisation)
    session.flush()
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="organisation.added",
        subject=f"organisation:{slug}",
        now=now,
        data={"name": organisation.name},
    )
    return organisation


def add_constituency(session: Session, *, slug: str, name: str, now: datetime) -> Constituency:
    _check_new_slug(session, Constituency, slug, name)
    constituency = Constituency(slug=slug, name=name.strip())
    session.add(constituency)
    session.flush()
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="constituency.added",
        subject=f"constituency:{slug}",
        now=now,
        data={"name": constituency.name},
    )
    return constituency


def _check_new_slug(
    session: Session, model: type[Organisation] | type[Constituency], slug: str, name: str
) -> None:
    if not SLUG.match(slug) or len(slug) > 60:
        raise InvalidInput(
            "A slug is lower-case letters, digits and single hyphens, e.g. 'the-grange'."
        )
    if problem := name_problem(name):
        raise InvalidInput(problem)
    if session.exec(select(model).where(model.slug == slug)).first() is not None:
        raise Conflict(f"{slug!r} exists already.")


def organisation_by_slug(session: Session, slug: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.slug == slug)).first()


def constituency_by_slug(session: Session, slug: str) -> Constituency | None:
    return session.exec(select(Constituency).where(Constituency.slug == slug)).first()


def application_problems(session: Session, application: Application) -> dict[str, str]:
    """Every problem with an application, by field, so a form can mark them all at once."""
    problems = {
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
    }
    return {field: problem for field, problem in problems.items() if problem}


def apply_for_membership(session: Session, application: Application, now: datetime) -> str:
    """Record an application; returns the new member's public id.

    When the email is already registered nothing is stored, but the answer looks the same (an
    unused random id, after the same password hashing), so nobody can find out who is a member.
    """
    problems = application_problems(session, application)
    if problems:
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    email = normalise_email(application.email)
    password_hash = hash_password(application.password)
    public_id = new_public_id()
    if session.exec(select(Member.id).where(Member.email == email)).first() is not None:
        return public_id
    constituency = constituency_by_slug(session, application.constituency)
    organisation = organisation_by_slug(session, application.organisation)
    assert constituency is not None
    assert organisation is not None
    add_applicant(
        session,
        public_id=public_id,
        name=application.name,
        email=email,
        password_hash=password_hash,
        constituency=constituency,
        organisation=organisation,
        now=now,
    )
    return public_id


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
) -> Member:
    """Store a pending member with the first entry of their history."""
    member = Member(
        public_id=public_id,
        name=name.strip(),
        email=email,
        password_hash=password_hash,
        status=MemberStatus.PENDING,
        constituency_id=constituency.id,
        organisation_id=organisation.id,
        applied_at=now,
        agreed_to_rules_at=now,
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
        data={"constituency": constituency.slug, "organisation": organisation.slug},
    )
    return member


def get_member(session: Session, public_id: str) -> Member:
    member = session.exec(select(Member).where(Member.public_id == public_id)).first()
    if member is None:
        raise NotFound("No such member.")
    return member


def change_status(
    session: Session,
    *,
    member: Member,
    transition: Transition,
    actor_id: int | None,
    now: datetime,
    reason: str = "",
) -> Member:
    """Move a member along the lifecycle, with their history and an audit event."""
    reason = reason.strip()
    if transition in NEEDS_REASON and not reason:
        raise InvalidInput(
            "Give a reason: the member will see it.", field_errors={"reason": "Give a reason."}
        )
    if len(reason) > 1000:
        raise InvalidInput(
            "Keep the reason under 1,000 characters.", field_errors={"reason": "Too long."}
        )
    # Lock the row so that two governors acting at once cannot both move the same member.
    session.refresh(member, with_for_update=True)
    before = member.status
    member.status = ensure_transition(before, transition)
    data: dict[str, object] = {"from": before.value, "to": member.status.value}
    if transition is Transition.ADMITTED:
        member.member_number = _next_value(session, MEMBER_NUMBER)
        data["member_number"] = member.member_number
    if member.status is MemberStatus.CEASED:
        assert member.id is not None
        sessions.end_all_sessions(session, member.id)
    if reason:
        data["reason"] = reason
    session.add(member)
    _record_status(
        session, member, before, member.status, actor_id=actor_id, reason=reason, now=now
    )
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action=f"member.{transition.value}",
        subject=audit.member_subject(member),
        now=now,
        data=data,
    )
    return member


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


def summarise(session: Session, members: Sequence[Member]) -> list[MemberSummary]:
    orgs = {o.id: o for o in organisations(session)}
    cons = {c.id: c for c in constituencies(session)}
    ids = [m.id for m in members]
    roles: dict[int, list[Role]] = {}
    for member_id, role in session.exec(
        select(MemberRole.member_id, MemberRole.role).where(col(MemberRole.member_id).in_(ids))
    ):
        roles.setdefault(member_id, []).append(Role(role))
    summaries = []
    for m in members:
        assert m.id is not None
        org, con = orgs.get(m.organisation_id), cons.get(m.constituency_id)
        held = ([Role.MEMBER] if m.status is not MemberStatus.NON_MEMBER else []) + sorted(
            roles.get(m.id, [])
        )
        summaries.append(
            MemberSummary(
                id=m.id,
                public_id=m.public_id,
                name=m.name,
                email=m.email,
                status=m.status,
                member_number=m.member_number,
                constituency=con.slug if con else None,
                constituency_name=con.name if con else None,
                organisation=org.slug if org else None,
                organisation_name=org.name if org else None,
                applied_at=m.applied_at,
                roles=tuple(held),
            )
        )
    return summaries


def summary(session: Session, member: Member) -> MemberSummary:
    return summarise(session, [member])[0]


def search_register(session: Session, query: RegisterQuery) -> Page[MemberSummary]:
    statement = select(Member).where(Member.status != MemberStatus.NON_MEMBER)
    if query.search.strip():
        pattern = f"%{query.search.strip().lower()}%"
        conditions: list[ColumnElement[bool]] = [
            func.lower(Member.name).like(pattern),
            col(Member.email).like(pattern),
        ]
        if query.search.strip().isdigit():
            conditions.append(col(Member.member_number) == int(query.search.strip()))
        statement = statement.where(or_(*conditions))
    if query.status:
        statement = statement.where(Member.status == query.status)
    if query.constituency:
        statement = statement.join(Constituency).where(Constituency.slug == query.constituency)
    if query.organisation:
        statement = statement.join(Organisation).where(Organisation.slug == query.organisation)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    page = max(1, query.page)
    rows = session.exec(
        statement.order_by(col(Member.applied_at).desc(), col(Member.id).desc())
        .offset((page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return Page(summarise(session, rows), total, page, query.per_page)


def history(session: Session, member: Member) -> list[HistoryEntry]:
    actor = aliased(Member)
    rows = session.exec(
        select(StatusChange, actor.name)
        .outerjoin(actor, col(actor.id) == StatusChange.actor_id)
        .where(StatusChange.member_id == member.id)
        .order_by(col(StatusChange.at), col(StatusChange.id))
    ).all()
    return [
        HistoryEntry(change.at, change.from_status, change.to_status, change.reason, name)
        for change, name in rows
    ]


def grant_role(
    session: Session, *, member: Member, role: Role, actor_id: int | None, now: datetime
) -> None:
    if role is Role.MEMBER:
        raise InvalidInput("Membership is granted by admission, not as a role.")
    if session.get(MemberRole, (member.id, role)) is not None:
        raise Conflict(f"{member.name} is already {role.value}.")
    assert member.id is not None
    session.add(MemberRole(member_id=member.id, role=role))
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="role.granted",
        subject=audit.member_subject(member),
        now=now,
        data={"role": role.value},
    )


def revoke_role(
    session: Session, *, member: Member, role: Role, actor_id: int | None, now: datetime
) -> None:
    held = session.get(MemberRole, (member.id, role))
    if held is None:
        raise Conflict(f"{member.name} is not {role.value}.")
    if role is Role.ADMIN and _count_role(session, Role.ADMIN) == 1:
        raise Conflict("The co-operative must keep at least one admin.")
    session.delete(held)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="role.revoked",
        subject=audit.member_subject(member),
        now=now,
        data={"role": role.value},
    )


def _count_role(session: Session, role: Role) -> int:
    return session.exec(select(func.count()).where(MemberRole.role == role)).one()


def office_holders(session: Session) -> list[MemberSummary]:
    holders = session.exec(
        select(Member)
        .where(col(Member.id).in_(select(MemberRole.member_id)))
        .order_by(col(Member.name))
    ).all()
    return summarise(session, holders)


def create_user(
    session: Session,
    *,
    name: str,
    email: str,
    password: str,
    roles: Sequence[Role],
    now: datetime,
) -> Member:
    """An account for an office holder (CLI). It holds no membership until admitted as one."""
    problems = {
        k: v
        for k, v in {
            "name": name_problem(name),
            "email": email_problem(normalise_email(email)),
            "password": password_problem(password, email=email, name=name),
        }.items()
        if v
    }
    if problems:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in problems.items()), field_errors=problems
        )
    if session.exec(select(Member.id).where(Member.email == normalise_email(email))).first():
        raise Conflict("An account with that email address exists already.")
    member = Member(
        public_id=new_public_id(),
        name=name.strip(),
        email=normalise_email(email),
        password_hash=hash_password(password),
        status=MemberStatus.NON_MEMBER,
        applied_at=now,
    )
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="account.created",
        subject=audit.member_subject(member),
        now=now,
    )
    for role in roles:
        grant_role(session, member=member, role=role, actor_id=None, now=now)
    return member


def set_password(session: Session, *, email: str, password: str, now: datetime) -> Member:
    """Give an account a new password (the CLI's answer to an imported member, who has none);
    every session of the account ends."""
    member = session.exec(select(Member).where(Member.email == normalise_email(email))).first()
    if member is None:
        raise NotFound("No account has that email address.")
    if problem := password_problem(password, email=member.email, name=member.name):
        raise InvalidInput(problem, field_errors={"password": problem})
    member.password_hash = hash_password(password)
    session.add(member)
    assert member.id is not None
    sessions.end_all_sessions(session, member.id)
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="account.password_set",
        subject=audit.member_subject(member),
        now=now,
    )
    return member
