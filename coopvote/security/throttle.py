"""Throttling of failed sign-ins, per account and per client address, kept in the database
so that every worker sees the same counts."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from coopvote.members.models import normalise_email
from coopvote.security.models import SignInFailure


def account_key(email: str) -> str:
    return hashlib.sha256(f"email:{normalise_email(email)}".encode()).hexdigest()


def address_key(address: str) -> str:
    return hashlib.sha256(f"address:{address}".encode()).hexdigest()


def failures_since(session: Session, key: str, since: datetime) -> int:
    query = select(func.count()).where(SignInFailure.key == key, SignInFailure.at > since)
    return session.exec(query).one()


def record_failure(session: Session, keys: list[str], *, now: datetime, since: datetime) -> None:
    """Count a failure against each key, forgetting those keys' failures older than ``since``
    so that the table holds only what throttling still needs."""
    session.execute(
        delete(SignInFailure).where(
            col(SignInFailure.key).in_(keys), col(SignInFailure.at) <= since
        )
    )
    session.add_all(SignInFailure(key=key, at=now) for key in keys)
    session.flush()


def forget_failures(session: Session, key: str) -> None:
    session.execute(delete(SignInFailure).where(col(SignInFailure.key) == key))
