"""Reading results: previews, published declarations, the papers as published and downloads.
Nothing here writes. (Receipts are checked against the board: ``ballots.views.find_tracker``.)"""

from __future__ import annotations

import json
import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import cast as cast_type

from sqlalchemy import Text, cast
from sqlmodel import Session, col, select

from coopvote.audit.service import current_head
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, BallotStatus, Paper
from coopvote.ballots.rules import RANKED
from coopvote.errors import NotFound
from coopvote.results import document
from coopvote.results.document import BallotFacts, Correction
from coopvote.results.models import ResultDeclaration
from coopvote.results.rules import NO_RESULT, can_preview, can_see_result
from coopvote.tally.cyclegc import cycle_collector_paused

#: Fields of a declaration that are about the declaring, not the count: a correction must
#: change something else.
DECLARATION_FIELDS = frozenset(
    {"version", "declared_at", "audit_head", "corrects", "correction_reason"}
)


@dataclass(frozen=True)
class Published:
    """A ballot's result as declared (the latest version), ready to show."""

    ballot: Ballot
    declaration: ResultDeclaration

    @property
    def result(self) -> dict[str, Any]:
        """The declared document, with its hash, as ``GET …/results`` serves it."""
        data: dict[str, Any] = json.loads(self.declaration.document)
        data["results_sha256"] = self.declaration.sha256
        return data


def facts(session: Session, ballot: Ballot) -> BallotFacts:
    return BallotFacts(
        public_id=ballot.public_id,
        title=ballot.title,
        method=ballot.method.value,
        seats=ballot.seats,
        threshold=ballot.threshold.value if ballot.threshold else None,
        quorum_bp=ballot.quorum_bp,
        electorate=ballot.roll_size or 0,
        options=tuple(
            (option.id, option.label)
            for option in ballot_views.options(session, ballot)
            if option.id is not None
        ),
    )


def cast_votes(session: Session, ballot: Ballot) -> list[dict[str, Any]]:
    """Every opened paper, ``{"paper": …}``, in the random order of their random keys: no
    tracker, no receipt, nothing that pairs a paper with its sealed form or its voter.
    Identical papers share one decoded object (treat them as read-only)."""
    with _choice_texts(session, ballot, ordered=True) as rows:
        texts = list(rows)
    distinct = list(set(texts))
    decoded = dict(zip(distinct, _decoded(distinct), strict=True))
    return [{"paper": decoded[text]} for text in texts]


def counted_papers(session: Session, ballot: Ballot) -> list[tuple[dict[str, Any], int]]:
    """The opened papers grouped, as ``document.count_papers`` takes them: each distinct
    stored choice, decoded, with how many papers hold it; in no particular order.

    A large ballot repeats a few hundred thousand papers a million times over: the stored
    texts are counted as they come from the database driver's cursor (no ORM, no order, no
    list of a million rows, each step at C speed), then each distinct text is decoded once.
    """
    with _choice_texts(session, ballot, ordered=False) as texts:
        numbers = Counter(texts)
    return list(zip(_decoded(list(numbers)), numbers.values(), strict=True))


@contextmanager
def _choice_texts(session: Session, ballot: Ballot, *, ordered: bool) -> Iterator[Iterator[str]]:
    """The stored JSON text of each of the ballot's opened papers, read through the driver's
    own cursor in the session's transaction (closed on leaving the block); in the order of
    the papers' random keys if ``ordered``."""
    query = select(cast(Paper.choice, Text)).where(col(Paper.ballot_id) == ballot.id)
    if ordered:
        query = query.order_by(col(Paper.id))
    connection = session.connection()
    # The ballot's id is an integer the database gave: rendered in the text, it needs no
    # parameter, whose style differs from driver to driver.
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        # sqlite3's and psycopg's cursors iterate over their rows (DB-API's optional
        # extension, which the typing of SQLAlchemy's cursor leaves out).
        yield map(operator.itemgetter(0), cast_type(Iterable[tuple[str]], cursor))
    finally:
        cursor.close()


def _decoded(texts: Sequence[str]) -> list[Any]:
    """Each stored text's decoded value, in order: decoded at once, as one JSON array (a
    text that is not one JSON value makes the array invalid, or longer; each text is then
    decoded alone, to fail alone)."""
    try:
        values: list[Any] = json.loads(f"[{','.join(texts)}]")
    except json.JSONDecodeError:
        values = []
    if len(values) != len(texts):
        values = [json.loads(text) for text in texts]
    return values


@cycle_collector_paused  # loading and counting make no cycles (see `tally.cyclegc`)
def declare(
    session: Session,
    ballot: Ballot,
    *,
    version: int,
    now: datetime,
    corrects: Correction | None = None,
) -> tuple[dict[str, Any], str]:
    """Count the stored papers; the document and its tie-order seed."""
    seed = tie_order_seed(session, ballot)
    result = document.declare(
        facts(session, ballot),
        counted_papers(session, ballot),
        seed=seed,
        version=version,
        declared_at=now.isoformat(),
        audit_head=str(current_head(session)),
        corrects=corrects,
    )
    return result, seed


def tie_order_seed(session: Session, ballot: Ballot) -> str:
    """From the board's final head; a ballot counted before papers were sealed keeps the seed
    it was first declared with (its receipts, from which it was drawn, are gone)."""
    if not ballot.sealed:
        first = declarations(session, ballot)
        if first:
            return first[0].tie_order_seed
    return document.seed_from_board(ballot_views.board_tip(session, ballot).head)


def preview(session: Session, ballot: Ballot, *, now: datetime) -> dict[str, Any]:
    """What publishing now would declare. Only a closed ballot has one: never while voting
    goes on, and once published the result itself is there to read."""
    can_preview(ballot, now).ensure()
    result, _ = declare(session, ballot, version=1, now=now)
    return result


def recomputed_sha256(session: Session, ballot: Ballot) -> str | None:
    """The SHA-256 the latest declaration would have if its count were made again now from
    the stored papers (its declared fields — version, time, audit head — kept as declared).
    It differs from the stored hash when the papers or the stored document were changed."""
    if ballot.status is not BallotStatus.PUBLISHED:
        return None
    latest = published(session, ballot).declaration
    declared = json.loads(latest.document)
    recount, _ = declare(session, ballot, version=latest.version, now=latest.published_at)
    again = {
        **count_part(recount),
        **{k: v for k, v in declared.items() if k in DECLARATION_FIELDS},
    }
    return document.sha256_hex(document.canonical_json(again))


def count_part(result: dict[str, Any]) -> dict[str, Any]:
    """A declared document without the fields about the declaring: what a recount must match."""
    return {key: value for key, value in result.items() if key not in DECLARATION_FIELDS}


def declarations(session: Session, ballot: Ballot) -> list[ResultDeclaration]:
    """Every declaration of a ballot's result, first to latest."""
    return list(
        session.exec(
            select(ResultDeclaration)
            .where(ResultDeclaration.ballot_id == ballot.id)
            .order_by(col(ResultDeclaration.version))
        )
    )


def published(session: Session, ballot: Ballot) -> Published:
    """The declared result of a ballot; 404 for every caller until it is published."""
    can_see_result(ballot).ensure()
    latest = session.exec(
        select(ResultDeclaration)
        .where(ResultDeclaration.ballot_id == ballot.id)
        .order_by(col(ResultDeclaration.version).desc())
    ).first()
    if latest is None:
        raise NotFound(NO_RESULT)
    return Published(ballot, latest)


def published_result(session: Session, public_id: str) -> Published:
    """By the ballot's id. An unknown ballot and an unpublished one get the same answer, so
    the public learns nothing of ballots that have no result yet."""
    ballot = session.exec(
        select(Ballot).where(Ballot.public_id == public_id, Ballot.status == BallotStatus.PUBLISHED)
    ).first()
    if ballot is None:
        raise NotFound(NO_RESULT)
    return published(session, ballot)


def list_published(session: Session) -> list[Published]:
    """Every published result, most recently declared first."""
    rows = session.exec(
        select(Ballot, ResultDeclaration)
        .join(ResultDeclaration, col(ResultDeclaration.ballot_id) == Ballot.id)
        .where(Ballot.status == BallotStatus.PUBLISHED)
        .order_by(col(ResultDeclaration.published_at).desc(), col(ResultDeclaration.id).desc())
    ).all()
    latest: dict[int | None, Published] = {}
    for ballot, declaration in rows:  # a ballot's first row is its latest declaration
        latest.setdefault(ballot.id, Published(ballot, declaration))
    return list(latest.values())


def blt(session: Session, ballot: Ballot) -> str:
    """The published papers of a ranked ballot as BLT, candidates in the tie order."""
    if ballot.method not in RANKED:
        raise NotFound("Only ranked ballots have a BLT file.")
    declaration = published(session, ballot).declaration
    return document.blt(
        facts(session, ballot),
        declaration.tie_order_seed,
        [p["paper"] for p in cast_votes(session, ballot)],
    )


def recount_file(session: Session, ballot: Ballot) -> dict[str, Any]:
    declaration = published(session, ballot).declaration
    return document.recount_file(
        facts(session, ballot), declaration.tie_order_seed, cast_votes(session, ballot)
    )


def preview_if_closed(session: Session, ballot: Ballot, *, now: datetime) -> dict[str, Any] | None:
    """The preview for the governors' page of a ballot: only once voting has closed."""
    return preview(session, ballot, now=now) if can_preview(ballot, now) else None
