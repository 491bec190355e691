"""The server-held ballot secret (server-key mode) and the ballot keys derived from it.

The secret is 32 random bytes in a file outside the database (``COOPVOTE_BALLOT_KEY_FILE``):
each ballot's X25519 private key is a keyed BLAKE2b of the ballot's public id, so no private
key is ever stored — not in the database, a backup or a log. Whoever holds both the database
and this file can open any ballot's papers: see docs/secrecy.md. The key that seals the
bulletin board's entries (``ballots.board``) derives from the same file, in trustee mode too.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from nacl.encoding import RawEncoder
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey

from coopvote.settings import Settings

SECRET_BYTES = 32
# BLAKE2b's personalisations: each derived key is for one purpose only.
_PERSON = b"coopvote-ballot"
_BOARD_PERSON = b"coopvote-board"
_CHALLENGE_PERSON = b"coopvote-trustee"

# One secret per process, set from its settings by ``create_app`` and the commands: services
# seal and open without being handed settings.
_secret: bytes | None = None


class BallotKeyMissing(RuntimeError):
    """The ballot key file is absent (outside development) or unreadable."""


def load_key_file(path: Path, *, create: bool) -> bytes:
    """The secret in ``path``; when it is absent and ``create`` is true (development, tests),
    a new one written there, readable by this user only (0600).

    Raises ``BallotKeyMissing`` when the file is absent (and not to be created) or does not hold
    exactly 32 bytes."""
    if not path.exists():
        if not create:
            raise BallotKeyMissing(
                f"COOPVOTE_BALLOT_KEY_FILE: {path} does not exist. Create it once with "
                f"`head -c 32 /dev/urandom > {path} && chmod 600 {path}`, keep it out of the "
                "database's backups, and give every app host the same file."
            )
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it a moment ago
            pass
        else:
            with os.fdopen(descriptor, "wb") as file:
                file.write(secrets.token_bytes(SECRET_BYTES))
    secret = path.read_bytes()
    if len(secret) != SECRET_BYTES:
        raise BallotKeyMissing(
            f"COOPVOTE_BALLOT_KEY_FILE: {path} must hold exactly {SECRET_BYTES} bytes"
        )
    return secret


def use_secret(secret: bytes) -> None:
    """Derive ballot keys from this secret from now on, in this process."""
    global _secret
    _secret = secret


def _derived(message: bytes, person: bytes) -> bytes:
    """32 bytes derived from the secret for one purpose. Raises ``BallotKeyMissing``."""
    if _secret is None:
        raise BallotKeyMissing("No ballot key is loaded in this process (coopvote.ballots.keys)")
    return bytes(blake2b(message, digest_size=32, key=_secret, person=person, encoder=RawEncoder))


def private_key(public_id: str) -> PrivateKey:
    """The ballot's private key. Raises ``BallotKeyMissing`` when no secret is in use."""
    return PrivateKey(_derived(public_id.encode(), _PERSON))


def board_key() -> bytes:
    """The 32-byte key that seals every board's entries (``ballots.board.seal_of``). Raises
    ``BallotKeyMissing`` when no secret is in use."""
    return _derived(b"board seal", _BOARD_PERSON)


def public_key(public_id: str) -> PublicKey:
    return private_key(public_id).public_key


def challenge(subject: str) -> bytes:
    """32 bytes that only the server can make for ``subject``: what a trustee proves they can
    decrypt (``ballots.trustees``). Raises ``BallotKeyMissing`` when no secret is in use."""
    return _derived(subject.encode(), _CHALLENGE_PERSON)


def use_settings(settings: Settings) -> None:
    """Load the secret that ``settings`` name (``Settings.ballot_key_path``), at start-up.

    Raises ``BallotKeyMissing`` outside development when the file is absent."""
    use_secret(load_key_file(settings.ballot_key_path, create=settings.creates_ballot_key))
