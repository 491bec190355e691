"""``/api/v1/audit``: the log (auditors and governors) and its verification (auditors).

Extensions to the contract in API.md, documented in docs/audit.md: the log takes the filters
``action``, ``actor``, ``subject``, ``from`` and ``to`` (whole UTC days, inclusive) and names the
members behind ``actor`` and ``subject``; verification takes ``head=SEQ:HASH`` (a head kept
earlier) and answers the head's ``seq`` beside its hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from coopvote.audit.chain import Head
from coopvote.audit.service import verify_chain
from coopvote.audit.views import find_events
from coopvote.errors import InvalidInput
from coopvote.members.models import Role
from coopvote.web.access import requires
from coopvote.web.deps import Db
from coopvote.web.forms import MAX_WHOLE_NUMBER
from coopvote.web.providers import FILTER_DEPENDENCIES, Filters
from coopvote.web.shapes import AuditEventOut


@dataclass
class VerifyOut:
    ok: bool
    #: Events read; when the chain is broken, up to and including the first bad one.
    events: int
    #: The hash and sequence number of the last event whose link verified: the head when ``ok``.
    head: str
    seq: int
    first_bad_seq: int | None = None
    problem: str | None = None


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    opt = requires(Role.AUDITOR, Role.GOVERNOR)
    dependencies = FILTER_DEPENDENCIES

    @get("/", sync_to_thread=True)
    def log(
        self,
        db: Db,
        filters: Filters,
        after: Annotated[
            int, QueryParameter(ge=0, description="Only events after this seq", le=MAX_WHOLE_NUMBER)
        ] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[AuditEventOut]:
        """The log in chain order; page on with ``after`` set to the last ``seq`` received."""
        return [AuditEventOut.of(r) for r in find_events(db, filters, after=after, limit=limit)]

    @get("/verify", opt=requires(Role.AUDITOR), sync_to_thread=True)
    def verify(
        self,
        db: Db,
        head: Annotated[
            str, QueryParameter(description="A head kept earlier, as SEQ:HASH; optional")
        ] = "",
    ) -> VerifyOut:
        """Recompute the chain from the first event; name the first bad event if it is broken."""
        try:
            kept = Head.parse(head) if head.strip() else None
        except ValueError as problem:
            raise InvalidInput(str(problem)) from None
        verdict = verify_chain(db, kept)
        return VerifyOut(
            ok=verdict.ok,
            events=verdict.events,
            head=verdict.head.hash,
            seq=verdict.head.seq,
            first_bad_seq=verdict.first_bad_seq,
            problem=verdict.problem,
        )
