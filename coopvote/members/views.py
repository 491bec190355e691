"""The register as people see it: read models and queries for the API, the pages and the CLI.

Nothing here writes. What a page offers (withdrawing, a governor's actions) is decided by
``members.rules``, so that the pages and the API agree on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from coopvote.errors import NotFound
from coopvote.members.models import (
    IN_MEMBERSHIP,
    IN_OFFICE,
    NO_PASSWORD,
    AgeBand,
    Constituency,
    Member,
    MemberRole,
    MemberStatus,
    Organisation,
    Role,
    StatusChange,
    shown_name,
)
from coopvote.members.rules import (
    GOVERNOR_ACTIONS,
    NEEDS_REASON,
    Transition,
    can_change_status,
    term_ends_at,
)
from coopvote.paging import Page


@dataclass(frozen=True)
class MemberSummary:
    """A member as the register, the API and the pages show them."""

    id: int
    public_id: str
    name: str
    email: str
    status: MemberStatus
    member_number: int | None
    constituency: str | None
    constituency_name: str | None
    organisation: str | None
    organisation_name: str | None
    applied_at: datetime
    roles: tuple[Role, ...] = ()
    #: An imported member has none until they accept their invitation.
    has_password: bool = True
    invited_at: datetime | None = None

    @property
    def invitation(self) -> str:
        """ "invited" (an invitation sent, not yet accepted), "not invited", or "" (the
        account has a password)."""
        if self.has_password or self.erased:  # an erased account is never invited
            return ""
        return "invited" if self.invited_at else "not invited"

    #: Their personal data beyond the register entry is erased (issue 18).
    erased: bool = False
    #: For an organisation member, the person who acts and votes for it.
    representative: str | None = None
    #: A student's age band, and who gave a parent's or carer's consent (under 13).
    age_band: AgeBand | None = None
    guardian_consent_by: str | None = None

    @property
    def offices(self) -> tuple[Role, ...]:
        """The roles that are granted and revoked: all but membership itself."""
        return tuple(role for role in self.roles if role is not Role.MEMBER)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    from_status: MemberStatus | None
    to_status: MemberStatus
    reason: str
    actor_name: str | None


@dataclass(frozen=True)
class RegisterQuery:
    """The register's filters; ``search`` matches a name or email in part, or a number."""

    search: str = ""
    status: MemberStatus | None = None
    constituency: str | None = None
    organisation: str | None = None
    page: int = 1
    per_page: int = 25


#: The statuses the register lists: accounts that hold no membership are not on it.
REGISTER_STATUSES = tuple(s for s in MemberStatus if s is not MemberStatus.NON_MEMBER)


@dataclass(frozen=True)
class Register:
    """One page of the register, with what its filters may choose from."""

    results: Page[MemberSummary]
    organisations: Sequence[Organisation]
    constituencies: Sequence[Constituency]


@dataclass(frozen=True)
class Offer:
    """An action a governor is offered on a member's record, by its name in the URL."""

    name: str
    reason_required: bool


@dataclass(frozen=True)
class MemberRecord:
    """A member's record as a governor sees it, with the actions that fit it now."""

    member: MemberSummary
    history: list[HistoryEntry]
    offers: list[Offer]


@dataclass(frozen=True)
class MyMembership:
    """A member's own page."""

    member: MemberSummary
    history: list[HistoryEntry]
    can_withdraw: bool
    #: When the membership lapses unless renewed; ``None`` where it does not (issue 18).
    term_ends: datetime | None = None


def organisations(session: Session) -> Sequence[Organisation]:
    return session.exec(select(Organisation).order_by(col(Organisation.name))).all()


def constituencies(session: Session) -> Sequence[Constituency]:
    return session.exec(select(Constituency).order_by(col(Constituency.id))).all()


def organisation_by_slug(session: Session, slug: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.slug == slug)).first()


def constituency_by_slug(session: Session, slug: str) -> Constituency | None:
    return session.exec(select(Constituency).where(Constituency.slug == slug)).first()


def get_member(session: Session, public_id: str) -> Member:
    """The member with this public id; raises ``NotFound``."""
    member = session.exec(select(Member).where(Member.public_id == public_id)).first()
    if member is None:
        raise NotFound("No such member.")
    return member


def summarise(session: Session, members: Sequence[Member]) -> list[MemberSummary]:
    """Summaries in the order given, with their organisation, constituency and roles (one
    query for all the roles, whatever the number of members)."""
    orgs = {o.id: o for o in organisations(session)}
    cons = {c.id: c for c in constituencies(session)}
    ids = [m.id for m in members]
    roles: dict[int, list[Role]] = {}
    for member_id, role in session.exec(
        select(MemberRole.member_id, MemberRole.role).where(col(MemberRole.member_id).in_(ids))
    ):
        roles.setdefault(member_id, []).append(Role(role))
    summaries = []
    for m in members:
        assert m.id is not None
        org, con = orgs.get(m.organisation_id), cons.get(m.constituency_id)
        held = ([Role.MEMBER] if m.status is not MemberStatus.NON_MEMBER else []) + sorted(
            roles.get(m.id, [])
        )
        summaries.append(
            MemberSummary(
                id=m.id,
                public_id=m.public_id,
                name=shown_name(m),
                email=m.email,
                status=m.status,
                member_number=m.member_number,
                constituency=con.slug if con else None,
                constituency_name=con.name if con else None,
                organisation=org.slug if org else None,
                organisation_name=org.name if org else None,
                applied_at=m.applied_at,
                has_password=m.password_hash != NO_PASSWORD,
                invited_at=m.invited_at,
                roles=tuple(held),
                erased=m.erased_at is not None,
                representative=m.representative,
                age_band=m.age_band,
                guardian_consent_by=m.guardian_consent_by,
            )
        )
    return summaries


def summary(session: Session, member: Member) -> MemberSummary:
    return summarise(session, [member])[0]


def search_register(session: Session, query: RegisterQuery) -> Page[MemberSummary]:
    """One page of the register (accounts that hold no membership left out), newest
    applications first."""
    statement = select(Member).where(Member.status != MemberStatus.NON_MEMBER)
    if query.search.strip():
        pattern = f"%{query.search.strip().lower()}%"
        conditions: list[ColumnElement[bool]] = [
            func.lower(Member.name).like(pattern),
            col(Member.email).like(pattern),
        ]
        if query.search.strip().isdigit():
            conditions.append(col(Member.member_number) == int(query.search.strip()))
        statement = statement.where(or_(*conditions))
    if query.status:
        statement = statement.where(Member.status == query.status)
    if query.constituency:
        statement = statement.join(Constituency).where(Constituency.slug == query.constituency)
    if query.organisation:
        statement = statement.join(Organisation).where(Organisation.slug == query.organisation)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    page = max(1, query.page)
    rows = session.exec(
        statement.order_by(col(Member.applied_at).desc(), col(Member.id).desc())
        .offset((page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return Page(summarise(session, rows), total, page, query.per_page)


def register(session: Session, query: RegisterQuery) -> Register:
    return Register(
        search_register(session, query), organisations(session), constituencies(session)
    )


def history(session: Session, member: Member) -> list[HistoryEntry]:
    """Every change of the member's status, oldest first, with who made it."""
    actor = aliased(Member)
    rows = session.exec(
        select(StatusChange, actor.name)
        .outerjoin(actor, col(actor.id) == StatusChange.actor_id)
        .where(StatusChange.member_id == member.id)
        .order_by(col(StatusChange.at), col(StatusChange.id))
    ).all()
    return [
        HistoryEntry(change.at, change.from_status, change.to_status, change.reason, name)
        for change, name in rows
    ]


def member_record(session: Session, public_id: str) -> MemberRecord:
    """Raises ``NotFound``."""
    member = get_member(session, public_id)
    return MemberRecord(
        member=summary(session, member),
        history=history(session, member),
        offers=[
            Offer(name, transition in NEEDS_REASON)
            for name, transition in GOVERNOR_ACTIONS.items()
            if can_change_status(member.status, transition, by_the_member=False)
        ],
    )


def my_membership(session: Session, public_id: str) -> MyMembership:
    """Raises ``NotFound``."""
    member = get_member(session, public_id)
    return MyMembership(
        member=summary(session, member),
        history=history(session, member),
        can_withdraw=bool(
            can_change_status(member.status, Transition.WITHDREW, by_the_member=True)
        ),
        term_ends=term_end(session, member) if member.status in IN_MEMBERSHIP else None,
    )


def term_end(session: Session, member: Member) -> datetime | None:
    """When ``member``'s membership lapses unless renewed; ``None`` where it does not."""
    constituency = (
        session.get(Constituency, member.constituency_id) if member.constituency_id else None
    )
    return term_ends_at(
        member.term_started_at, constituency.lapse_after_days if constituency else None
    )


def office_holders(session: Session) -> list[MemberSummary]:
    """Everyone holding an office, by name."""
    holders = session.exec(
        select(Member)
        .where(col(Member.id).in_(select(MemberRole.member_id)))
        .order_by(col(Member.name))
    ).all()
    return summarise(session, holders)


def held_roles(session: Session, member: Member) -> frozenset[Role]:
    """The offices a member holds (membership itself is not among them)."""
    return frozenset(
        Role(role)
        for role in session.exec(select(MemberRole.role).where(MemberRole.member_id == member.id))
    )


def count_holders(session: Session, role: Role) -> int:
    """How many accounts hold ``role`` with its powers (in office: ``IN_OFFICE``)."""
    query = (
        select(func.count())
        .select_from(MemberRole)
        .join(Member, col(Member.id) == MemberRole.member_id)
        .where(MemberRole.role == role, col(Member.status).in_(IN_OFFICE))
    )
    return session.exec(query).one()
