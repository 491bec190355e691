"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from coopvote.settings import ASVS_ARGON2, Argon2Parameters

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 accepts more, but nobody types this much; it bounds the work


def _hasher_for(parameters: Argon2Parameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=parameters.iterations,
        memory_cost=parameters.memory_kib,
        parallelism=parameters.parallelism,
    )


# One policy per process, set from its settings by ``create_app``: services hash without
# being handed settings.
_hasher = _hasher_for(ASVS_ARGON2)


def use_argon2(parameters: Argon2Parameters) -> None:
    """Hash with these parameters from now on, in this process."""
    global _hasher
    _hasher = _hasher_for(parameters)
    dummy_hash.cache_clear()


def hasher() -> PasswordHasher:
    """The hasher in force."""
    return _hasher


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Check a password. The second value is a fresh hash when the stored one uses weaker
    parameters than ours, so the caller can upgrade it on successful sign-in."""
    try:
        _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, hash_password(password) if _hasher.check_needs_rehash(stored_hash) else None


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
