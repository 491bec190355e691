"""The roll: frozen when a ballot opens, and measured (size and hash) so that auditors can
show it was not altered afterwards."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import false, insert, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from coopvote.ballots.models import Ballot, RollEntry
from coopvote.members.models import Constituency, Member, MemberStatus, Organisation, StatusChange


def freeze_roll(session: Session, ballot: Ballot, record_date: datetime) -> tuple[int, str]:
    """Insert the roll in one statement: every member whose latest status change at or
    before the record date made them active, within the ballot's eligibility. Returns the
    roll's size and hash (``measure_roll``)."""
    # Each member's status at the record date: their latest change at or before it (an index
    # seek per member on (member_id, at)).
    status_then = (
        sa_select(col(StatusChange.to_status))
        .where(col(StatusChange.member_id) == Member.id, col(StatusChange.at) <= record_date)
        .order_by(col(StatusChange.at).desc(), col(StatusChange.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    eligible = sa_select(literal(ballot.id), col(Member.id), false()).where(
        status_then == MemberStatus.ACTIVE
    )
    if ballot.eligible_constituencies:
        eligible = eligible.where(
            col(Member.constituency_id).in_(
                sa_select(col(Constituency.id)).where(
                    col(Constituency.slug).in_(ballot.eligible_constituencies)
                )
            )
        )
    if ballot.eligible_organisations:
        eligible = eligible.where(
            col(Member.organisation_id).in_(
                sa_select(col(Organisation.id)).where(
                    col(Organisation.slug).in_(ballot.eligible_organisations)
                )
            )
        )
    session.execute(
        insert(RollEntry).from_select(["ballot_id", "member_id", "has_voted"], eligible)
    )
    return measure_roll(session, ballot)


def measure_roll(session: Session, ballot: Ballot) -> tuple[int, str]:
    """The roll's size and hash: SHA-256 over the public ids of the members on it, sorted, one
    per line. Recorded at opening; recomputed by auditors to show the roll was not altered."""
    on_roll = (
        sa_select(col(Member.public_id))
        .join(RollEntry, col(RollEntry.member_id) == Member.id)
        .where(col(RollEntry.ballot_id) == ballot.id)
        .order_by(col(Member.public_id))
        .execution_options(yield_per=50_000)
    )
    digest = hashlib.sha256()
    size = 0
    for chunk in session.connection().execute(on_roll).scalars().partitions():
        digest.update("".join(f"{public_id}\n" for public_id in chunk).encode())
        size += len(chunk)
    return size, digest.hexdigest()
