"""The demo's ballot trustees — the governor, the auditor and the admin — with keys anyone can
derive from this file, so that the demo's closed ballots can be opened by two of them. A real
co-operative's trustees make their keys offline (`coopvote trustee keygen`), register them at
/ballots/trustee/key and keep them to themselves."""

from __future__ import annotations

import hashlib
from datetime import datetime

from nacl.public import PrivateKey
from sqlmodel import Session, select

from coopvote.ballots import trustees
from coopvote.ballots.models import Ballot
from coopvote.demo.people import DOMAIN
from coopvote.members.models import Member

#: Who the demo's trustees are; the first two open its closed ballots.
TRUSTEES = ("governor", "auditor", "admin")


def demo_key(who: str) -> PrivateKey:
    """A demo trustee's private key: public knowledge, for the demo only."""
    return PrivateKey(hashlib.sha256(f"coopvote demo trustee {who}".encode()).digest())


def load(session: Session, now: datetime) -> None:
    """Name the three trustees and register their demo keys, before any demo ballot opens."""
    for who in TRUSTEES:
        member = session.exec(select(Member).where(Member.email == f"{who}@{DOMAIN}")).one()
        trustee = trustees.name_trustee(session, member, actor_id=None, now=now)
        trustees.register_key(session, trustee, demo_key(who).public_key, now=now)


def open_box(session: Session, ballot: Ballot, now: datetime) -> None:
    """The governor and the auditor open a closed demo ballot's box together."""
    keys = [bytes(demo_key(who)).hex() for who in TRUSTEES[:2]]
    trustees.open_with_trustees(session, ballot, keys, actor_id=None, now=now)


def sign_ins() -> list[tuple[str, str]]:
    """What ``coopvote demo`` prints: each trustee's demo key."""
    return [(f"{who}'s trustee key", bytes(demo_key(who)).hex()) for who in TRUSTEES]
