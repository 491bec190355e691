"""The demo's people: the trust's organisations, its admin and auditor, a governor, and forty
members who applied over four months, the last few still waiting to be admitted; and the
register's harder cases (issue 18): a partner organisation that is a member through its
representative, a parent whose membership lapsed when their child left, and a former member
whose register entry is past retention."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import cycle

from sqlmodel import Session, col, select

from coopvote.db.types import new_public_id
from coopvote.members import accounts, lapsing, privacy, retention, transfer
from coopvote.members import service as members
from coopvote.members.models import Member, Role
from coopvote.members.rules import Transition
from coopvote.members.views import constituency_by_slug, organisation_by_slug
from coopvote.security.passwords import hash_password

DEMO_PASSWORD = "co-operate-together"  # noqa: S105 - printed for the demo on purpose
DOMAIN = "demo.coopvote.org"

ORGANISATIONS = [
    ("the-grange", "The Grange School"),
    ("ashmead", "Ashmead Primary School"),
    ("turnfurlong", "Turnfurlong Infant School"),
    ("co-operative-college", "The Co-operative College"),
    ("buckinghamshire-council", "Buckinghamshire Council"),
]
SCHOOLS = ["the-grange", "ashmead", "turnfurlong"]
PARTNERS = ["co-operative-college", "buckinghamshire-council"]

FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Leah",
    "Mo",
    "Nia",
    "Oscar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Una",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
    "Aled",
    "Beth",
    "Cal",
    "Daisy",
    "Eli",
    "Fran",
    "Gus",
    "Hana",
    "Ivan",
    "Jas",
    "Kit",
    "Lola",
    "Max",
    "Noor",
    "Olly",
]
LAST = [
    "Ahmed",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Fisher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morris",
    "Novak",
    "Owen",
    "Patel",
    "Quinn",
    "Roberts",
    "Shah",
    "Taylor",
]
#: (constituency, organisations) in the proportions a school trust might have.
MIX = (
    [("parents-carers", SCHOOLS)] * 4
    + [("staff", SCHOOLS)] * 2
    + [("students", ["the-grange"]), ("community", SCHOOLS), ("partners", PARTNERS)]
)
MEMBERS = 40
PENDING = 6


def load(session: Session, start: datetime) -> Member:
    """Register everyone from ``start`` on; returns the governor, who acts for the trust in
    the rest of the demo."""
    for slug, name in ORGANISATIONS:
        members.add_organisation(session, slug=slug, name=name, now=start)

    # One hash for every demo account: hashing 40 passwords would only slow the demo down.
    password_hash = hash_password(DEMO_PASSWORD)
    for name, local, role in [
        ("Alex Admin", "admin", Role.ADMIN),
        ("Ada Auditor", "auditor", Role.AUDITOR),
    ]:
        accounts.create_user(
            session,
            name=name,
            email=f"{local}@{DOMAIN}",
            password_hash=password_hash,
            roles=[role],
            now=start,
        )
    governor = _applicant(
        session, "Gita Governor", "governor", "staff", "the-grange", password_hash, start
    )
    members.change_status(
        session, member=governor, transition=Transition.ADMITTED, actor_id=None, now=start
    )
    members.grant_role(session, member=governor, role=Role.GOVERNOR, actor_id=None, now=start)

    mix = cycle(MIX)
    for i in range(MEMBERS):
        constituency, organisations = next(mix)
        local = "member" if i == 0 else "applicant" if i == MEMBERS - 1 else f"member{i}"
        applied = start + timedelta(days=2 * i + 1)
        member = _applicant(
            session,
            f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}",
            local,
            constituency,
            organisations[i % len(organisations)],
            password_hash,
            applied,
        )
        if i < MEMBERS - PENDING:
            members.change_status(
                session,
                member=member,
                transition=Transition.ADMITTED,
                actor_id=governor.id,
                now=applied + timedelta(days=3),
            )
    return governor


#: The member on the register who has never signed in: the demo shows their invitation.
IMPORTED = "imported"


def imported(session: Session, governor: Member, now: datetime) -> None:
    """A parent added by ``coopvote members import``, who has no password until they follow
    the invitation mailed to them (in the demo, caught and listed at /dev/mail)."""
    transfer.import_csv(
        session,
        io.StringIO(
            "name,email,constituency,organisation\n"
            f"Iris Imported,{IMPORTED}@{DOMAIN},parents-carers,the-grange\n"
        ),
        actor_id=governor.id,
        now=now,
    )


def load_register(session: Session, governor: Member, now: datetime) -> None:
    """The register's harder cases. Parents' and students' membership lasts a year without
    renewal; staff's and partners' does not lapse."""
    for constituency in ("parents-carers", "students"):
        lapsing.set_term(session, slug=constituency, days=365, now=now - timedelta(days=119))
    password_hash = hash_password(DEMO_PASSWORD)
    college = _applicant(
        session,
        "The Co-operative College",
        "partner",
        "partners",
        "co-operative-college",
        password_hash,
        now - timedelta(days=100),
        representative="Rhiannon Price",
    )
    lapsed = _applicant(
        session,
        "Lorna Fairweather",
        "lapsed",
        "parents-carers",
        "ashmead",
        password_hash,
        now - timedelta(days=110),
    )
    for member in (college, lapsed):
        members.change_status(
            session,
            member=member,
            transition=Transition.ADMITTED,
            actor_id=governor.id,
            now=member.applied_at + timedelta(days=2),
        )
    lapsing.lapse_leavers(
        session,
        [(lapsed, "Her son left Ashmead Primary School in July.")],
        actor_id=governor.id,
        now=now - timedelta(days=20),
    )
    # A member from the trust's early days: left eleven years ago, so retention has erased
    # her personal data and removed her register entry, leaving "former member N".
    joined = now - timedelta(days=365 * 12)
    former = _applicant(
        session, "Edith Early", "former", "community", "the-grange", password_hash, joined
    )
    for transition, at in [
        (Transition.ADMITTED, joined + timedelta(days=3)),
        (Transition.WITHDREW, joined + timedelta(days=365)),
    ]:
        members.change_status(session, member=former, transition=transition, actor_id=None, now=at)
    for _ in range(2):  # erase, then remove the entry
        retention.purge(session, now=now, erase_after=timedelta(days=365))


def _applicant(
    session: Session,
    name: str,
    local: str,
    constituency: str,
    organisation: str,
    password_hash: str,
    applied: datetime,
    representative: str | None = None,
) -> Member:
    con = constituency_by_slug(session, constituency)
    org = organisation_by_slug(session, organisation)
    assert con is not None
    assert org is not None
    member = members.add_applicant(
        session,
        public_id=new_public_id(),
        name=name,
        email=f"{local}@{DOMAIN}",
        password_hash=password_hash,
        constituency=con,
        organisation=org,
        now=applied,
        representative=representative,
    )
    # As if they had applied through the form, which records the notice they were shown.
    member.privacy_version = privacy.current_version(session)
    return member


def voters(session: Session) -> Sequence[Member]:
    """The numbered members (``member1@`` and on, admitted or not), in the order they applied:
    the demo member is not among them, so that they are left to vote."""
    return session.exec(
        select(Member).where(col(Member.email).like(f"member_%@{DOMAIN}")).order_by(col(Member.id))
    ).all()


def by_name(session: Session) -> dict[str, Member]:
    """Everyone in the demo, by their email's local part (``member12``, ``governor``…)."""
    return {
        m.email.split("@")[0]: m
        for m in session.exec(select(Member).where(col(Member.email).like(f"%@{DOMAIN}")))
    }
