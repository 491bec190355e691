"""Sealing and opening papers: pure, no database.

A paper is sealed when cast with libsodium's sealed box (PyNaCl's ``SealedBox``: an ephemeral
X25519 key agreement with the ballot's public key, then XSalsa20-Poly1305). The voter's side of
the agreement is thrown away at once, so nobody — not even the voter — can later show what a
sealed paper holds; only the ballot's private key opens it. Every paper of a ballot is padded
to one length first, so that the length of a sealed paper tells nothing of its content.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nacl.public import PrivateKey, PublicKey, SealedBox

#: Room for the longest paper's key and punctuation beyond its option ids (and for a
#: resolution's ``{"choice":"abstain"}``).
_OVERHEAD = 64


def paper_size(option_ids: Sequence[int]) -> int:
    """The plaintext length, in bytes, of every paper of a ballot with these options: enough
    for a paper that lists them all."""
    return _OVERHEAD + len(_plain({"ranking": list(option_ids)}))


def canonical(choice: Mapping[str, Any]) -> str:
    """A paper as canonical JSON (sorted keys, no spaces): what is sealed, and how opened
    papers are compared."""
    return json.dumps(choice, sort_keys=True, separators=(",", ":"))


def _plain(choice: Mapping[str, Any]) -> bytes:
    return canonical(choice).encode()


def seal(public_key: PublicKey, choice: Mapping[str, Any], size: int) -> bytes:
    """The paper as canonical JSON, padded with spaces to ``size`` bytes, sealed.

    Raises ``ValueError`` when the paper is longer than ``size`` (``parse_paper`` prevents it).
    """
    plain = _plain(choice)
    if len(plain) > size:
        raise ValueError(f"a paper of {len(plain)} bytes does not fit in {size}")
    return bytes(SealedBox(public_key).encrypt(plain.ljust(size)))


def tracker(sealed: bytes) -> str:
    """The voter's receipt: SHA-256 of the sealed paper, 64 hex digits."""
    return hashlib.sha256(sealed).hexdigest()


def open_papers(private_key: PrivateKey, sealed: Iterable[bytes]) -> list[dict[str, Any]]:
    """Decrypt the papers and shuffle them with the system's random source, so that their
    order tells nothing of the order in which they were read.

    Raises ``nacl.exceptions.CryptoError`` when a paper was not sealed to this key or was
    changed since."""
    box = SealedBox(private_key)
    papers: list[dict[str, Any]] = [json.loads(box.decrypt(paper)) for paper in sealed]
    random.SystemRandom().shuffle(papers)
    return papers


def papers_digest(papers: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 (hex) of the opened papers as a multiset: each paper's canonical JSON, sorted,
    one a line. Recorded when the box is opened, so that a paper edited afterwards is seen
    even where the key that sealed them is gone (trustee mode)."""
    lines = sorted(canonical(p) for p in papers)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
