"""Splitting a ballot's private key among its trustees, k of n, and joining k shares again:
pure, no database.

Shamir's secret sharing as pycryptodome implements it (``Crypto.Protocol.SecretSharing``),
which takes 16-byte secrets: the 32-byte X25519 key is split as two halves with the same share
indices, so each trustee's share is one index and 32 bytes. Any k shares give the key back;
fewer tell nothing of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from Crypto.Protocol.SecretSharing import Shamir

KEY_BYTES = 32
_HALF = KEY_BYTES // 2


def needed(trustees: int) -> int:
    """How many of ``trustees`` must come together: a majority, so that a box opens though a
    minority of keys is lost (the IACR lost its 2025 election to an n-of-n scheme) and no
    minority can open it alone."""
    return trustees // 2 + 1


def split_key(key: bytes, needed: int, trustees: int) -> list[tuple[int, bytes]]:
    """``trustees`` shares (index 1 … n, 32 bytes each) of which any ``needed`` join to
    ``key``. Raises ``ValueError`` for a key that is not 32 bytes."""
    if len(key) != KEY_BYTES:
        raise ValueError(f"a ballot key is {KEY_BYTES} bytes")
    low = Shamir.split(needed, trustees, key[:_HALF])
    high = Shamir.split(needed, trustees, key[_HALF:])
    return [(i, a + b) for (i, a), (j, b) in zip(low, high, strict=True) if i == j]


def join_key(shares: Sequence[tuple[int, bytes]]) -> bytes:
    """The key that ``needed`` (or more) distinct shares give. Too few give a wrong key, which
    the caller detects against the ballot's public key."""
    low = Shamir.combine([(i, share[:_HALF]) for i, share in shares])
    high = Shamir.combine([(i, share[_HALF:]) for i, share in shares])
    return bytes(low + high)
