"""Ballots with papers in them, closed and ready to publish."""

from __future__ import annotations

import random
from typing import Any

from sqlmodel import Session

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, Method
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.results import service as results
from tests.factories import make_ballot, make_member

OPTIONS = ("Ash", "Birch", "Cedar", "Damson", "Elm")
SEATS = {Method.STV: 2, Method.MEEK: 2, Method.APPROVAL: 2, Method.PLURALITY: 1}


def random_papers(method: Method, count: int, seed: int) -> list[dict[str, Any]]:
    """Papers naming options by label, drawn so that ties are likely in small counts."""
    draw = random.Random(seed)
    papers: list[dict[str, Any]] = []
    for _ in range(count):
        if method is Method.RESOLUTION:
            papers.append({"choice": draw.choice(["for", "for", "against", "abstain"])})
        elif method is Method.PLURALITY:
            papers.append({"choices": [draw.choice(OPTIONS)]})
        elif method is Method.APPROVAL:
            papers.append({"choices": draw.sample(OPTIONS, draw.randint(1, 3))})
        else:
            papers.append({"ranking": draw.sample(OPTIONS, draw.randint(1, len(OPTIONS)))})
    return papers


def closed_ballot(
    session: Session, method: Method, papers: list[dict[str, Any]], **overrides: Any
) -> Ballot:
    """A ballot whose roll holds one voter per paper (and any other active member), each of
    whom casts their paper; then closed. Papers name options by label."""
    voters = [make_member(session) for _ in papers]
    ballot = make_ballot(
        session,
        method=method,
        options=() if method is Method.RESOLUTION else OPTIONS,
        seats=SEATS.get(method, 1),
        **overrides,
    )
    ids = {option.label: option.id for option in ballot_views.options(session, ballot)}
    now = utcnow()
    for voter, paper in zip(voters, papers, strict=True):
        assert voter.id is not None
        cast = {
            key: [ids[label] for label in value] if isinstance(value, list) else value
            for key, value in paper.items()
        }
        ballots.cast_vote(session, ballot, member_id=voter.id, paper=cast, now=now)
    ballots.close_ballot(session, ballot, actor_id=None, now=now)
    return ballot


def published_ballot(
    database: Database, method: Method, papers: list[dict[str, Any]], **overrides: Any
) -> str:
    """``closed_ballot``, published, committed; its public id."""
    with database.transaction() as session:
        ballot = closed_ballot(session, method, papers, **overrides)
        results.publish_result(session, ballot, actor_id=None, now=utcnow())
        return ballot.public_id
