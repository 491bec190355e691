"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 accepts more, but nobody types this much; it bounds the work

#: OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 degree of parallelism.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Check a password. The second value is a fresh hash when the stored one uses weaker
    parameters than ours, so the caller can upgrade it on successful sign-in."""
    try:
        HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, hash_password(password) if HASHER.check_needs_rehash(stored_hash) else None


@cache
def dummy_hash() -> str:
    """Verified against when the email is unknown, so that the answer takes as long."""
    return hash_password("unknown account: compare timing with a real one")


@cache
def common_passwords() -> frozenset[str]:
    text = files("coopvote.security").joinpath("common-passwords.txt").read_text()
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password is unacceptable, or ``None``."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 3:
        return "This password is too common. Choose one that is harder to guess."
    personal = [part for part in (email.split("@")[0].lower(), name.lower()) if len(part) >= 4]
    if any(part in lowered for part in personal):
        return "Do not use your name or email address in your password."
    return None
