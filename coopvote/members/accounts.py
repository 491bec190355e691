"""Accounts: from the command line, an office holder's account and a new password for any
account; by mail, confirming an address, resetting a password, invitations (an imported
member, who has no password, sets one) and changing a password or an address.

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
from coopvote.mail import service as mail
from coopvote.mail.models import Notice
from coopvote.members.models import NO_PASSWORD, Member, MemberStatus, Role, normalise_email
from coopvote.members.rules import email_problem, name_problem
from coopvote.members.service import grant_role, marked, send_confirmation
from coopvote.security import sessions, tokens
from coopvote.security.models import AccountToken
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


# Mailed links: confirming an address, resetting a password, invitations, changing an address.
# Each link's token is single-use and bound to the account's state (``security.tokens``). A
# password is hashed by the caller outside any transaction (``security.passwords``): these
# functions take the hash.


def confirm_email(session: Session, *, token: str, now: datetime) -> Member:
    """Follow a confirmation link: the address is confirmed, and the account may sign in.
    Raises ``InvalidToken``."""
    member = _member_of(session, tokens.redeem(session, token, tokens.Purpose.CONFIRM_EMAIL, now))
    member.email_confirmed = True
    session.add(member)
    audit.record(
        session,
        actor=audit.member_actor(member.id),
        action="account.email_confirmed",
        subject=audit.member_subject(member),
        now=now,
    )
    return member


def resend_confirmation(session: Session, *, email: str, now: datetime) -> None:
    """Mail a new confirmation link to an unconfirmed address; for any other address, nothing
    (the caller answers alike either way)."""
    member = find_by_email(session, email)
    if member is not None and not member.email_confirmed and member.status in MAY_BE_MAILED:
        send_confirmation(session, member, now)


#: Accounts that may be mailed a link: not those whose membership ended or was refused.
MAY_BE_MAILED = frozenset(MemberStatus) - {MemberStatus.CEASED, MemberStatus.REJECTED}


def request_password_reset(session: Session, *, email: str, now: datetime) -> None:
    """Mail a reset link (valid one hour) to the account with ``email``, if any may sign in
    or be invited; nothing otherwise (the caller answers alike either way). An account with
    no password yet is sent an invitation instead, which sets one just the same."""
    member = find_by_email(session, email)
    if member is None or member.status not in MAY_BE_MAILED:
        return
    if member.password_hash == NO_PASSWORD:
        invite(session, member=member, actor_id=None, now=now)
        return
    token = tokens.issue(session, member=member, purpose=tokens.Purpose.RESET_PASSWORD, now=now)
    mail.queue(
        session, notice=Notice.PASSWORD_RESET, member=member, context={"token": token}, now=now
    )
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="account.reset_requested",
        subject=audit.member_subject(member),
        now=now,
    )


def account_for_link(
    session: Session, *, token: str, purpose: tokens.Purpose, now: datetime
) -> Member:
    """The account a link acts on, without using the link (to show its form and check a new
    password against the policy). Raises ``InvalidToken``."""
    return tokens.peek(session, token, purpose, now)


def complete_password_reset(
    session: Session, *, token: str, password_hash: str, now: datetime
) -> Member:
    """Follow a reset link with a new password (hashed by the caller): every session of the
    account ends, the change is audited and the account holder told. Following the link also
    confirms the address it reached. Raises ``InvalidToken``."""
    used = tokens.redeem(session, token, tokens.Purpose.RESET_PASSWORD, now)
    return _set_password(
        session, _member_of(session, used), password_hash, now, "account.password_reset"
    )


def accept_invitation(session: Session, *, token: str, password_hash: str, now: datetime) -> Member:
    """Follow an invitation with a password: the account can now sign in. Raises
    ``InvalidToken``."""
    used = tokens.redeem(session, token, tokens.Purpose.INVITATION, now)
    return _set_password(
        session,
        _member_of(session, used),
        password_hash,
        now,
        "account.invitation_accepted",
        notify=False,  # a first password: there was none to lose
    )


def change_password(
    session: Session, *, member_id: int, old_hash: str, password_hash: str, keep: str, now: datetime
) -> Member:
    """A signed-in member's new password, after the caller checked their current one against
    ``old_hash``: every other session ends (``keep``: this session's token hash). Raises
    ``Conflict`` when the password changed in the meantime."""
    member = session.get(Member, member_id)
    if member is None or member.password_hash != old_hash:
        raise Conflict("Your password changed meanwhile: sign in again and retry.")
    return _set_password(session, member, password_hash, now, "account.password_changed", keep=keep)


def _set_password(
    session: Session,
    member: Member,
    password_hash: str,
    now: datetime,
    action: str,
    *,
    keep: str | None = None,
    notify: bool = True,
) -> Member:
    member.password_hash = password_hash
    member.email_confirmed = True  # the link reached the address, or they signed in with it
    session.add(member)
    assert member.id is not None
    sessions.end_all_sessions(session, member.id, keep=keep)
    audit.record(
        session,
        actor=audit.member_actor(member.id),
        action=action,
        subject=audit.member_subject(member),
        now=now,
    )
    if notify:
        mail.queue(session, notice=Notice.PASSWORD_CHANGED, member=member, context={}, now=now)
    return member


def invite(session: Session, *, member: Member, actor_id: int | None, now: datetime) -> None:
    """Mail an account that has no password yet (an imported member) an invitation to set
    one, valid 14 days; again for a resend. Raises ``Conflict`` for an account that has a
    password or whose membership ended."""
    if member.password_hash != NO_PASSWORD:
        raise Conflict(f"{member.name} has set a password already: they can sign in.")
    if member.status not in MAY_BE_MAILED:
        raise Conflict(f"{member.name}'s membership has ended.")
    token = tokens.issue(session, member=member, purpose=tokens.Purpose.INVITATION, now=now)
    member.invited_at = now
    session.add(member)
    mail.queue(session, notice=Notice.INVITATION, member=member, context={"token": token}, now=now)
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="member.invited",
        subject=audit.member_subject(member),
        now=now,
    )


def request_email_change(
    session: Session, *, member_id: int, old_hash: str, new_email: str, now: datetime
) -> None:
    """A signed-in member, having given their password again (checked by the caller against
    ``old_hash``), asks to use ``new_email``: a link to confirm it goes to the new address and
    a notice to the old one. A taken address gets the same answer but no link (the notice
    still goes). Raises ``InvalidInput`` for a malformed address, ``Conflict`` when the
    password changed meanwhile."""
    email = normalise_email(new_email)
    if problem := email_problem(email):
        raise InvalidInput(problem, field_errors={"email": problem})
    member = session.get(Member, member_id)
    if member is None or member.password_hash != old_hash:
        raise Conflict("Your password changed meanwhile: sign in again and retry.")
    if find_by_email(session, email) is None:
        token = tokens.issue(
            session, member=member, purpose=tokens.Purpose.CHANGE_EMAIL, now=now, email=email
        )
        mail.queue(
            session,
            notice=Notice.CONFIRM_NEW_EMAIL,
            member=member,
            address=email,
            context={"token": token},
            now=now,
        )
    mail.queue(session, notice=Notice.EMAIL_CHANGING, member=member, context={}, now=now)
    audit.record(
        session,
        actor=audit.member_actor(member.id),
        action="account.email_change_requested",
        subject=audit.member_subject(member),
        now=now,
    )


def confirm_email_change(session: Session, *, token: str, now: datetime) -> Member:
    """Follow the link sent to a new address: it becomes the account's address. Raises
    ``InvalidToken``, or ``Conflict`` when someone registered the address meanwhile."""
    used = tokens.redeem(session, token, tokens.Purpose.CHANGE_EMAIL, now)
    member = _member_of(session, used)
    if find_by_email(session, used.email) is not None:
        raise Conflict("That address belongs to another account now.")
    member.email = used.email
    member.email_confirmed = True
    session.add(member)
    audit.record(
        session,
        actor=audit.member_actor(member.id),
        action="account.email_changed",
        subject=audit.member_subject(member),
        now=now,
    )
    return member


def _member_of(session: Session, used: AccountToken) -> Member:
    member = session.get(Member, used.member_id)
    assert member is not None  # tokens.redeem found it
    return member
