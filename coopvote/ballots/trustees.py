"""Ballot trustees: an admin names them, each makes a key pair on their own machine
(``coopvote trustee keygen``, offline) and registers its public half, proving that they hold
the private half by decrypting a challenge sealed to it; every ballot that opens while at least
three hold keys has its private key split among them, and after close a majority of them open
its box together. The server never sees a trustee's private key until the trustees hand it over
to open a box. Commands and the reads they need.

Until then — on a fresh installation — ballots run in server-key mode (``ballots.keys``).
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.ballots import keys, sealing, shares
from coopvote.ballots.models import Ballot, BallotStatus, BallotTrustee, KeyShare
from coopvote.errors import Conflict, InvalidInput, NotFound
from coopvote.members.models import Member, MemberStatus
from coopvote.security.service import find_by_email

#: Who may hold a share: members in good standing, and office holders who are not members.
TRUSTWORTHY = frozenset({MemberStatus.ACTIVE, MemberStatus.NON_MEMBER})
#: Fewer keyed trustees than this, and new ballots run in server-key mode: with two, a majority
#: is both, and one lost key would lose the ballot.
MINIMUM = 3


@dataclass(frozen=True)
class Challenge:
    """What a trustee decrypts to prove they hold the private key of ``public_key`` (hex): 32
    bytes sealed to it (libsodium's sealed box), in hex."""

    public_key: str
    sealed: str


@dataclass(frozen=True)
class Listed:
    """A trustee as the admins' page lists them."""

    member_id: str
    name: str
    email: str
    named_at: datetime
    public_key: str | None


def keyed(session: Session) -> list[BallotTrustee]:
    """The trustees who hold a key, in the order they were named."""
    return list(
        session.exec(
            select(BallotTrustee)
            .where(col(BallotTrustee.public_key).is_not(None))
            .order_by(col(BallotTrustee.id))
        )
    )


def trustee_of(session: Session, member_id: int) -> BallotTrustee | None:
    return session.exec(select(BallotTrustee).where(BallotTrustee.member_id == member_id)).first()


def member_by_email(session: Session, email: str) -> Member:
    """Whom an admin names by email address. ``InvalidInput`` marking ``email`` when nobody
    has it."""
    member = find_by_email(session, email)
    if member is None:
        raise InvalidInput(
            f"No account has the email address {email.strip()}.",
            field_errors={"email": "Nobody has this email address here."},
        )
    return member


def name_trustee(
    session: Session, member: Member, *, actor_id: int | None, now: datetime
) -> BallotTrustee:
    """Name an active member, or an office holder who is not a member (an external auditor,
    say), a ballot trustee. ``Conflict`` when they are one already."""
    if member.status not in TRUSTWORTHY or member.id is None:
        raise InvalidInput("Only an active member or an office holder can be a ballot trustee.")
    if trustee_of(session, member.id) is not None:
        raise Conflict("This member is a ballot trustee already.")
    trustee = BallotTrustee(member_id=member.id, named_at=now)
    session.add(trustee)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="trustee.named",
        subject=audit.member_subject(member),
        now=now,
        data={},
    )
    return trustee


def listed(session: Session) -> list[Listed]:
    """Every trustee, in the order they were named."""
    rows = session.exec(
        select(BallotTrustee, Member)
        .join(Member, col(Member.id) == BallotTrustee.member_id)
        .order_by(col(BallotTrustee.id))
    )
    return [
        Listed(member.public_id, member.name, member.email, trustee.named_at, trustee.public_key)
        for trustee, member in rows
    ]


def _awaiting_key(session: Session, member_id: int) -> BallotTrustee:
    """The member's trustee's place, still without a key. ``NotFound`` for a member who is not
    a trustee, ``Conflict`` for one who has a key already (ballots' shares are sealed to it)."""
    trustee = trustee_of(session, member_id)
    if trustee is None:
        raise NotFound("You are not a ballot trustee: an admin names them.")
    if trustee.public_key is not None:
        raise Conflict("You have a trustee's key already; keep using it.")
    return trustee


def _public_key(text: str) -> PublicKey:
    """A public key from its 64 hex digits (spaces allowed). ``InvalidInput`` otherwise."""
    try:
        return PublicKey(bytes.fromhex("".join(text.split())))
    except (ValueError, TypeError):
        raise InvalidInput(
            "A public key is 64 hexadecimal digits, as `coopvote trustee keygen` prints it.",
            field_errors={"public_key": "Enter the public key that keygen printed."},
        ) from None


def _expected_answer(member_id: int, public_key: PublicKey) -> str:
    """The challenge's plaintext, in hex: the server derives it again rather than store it."""
    return keys.challenge(f"trustee {member_id} {bytes(public_key).hex()}").hex()


def challenge(session: Session, member_id: int, public_key: str) -> Challenge:
    """The challenge for a trustee registering ``public_key`` (hex): answered by
    ``coopvote trustee answer`` with the matching private key. ``NotFound``, ``Conflict`` as
    ``register_public_key``; ``InvalidInput`` for a malformed key."""
    _awaiting_key(session, member_id)
    key = _public_key(public_key)
    plain = bytes.fromhex(_expected_answer(member_id, key))
    return Challenge(bytes(key).hex(), bytes(SealedBox(key).encrypt(plain)).hex())


def register_public_key(
    session: Session, member_id: int, public_key: str, answer: str, *, now: datetime
) -> BallotTrustee:
    """Store the trustee's public key (hex), made on their own machine, once ``answer`` (hex)
    shows that they decrypted its ``challenge``. ``NotFound`` for a member who is not a
    trustee, ``Conflict`` for one who has a key already, ``InvalidInput`` for a malformed key
    or a wrong answer."""
    trustee = _awaiting_key(session, member_id)
    key = _public_key(public_key)
    given = "".join(answer.split()).lower()
    if not hmac.compare_digest(given.encode(), _expected_answer(member_id, key).encode()):
        raise InvalidInput(
            "That is not the challenge's answer for this public key: run "
            "`coopvote trustee answer` with the private key file that keygen wrote.",
            field_errors={"answer": "Paste what `coopvote trustee answer` printed."},
        )
    register_key(session, trustee, key, now=now)
    return trustee


def register_key(
    session: Session, trustee: BallotTrustee, key: PublicKey, *, now: datetime
) -> None:
    """Store the trustee's public ``key`` (the demo registers its known keys here)."""
    trustee.public_key = bytes(key).hex()
    session.add(trustee)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(trustee.member_id),
        action="trustee.key_registered",
        subject=audit.member_subject(session.get(Member, trustee.member_id)),
        now=now,
        data={"public_key": trustee.public_key},
    )


def split_among_trustees(session: Session, ballot: Ballot) -> bool:
    """At opening, when enough trustees hold keys: give the ballot a fresh key pair, seal a
    share of its private key to each trustee, and forget it. Whether it did (else the ballot
    runs in server-key mode)."""
    holders = keyed(session)
    if len(holders) < MINIMUM:
        return False
    assert ballot.id is not None
    key = PrivateKey.generate()
    needed = shares.needed(len(holders))
    for trustee, (index, share) in zip(
        holders, shares.split_key(bytes(key), needed, len(holders)), strict=True
    ):
        assert trustee.public_key is not None
        assert trustee.id is not None
        sealed = SealedBox(PublicKey(bytes.fromhex(trustee.public_key))).encrypt(share)
        session.add(
            KeyShare(
                ballot_id=ballot.id,
                trustee_id=trustee.id,
                share_index=index,
                sealed_share=bytes(sealed),
            )
        )
    ballot.box_public_key = bytes(key.public_key).hex()
    ballot.trustees_needed = needed
    session.add(ballot)
    session.flush()
    return True


def _private_key(text: str) -> PrivateKey | None:
    try:
        return PrivateKey(bytes.fromhex("".join(text.split())))
    except (ValueError, TypeError):
        return None


def open_with_trustees(
    session: Session,
    ballot: Ballot,
    trustee_keys: Sequence[str],
    *,
    actor_id: int | None,
    now: datetime,
) -> int:
    """Open a closed trustee-mode ballot's box with its trustees' private keys (hex), entered
    together: their shares join to the ballot's key, which opens the papers and is forgotten.
    Returns the number of papers.

    ``Conflict`` when the ballot is not closed, not in trustee mode or opened already;
    ``InvalidInput`` when fewer than the needed trustees' keys are valid for it."""
    if ballot.status is not BallotStatus.CLOSED or ballot.box_opened_at is not None:
        raise Conflict("Only a closed ballot whose box is still sealed can be opened.")
    if ballot.box_public_key is None or ballot.trustees_needed is None:
        raise Conflict("This ballot's box opens itself at close: it has no trustees.")
    held = {
        trustee.public_key: share
        for share, trustee in session.exec(
            select(KeyShare, BallotTrustee)
            .join(BallotTrustee, col(BallotTrustee.id) == KeyShare.trustee_id)
            .where(KeyShare.ballot_id == ballot.id)
        )
    }
    opened: dict[int, bytes] = {}
    for key in filter(None, map(_private_key, trustee_keys)):
        share = held.get(bytes(key.public_key).hex())
        if share is None:
            continue
        try:
            opened[share.share_index] = SealedBox(key).decrypt(share.sealed_share)
        except CryptoError:
            continue
    if len(opened) < ballot.trustees_needed:
        raise InvalidInput(
            f"{ballot.trustees_needed} trustees' keys are needed to open this box; "
            f"{len(opened)} of those entered hold a share of it.",
            field_errors={"trustee_keys": "Enter more trustees' keys."},
        )
    private_key = PrivateKey(shares.join_key(sorted(opened.items())))
    if bytes(private_key.public_key).hex() != ballot.box_public_key:
        raise Conflict("The shares do not give this ballot's key: tell the auditor.")
    return sealing.open_box(session, ballot, private_key, actor_id=actor_id, now=now)
