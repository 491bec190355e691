"""Plain factory functions: each test says what it needs."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from functools import cache

from sqlmodel import Session

from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot, Method, Threshold
from coopvote.ballots.rules import Definition
from coopvote.clock import utcnow
from coopvote.db.types import new_public_id
from coopvote.forum import service as forum
from coopvote.forum.models import Proposal
from coopvote.members import service as members
from coopvote.members.models import Member, MemberStatus, Organisation, Role
from coopvote.members.rules import Transition
from coopvote.members.views import constituency_by_slug, organisation_by_slug
from coopvote.security.passwords import hash_password

PASSWORD = "a long and unusual test password"
_numbers = itertools.count(1)


@cache
def password_hash() -> str:
    """Hashed once per run: argon2id at full strength is slow on purpose."""
    return hash_password(PASSWORD)


def ensure_organisation(
    session: Session, slug: str = "the-grange", name: str = "The Grange School"
) -> Organisation:
    return organisation_by_slug(session, slug) or members.add_organisation(
        session, slug=slug, name=name, now=utcnow()
    )


def make_member(
    session: Session,
    *,
    status: MemberStatus = MemberStatus.ACTIVE,
    roles: tuple[Role, ...] = (),
    constituency: str = "parents-carers",
    organisation: str = "the-grange",
    name: str | None = None,
    email: str | None = None,
    at: datetime | None = None,
) -> Member:
    """A member in the given status, reached through the real lifecycle."""
    n = next(_numbers)
    at = at or utcnow() - timedelta(days=1)
    org = ensure_organisation(session, organisation, organisation.replace("-", " ").title())
    con = constituency_by_slug(session, constituency)
    assert con is not None
    member = members.add_applicant(
        session,
        public_id=new_public_id(),
        name=name or f"Member {n}",
        email=email or f"member{n}@example.org",
        password_hash=password_hash(),
        constituency=con,
        organisation=org,
        now=at,
    )
    path = {
        MemberStatus.PENDING: [],
        MemberStatus.ACTIVE: [Transition.ADMITTED],
        MemberStatus.SUSPENDED: [Transition.ADMITTED, Transition.SUSPENDED],
        MemberStatus.CEASED: [Transition.ADMITTED, Transition.CEASED],
        MemberStatus.REJECTED: [Transition.REJECTED],
    }[status]
    for transition in path:
        members.change_status(
            session, member=member, transition=transition, actor_id=None, now=at, reason="test"
        )
    for role in roles:
        members.grant_role(session, member=member, role=role, actor_id=None, now=at)
    session.flush()
    return member


def make_ballot(
    session: Session,
    *,
    method: Method = Method.RESOLUTION,
    options: tuple[str, ...] = (),
    open_now: bool = True,
    seats: int = 1,
    **overrides: object,
) -> Ballot:
    """A ballot, opened by hand unless ``open_now`` is false."""
    now = utcnow()
    if method is not Method.RESOLUTION and not options:
        options = ("Ash", "Birch", "Cedar", "Damson")
    fields: dict[str, object] = {
        "title": f"{method.value.title()} ballot",
        "method": method,
        "closes_at": now + timedelta(days=7),
        "options": options,
        "seats": seats,
        "threshold": Threshold.SIMPLE if method is Method.RESOLUTION else None,
    }
    fields.update(overrides)
    ballot = ballots.create_ballot(session, Definition(**fields), actor_id=None, now=now)  # type: ignore[arg-type]
    if open_now:
        ballots.open_ballot(session, ballot, actor_id=None, now=now)
    return ballot


def make_proposal(
    session: Session,
    author: Member,
    *,
    title: str = "Plant an orchard at every school",
    body: str = "Fruit trees teach patience and feed us.",
    organisation: str | None = None,
    supporters: int = 0,
) -> Proposal:
    """A forum proposal by ``author``, supported by ``supporters`` new active members."""
    assert author.id is not None
    proposal = forum.create_proposal(
        session,
        forum.ProposalText(title, body, organisation),
        author_id=author.id,
        now=utcnow(),
    )
    for _ in range(supporters):
        supporter = make_member(session, organisation=organisation or "the-grange")
        assert supporter.id is not None
        forum.support(session, proposal, member_id=supporter.id, now=utcnow())
    return proposal
