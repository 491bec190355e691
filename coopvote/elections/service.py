"""Commands on elections: define one, nominate, second, consent, withdraw, approve or reject,
and close nominations (declaring unopposed and vacant contests, and putting contested ones to
ballots). Each loads, asks the rules, changes, audits and flushes; the caller commits."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.ballots import service as ballots
from coopvote.ballots.models import Method, Threshold
from coopvote.ballots.rules import Definition
from coopvote.db.types import new_public_id
from coopvote.elections import photos, rules, views
from coopvote.elections.models import (
    CandidateOrder,
    Contest,
    Election,
    Nomination,
    NominationStatus,
    Outcome,
    Seconding,
)
from coopvote.elections.rules import ElectionDefinition
from coopvote.errors import Conflict, InvalidInput
from coopvote.members.models import Member, MemberStatus
from coopvote.members.views import constituencies, organisations
from coopvote.results import document

N = NominationStatus


def election_subject(election: Election) -> str:
    return f"election:{election.public_id}"


def nomination_subject(nomination: Nomination) -> str:
    return f"nomination:{nomination.public_id}"


def _audit(
    session: Session,
    subject: str,
    action: str,
    *,
    actor_id: int | None,
    now: datetime,
    data: dict[str, Any],
) -> None:
    """Record ``action``; ``actor_id`` is ``None`` when the clock did it."""
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action=action,
        subject=subject,
        now=now,
        data=data,
    )


def create_election(
    session: Session, definition: ElectionDefinition, *, actor_id: int | None, now: datetime
) -> Election:
    """A new election and its contests. ``InvalidInput`` names every problem by field."""
    d = definition
    problems = rules.definition_problems(
        d,
        now=now,
        constituencies={c.slug for c in constituencies(session)},
        organisations={o.slug for o in organisations(session)},
    )
    if problems:
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    assert d.nominations_open_at
    assert d.nominations_close_at
    assert d.voting_opens_at
    assert d.voting_closes_at
    election = Election(
        public_id=new_public_id(),
        title=d.title.strip(),
        description=d.description,
        nominations_open_at=d.nominations_open_at,
        nominations_close_at=d.nominations_close_at,
        voting_opens_at=d.voting_opens_at,
        voting_closes_at=d.voting_closes_at,
        seconders=d.seconders,
        confirmatory_vote=d.confirmatory_vote,
        candidate_order=d.candidate_order,
        created_at=now,
        created_by=actor_id,
    )
    session.add(election)
    session.flush()
    assert election.id is not None
    for position, c in enumerate(d.contests):
        session.add(
            Contest(
                public_id=new_public_id(),
                election_id=election.id,
                position=position,
                title=c.title.strip(),
                seats=c.seats,
                method=c.method,
                eligible_constituencies=sorted(set(c.eligible_constituencies)),
                eligible_organisations=sorted(set(c.eligible_organisations)),
            )
        )
    session.flush()
    _audit(
        session,
        election_subject(election),
        "election.created",
        actor_id=actor_id,
        now=now,
        data={
            "title": election.title,
            "contests": [
                {"title": c.title, "seats": c.seats, "method": c.method.value}
                for c in views.contests(session, election)
            ],
            "timetable": {
                "nominations_open_at": election.nominations_open_at.isoformat(),
                "nominations_close_at": election.nominations_close_at.isoformat(),
                "voting_opens_at": election.voting_opens_at.isoformat(),
                "voting_closes_at": election.voting_closes_at.isoformat(),
            },
        },
    )
    return election


def get_election(session: Session, public_id: str, now: datetime) -> Election:
    """An election about to be acted on, its nominations closed first if their time has come
    (so no command depends on the scheduler's timing). ``NotFound`` when there is none."""
    election = views.find_election(session, public_id)
    catch_up(session, election, now)
    return election


def catch_up(session: Session, election: Election, now: datetime) -> None:
    if election.nominations_closed_at is None and election.nominations_close_at <= now:
        _close(session, election, at=election.nominations_close_at, actor_id=None, now=now)


def close_due(session: Session, now: datetime) -> None:
    """Close the nominations of every election whose time has come: the scheduler's tick.
    Safe in several processes at once (``_close`` is a conditional update)."""
    due = session.exec(
        select(Election)
        .where(
            col(Election.nominations_closed_at).is_(None),
            col(Election.nominations_close_at) <= now,
        )
        .order_by(col(Election.id))
    ).all()
    for election in due:
        catch_up(session, election, now)


def nominate(
    session: Session,
    election: Election,
    contest: Contest,
    *,
    nominator_id: int,
    nominee_id: int | None,
    statement: str,
    now: datetime,
) -> Nomination:
    """Nominate oneself (``nominee_id`` ``None`` or one's own), or another member of the
    contest's electorate, who must then consent. The statement is Markdown of at most 500
    words, sanitised whenever it is shown."""
    nominee_id = nominator_id if nominee_id is None else nominee_id
    rules.can_nominate(
        election,
        contest,
        views.elector(session, nominator_id),
        views.elector(session, nominee_id),
        now,
    ).ensure()
    problems = rules.statement_problems(statement)
    if problems:
        raise InvalidInput(problems["statement"], field_errors=problems)
    assert contest.id is not None
    nomination = Nomination(
        public_id=new_public_id(),
        contest_id=contest.id,
        nominee_id=nominee_id,
        nominator_id=nominator_id,
        statement=statement.strip(),
        status=N.SUBMITTED if nominee_id == nominator_id else N.AWAITING_CONSENT,
        consented_at=now if nominee_id == nominator_id else None,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(nomination)
            session.flush()
    except IntegrityError:
        raise Conflict("This member has been nominated in this contest already.") from None
    nominee = session.get(Member, nominee_id)
    assert nominee is not None
    _audit(
        session,
        nomination_subject(nomination),
        "nomination.made",
        actor_id=nominator_id,
        now=now,
        data={
            "election": election.public_id,
            "contest": contest.public_id,
            "nominee": nominee.public_id,
            "self": nominee_id == nominator_id,
        },
    )
    return nomination


def _lock(session: Session, nomination: Nomination) -> None:
    """Reload the nomination under a row lock (PostgreSQL; SQLite serialises writers), so a
    withdrawal and an approval cannot both pass their checks."""
    session.refresh(nomination, with_for_update=True)


def second(
    session: Session,
    election: Election,
    contest: Contest,
    nomination: Nomination,
    *,
    member_id: int,
    now: datetime,
) -> Seconding:
    """Second a nomination, once (the primary key holds that when two requests race)."""
    rules.can_second(election, contest, nomination, views.elector(session, member_id), now).ensure()
    assert nomination.id is not None
    seconding = Seconding(nomination_id=nomination.id, member_id=member_id, at=now)
    try:
        with session.begin_nested():
            session.add(seconding)
            session.flush()
    except IntegrityError:
        raise Conflict("You have seconded this nomination already.") from None
    _audit(
        session,
        nomination_subject(nomination),
        "nomination.seconded",
        actor_id=member_id,
        now=now,
        data={"seconds": views.seconds(session, nomination)},
    )
    return seconding


def consent(
    session: Session, election: Election, nomination: Nomination, *, member_id: int, now: datetime
) -> Nomination:
    """The nominee agrees to stand."""
    _lock(session, nomination)
    rules.can_consent(election, nomination, member_id, now).ensure()
    nomination.status, nomination.consented_at = N.SUBMITTED, now
    session.add(nomination)
    session.flush()
    _audit(
        session,
        nomination_subject(nomination),
        "nomination.consented",
        actor_id=member_id,
        now=now,
        data={},
    )
    return nomination


def withdraw(
    session: Session, election: Election, nomination: Nomination, *, member_id: int, now: datetime
) -> Nomination:
    """The nominee withdraws, until nominations close."""
    _lock(session, nomination)
    rules.can_withdraw(election, nomination, member_id, now).ensure()
    nomination.status, nomination.withdrawn_at = N.WITHDRAWN, now
    session.add(nomination)
    session.flush()
    _audit(
        session,
        nomination_subject(nomination),
        "nomination.withdrawn",
        actor_id=member_id,
        now=now,
        data={},
    )
    return nomination


def set_photo(
    session: Session,
    election: Election,
    nomination: Nomination,
    *,
    upload: bytes,
    member_id: int,
    now: datetime,
) -> Nomination:
    """The nominee's photo: checked, re-encoded and stripped of metadata (``photos``)."""
    _lock(session, nomination)
    rules.can_set_photo(election, nomination, member_id, now).ensure()
    nomination.photo = photos.clean_photo(upload)
    session.add(nomination)
    session.flush()
    _audit(
        session,
        nomination_subject(nomination),
        "nomination.photo_set",
        actor_id=member_id,
        now=now,
        data={"sha256": hashlib.sha256(nomination.photo).hexdigest()},
    )
    return nomination


def approve(
    session: Session,
    election: Election,
    nomination: Nomination,
    *,
    actor_id: int | None,
    now: datetime,
) -> Nomination:
    """A governor accepts a nomination: its nominee is a candidate."""
    _lock(session, nomination)
    rules.can_approve(election, nomination, views.seconds(session, nomination), now).ensure()
    nomination.status, nomination.decided_at, nomination.decided_by = N.APPROVED, now, actor_id
    session.add(nomination)
    session.flush()
    _audit(
        session,
        nomination_subject(nomination),
        "nomination.approved",
        actor_id=actor_id,
        now=now,
        data={},
    )
    return nomination


def reject(
    session: Session,
    election: Election,
    nomination: Nomination,
    *,
    reason: str,
    actor_id: int | None,
    now: datetime,
) -> Nomination:
    """A governor rejects a nomination, saying why (shown to the nominee)."""
    _lock(session, nomination)
    rules.can_reject(election, nomination, now).ensure()
    if not reason.strip():
        raise InvalidInput(
            "Give a reason: the nominee will see it.", field_errors={"reason": "Give a reason."}
        )
    nomination.status, nomination.decided_at, nomination.decided_by = N.REJECTED, now, actor_id
    nomination.reason = reason.strip()[:1000]
    session.add(nomination)
    session.flush()
    _audit(
        session,
        nomination_subject(nomination),
        "nomination.rejected",
        actor_id=actor_id,
        now=now,
        data={"reason": nomination.reason},
    )
    return nomination


def close_nominations(
    session: Session, election: Election, *, actor_id: int | None, now: datetime
) -> bool:
    """Close nominations now, by hand: every contest is declared or balloted. Closing an
    election already closed does nothing (two governors closing at once declare once); the
    answer says whether this call closed it."""
    if election.nominations_closed_at is not None:
        return False
    rules.can_close_nominations(election, now).ensure()
    return _close(session, election, at=now, actor_id=actor_id, now=now)


def _close(
    session: Session, election: Election, *, at: datetime, actor_id: int | None, now: datetime
) -> bool:
    """Mark nominations closed with a conditional update, so that of two closings racing (in
    any number of processes) exactly one goes on to declare; then declare or ballot each
    contest. True when this call closed them."""
    won = session.execute(
        update(Election)
        .where(col(Election.id) == election.id, col(Election.nominations_closed_at).is_(None))
        .values(nominations_closed_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(election)
    if not won:
        return False
    outcomes: dict[str, str] = {}
    for contest in views.contests(session, election):
        candidates = _candidates(session, contest)
        contest.outcome = rules.outcome(
            len(candidates), contest.seats, confirmatory_vote=election.confirmatory_vote
        )
        if contest.outcome in {Outcome.BALLOTED, Outcome.CONFIRMATORY}:
            ballot = ballots.create_ballot(
                session,
                _ballot_definition(election, contest, candidates, now),
                actor_id=actor_id,
                now=now,
            )
            contest.ballot_id = ballot.id
        else:
            _declare(session, election, contest, candidates, actor_id=actor_id, now=now)
        session.add(contest)
        outcomes[contest.public_id] = contest.outcome.value
    session.flush()
    _audit(
        session,
        election_subject(election),
        "election.nominations_closed",
        actor_id=actor_id,
        now=now,
        data={"closed_at": at.isoformat(), "by_schedule": actor_id is None, "outcomes": outcomes},
    )
    return True


def _candidates(session: Session, contest: Contest) -> list[tuple[str, Nomination]]:
    """The accepted candidates who are still active members, as (name on the paper,
    nomination), by surname. Two candidates of the same name are told apart by their member
    numbers."""
    rows = session.exec(
        select(Member, Nomination)
        .join(Nomination, col(Nomination.nominee_id) == Member.id)
        .where(
            Nomination.contest_id == contest.id,
            Nomination.status == N.APPROVED,
            Member.status == MemberStatus.ACTIVE,
        )
    ).all()
    clashes = Counter(m.name.strip() for m, _ in rows)
    named = [
        (
            m.name.strip()
            if clashes[m.name.strip()] == 1
            else f"{m.name.strip()} (member {m.member_number})",
            n,
        )
        for m, n in rows
    ]
    return sorted(named, key=lambda pair: rules.surname_key(pair[0]))


def _ballot_definition(
    election: Election, contest: Contest, candidates: list[tuple[str, Nomination]], now: datetime
) -> Definition:
    """The ordinary ballot deciding a contest: its candidates as options, in the paper's
    order, each with a link to their statement; opening at the voting window (or now, if
    that has passed), its roll the contest's electorate, frozen as usual."""
    statements = "\n".join(
        f"- [{name}'s statement](/elections/nominations/{n.public_id})" for name, n in candidates
    )
    common: dict[str, Any] = {
        "closes_at": election.voting_closes_at,
        "opens_at": max(election.voting_opens_at, now),
        "eligible_constituencies": contest.eligible_constituencies,
        "eligible_organisations": contest.eligible_organisations,
    }
    if len(candidates) <= contest.seats:  # confirmatory: yes or no to those unopposed
        names = ", ".join(name for name, _ in candidates)
        return Definition(
            title=f"{election.title}: {contest.title} (confirmatory vote)",
            description=f"Should {names} be elected unopposed to {contest.title}?\n\n{statements}",
            method=Method.RESOLUTION,
            threshold=Threshold.SIMPLE,
            **common,
        )
    return Definition(
        title=f"{election.title}: {contest.title}",
        description=f"{contest.seats} seat{'s' if contest.seats != 1 else ''}. "
        f"The candidates' statements:\n\n{statements}",
        method=contest.method,
        options=[name for name, _ in candidates],
        seats=contest.seats,
        shuffle_options=election.candidate_order is CandidateOrder.RANDOM,
        **common,
    )


def _declare(
    session: Session,
    election: Election,
    contest: Contest,
    candidates: list[tuple[str, Nomination]],
    *,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Declare an unopposed or vacant contest: a canonical document, hashed and recorded in
    the audit chain, published with the election's results."""
    assert contest.outcome is not None
    declaration = {
        "election": election.public_id,
        "contest": contest.public_id,
        "title": contest.title,
        "seats": contest.seats,
        "outcome": contest.outcome.value,
        "elected": [name for name, _ in candidates],
        "vacant": contest.seats - len(candidates),
        "declared_at": now.isoformat(),
    }
    contest.declaration = document.canonical_json(declaration)
    contest.declaration_sha256 = document.sha256_hex(contest.declaration)
    contest.declared_at = now
    _audit(
        session,
        election_subject(election),
        "contest.declared",
        actor_id=actor_id,
        now=now,
        data={
            "contest": contest.public_id,
            "outcome": contest.outcome.value,
            "elected": declaration["elected"],
            "vacant": declaration["vacant"],
            "declaration_sha256": contest.declaration_sha256,
        },
    )
