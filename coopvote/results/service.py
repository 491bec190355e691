"""Commands on results: publishing a closed ballot's result, and correcting it. Reads live in
``views``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from coopvote import audit
from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot
from coopvote.errors import Conflict, InvalidInput
from coopvote.mail import service as mail
from coopvote.results import document
from coopvote.results.document import Correction
from coopvote.results.models import ResultDeclaration
from coopvote.results.views import Published, count_part, declare, published


def _store(
    session: Session,
    ballot: Ballot,
    result: dict[str, Any],
    seed: str,
    *,
    actor_id: int | None,
    now: datetime,
    corrects: ResultDeclaration | None = None,
    reason: str = "",
) -> ResultDeclaration:
    assert ballot.id is not None
    text = document.canonical_json(result)
    seq, _, head_hash = result["audit_head"].partition(":")
    declaration = ResultDeclaration(
        ballot_id=ballot.id,
        version=result["version"],
        document=text,
        sha256=document.sha256_hex(text),
        tie_order_seed=seed,
        audit_head_seq=int(seq),
        audit_head_hash=head_hash,
        published_at=now,
        published_by=actor_id,
        corrects_id=corrects.id if corrects else None,
        correction_reason=reason,
    )
    session.add(declaration)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="result.corrected" if corrects else "result.published",
        subject=ballots.subject(ballot),
        now=now,
        data={
            "version": declaration.version,
            "results_sha256": declaration.sha256,
            "audit_head": result["audit_head"],
            "outcome": result["outcome"],
            "elected": result["elected"],
            **({"reason": reason} if corrects else {}),
        },
    )
    return declaration


def publish_result(
    session: Session, ballot: Ballot, *, actor_id: int | None, now: datetime
) -> Published:
    """Count the papers of a closed ballot and declare the result, once."""
    ballots.mark_published(session, ballot, now=now)
    result, seed = declare(session, ballot, version=1, now=now)
    declaration = _store(session, ballot, result, seed, actor_id=actor_id, now=now)
    mail.result_published(session, ballot, now)
    return Published(ballot, declaration)


def correct_result(
    session: Session, ballot: Ballot, *, reason: str, actor_id: int | None, now: datetime
) -> Published:
    """Declare again, as a new version linked to the one it corrects; the earlier one stays.

    The papers cannot change, so a correction is a recount (say, after a fault in the
    counting was mended); one that would declare the same result is refused.
    """
    if not reason.strip():
        raise InvalidInput(
            "Say why the result is corrected: the reason is published with it.",
            field_errors={"reason": "Give a reason."},
        )
    # Lock the ballot's row so that two corrections cannot both take the next version.
    session.exec(select(Ballot).where(Ballot.id == ballot.id).with_for_update()).one()
    latest = published(session, ballot).declaration
    before = json.loads(latest.document)
    correction = Correction(latest.version, latest.sha256, reason.strip()[:2000])
    result, seed = declare(
        session, ballot, version=latest.version + 1, now=now, corrects=correction
    )
    if count_part(result) == count_part(before):
        raise Conflict("A recount gives the published result again: there is nothing to correct.")
    declaration = _store(
        session,
        ballot,
        result,
        seed,
        actor_id=actor_id,
        now=now,
        corrects=latest,
        reason=correction.reason,
    )
    return Published(ballot, declaration)
