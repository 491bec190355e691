"""Accounts from the command line: an office holder's account, and a new password for any
account (e.g. a member added by import, who has none).

Together with ``members.service`` (which hashes an applicant's password and signs out a
member whose membership ends), this is where ``members`` uses ``security``: password hashing
and policy, sessions, finding an account by email. ``security`` never uses ``members`` in
turn; it reads only the register's tables, ``members.models``, which lie below both."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from coopvote import audit
from coopvote.db.types import new_public_id
from coopvote.errors import Conflict, InvalidInput, NotFound
from coopvote.members.models import Member, MemberStatus, Role, normalise_email
from coopvote.members.rules import email_problem, name_problem
from coopvote.members.service import grant_role, marked
from coopvote.security import sessions
from coopvote.security.passwords import hash_password, password_problem
from coopvote.security.service import find_by_email


def hash_new_password(password: str, *, email: str, name: str) -> str:
    """``password`` hashed (argon2id), when the policy accepts it for the account with this
    email and name. Pure and slow on purpose: callers run it before their transaction, so that
    it never holds the database's write lock (issue 11). Raises ``InvalidInput``."""
    if problem := password_problem(password, email=email, name=name):
        raise InvalidInput(f"password: {problem}", field_errors={"password": problem})
    return hash_password(password)


def create_user(
    session: Session,
    *,
    name: str,
    email: str,
    password_hash: str,
    roles: Sequence[Role],
    now: datetime,
) -> Member:
    """An account for an office holder (CLI), with a password hashed beforehand by
    ``hash_new_password``. It holds no membership until admitted as one. Raises
    ``InvalidInput`` naming every bad field, ``Conflict`` for a taken email."""
    if problems := marked(
        {"name": name_problem(name), "email": email_problem(normalise_email(email))}
    ):
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in problems.items()), field_errors=problems
        )
    if find_by_email(session, email) is not None:
        raise Conflict("An account with that email address exists already.")
    member = Member(
        public_id=new_public_id(),
        name=name.strip(),
        email=normalise_email(email),
        password_hash=password_hash,
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


def account(session: Session, email: str) -> Member:
    """The account with this email address. Raises ``NotFound``."""
    member = find_by_email(session, email)
    if member is None:
        raise NotFound("No account has that email address.")
    return member


def set_password(session: Session, *, email: str, password_hash: str, now: datetime) -> Member:
    """Give an account a new password, hashed beforehand by ``hash_new_password`` (the CLI's
    answer to an imported member, who has none); every session of the account ends. Raises
    ``NotFound``."""
    member = account(session, email)
    member.password_hash = password_hash
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
