"""Membership that lapses (issue 18): in a constituency whose membership lasts a set time
(parents and carers, students: a year), a member renews with a click, and a membership not
renewed lapses, recorded in the status history like any other end of membership; governors
lapse leavers in bulk from a CSV file. A lapsed member is ``ceased``, so the next roll leaves
them out. Reminders before a membership lapses wait for member mail."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.errors import Conflict, InvalidInput, NotFound
from coopvote.members.models import Constituency, Member, MemberStatus, normalise_email
from coopvote.members.rules import Transition, can_renew, can_transition
from coopvote.members.service import change_status
from coopvote.members.transfer import read_csv
from coopvote.members.views import term_end
from coopvote.security.service import find_by_email

#: A CSV of leavers: one email address a row, and optionally why they left.
LEAVER_COLUMNS = frozenset({"email"})
#: The reason recorded when a term ends without renewal.
NOT_RENEWED = "Membership lapsed: not renewed."
#: The reason recorded for a leaver when the file gives none.
LEFT = "Left the school or organisation."
#: The shortest term a constituency's membership may have, so that members can renew.
MINIMUM_TERM_DAYS = 30
#: The longest: ten years (a member who stays for good has no term: ``None``). Beyond it a
#: term's end soon passes the last date a calendar (or the scheduler's arithmetic) holds.
MAXIMUM_TERM_DAYS = 3652
#: Statuses whose membership can lapse.
LAPSABLE = (MemberStatus.ACTIVE, MemberStatus.SUSPENDED)

log = logging.getLogger("coopvote.members.lapsing")


def renew(session: Session, *, member: Member, now: datetime) -> datetime:
    """The member renews their membership: a new term starts now. Returns when it ends.
    Raises ``Conflict`` for someone who is not a member, or whose membership does not
    lapse."""
    can_renew(member.status, term_end(session, member)).ensure()
    member.term_started_at = now
    session.add(member)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(member.id),
        action="member.renewed",
        subject=audit.member_subject(member),
        now=now,
    )
    ends = term_end(session, member)
    assert ends is not None
    return ends


def lapse_overdue(session: Session, *, now: datetime) -> list[Member]:
    """Lapse every membership whose term has ended without renewal (``member.lapsed``, in
    the status history as at the term's end, so that no roll from then on holds them); run
    by each ``coopvote serve`` worker's scheduler before ballots open. A member whose lapse
    the rules refuse (the last admin) stays, and is logged. Returns those lapsed."""
    lapsed = []
    for constituency in session.exec(
        select(Constituency).where(col(Constituency.lapse_after_days).is_not(None))
    ):
        assert constituency.lapse_after_days is not None
        started_before = now - timedelta(days=constituency.lapse_after_days)
        for member in session.exec(
            select(Member)
            .where(
                Member.constituency_id == constituency.id,
                col(Member.status).in_(LAPSABLE),
                col(Member.term_started_at) <= started_before,
            )
            .order_by(col(Member.id))
        ).all():
            try:
                change_status(
                    session,
                    member=member,
                    transition=Transition.LAPSED,
                    actor_id=None,
                    now=now,
                    reason=NOT_RENEWED,
                    effective_at=term_end(session, member),
                )
            except Conflict as refused:
                log.warning("member %s did not lapse: %s", member.id, refused.detail)
                continue
            lapsed.append(member)
    return lapsed


def read_leavers(session: Session, text: str) -> list[tuple[Member, str]]:
    """The members a CSV of leavers names (column ``email``, optional ``reason``), with the
    reason to record; checked whole before anything changes. Raises ``InvalidInput`` naming
    every line whose address is nobody's, is listed twice, or whose member's membership
    cannot lapse."""
    found: list[tuple[Member, str]] = []
    problems = []
    # The line each address was first on: a leaver lapses once, so a repeat is refused
    # here rather than half-way through lapsing the file.
    seen: dict[str, int] = {}
    for row in read_csv(text, LEAVER_COLUMNS):
        email = normalise_email(row.fields.get("email") or "")
        if email and email in seen:
            problems.append(f"line {row.line}: {email!r} is on line {seen[email]} already")
            continue
        seen.setdefault(email, row.line)
        member = find_by_email(session, email) if email else None
        if member is None:
            problems.append(f"line {row.line}: nobody has the address {email!r}")
            continue
        if (refusal := can_transition(member.status, Transition.LAPSED).refusal) is not None:
            problems.append(f"line {row.line}: {refusal.detail}")
            continue
        found.append((member, (row.fields.get("reason") or "").strip() or LEFT))
    if problems:
        raise InvalidInput("; ".join(problems))
    return found


def lapse_leavers(
    session: Session, leavers: list[tuple[Member, str]], *, actor_id: int | None, now: datetime
) -> int:
    """Lapse each leaver (``read_leavers``), with their reason; returns how many. Raises as
    ``change_status`` (e.g. ``NotAllowed`` when a governor lapses an office holder)."""
    for member, reason in leavers:
        change_status(
            session,
            member=member,
            transition=Transition.LAPSED,
            actor_id=actor_id,
            now=now,
            reason=reason,
        )
    return len(leavers)


def set_term(session: Session, *, slug: str, days: int | None, now: datetime) -> Constituency:
    """Set how long membership in the constituency ``slug`` lasts without renewal (``None``:
    it does not lapse); audited as ``constituency.term_set``. Members whose term is already
    longer lapse at the scheduler's next tick. Raises ``NotFound``, or ``InvalidInput`` for
    fewer than 30 days (members must have time to renew) or more than ten years."""
    constituency = session.exec(select(Constituency).where(Constituency.slug == slug)).first()
    if constituency is None:
        raise NotFound(f"No constituency {slug!r}.")
    if days is not None and not MINIMUM_TERM_DAYS <= days <= MAXIMUM_TERM_DAYS:
        raise InvalidInput(
            f"A term lasts from {MINIMUM_TERM_DAYS} to {MAXIMUM_TERM_DAYS} days (ten years)."
        )
    constituency.lapse_after_days = days
    session.add(constituency)
    session.flush()
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="constituency.term_set",
        subject=f"constituency:{slug}",
        now=now,
        data={"lapse_after_days": days},
    )
    return constituency
