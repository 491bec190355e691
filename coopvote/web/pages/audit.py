"""The auditor's workspace: the chain's status and head, the log browser and its exports.

The dashboard (verification) is for auditors; the log and its exports, like the API, are for
auditors and governors. Reading changes nothing; an export is recorded in the log, so it is a
POST (a form button, CSRF-protected) that takes the log's filters from its query string.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Template

from coopvote.audit import service as audit_log
from coopvote.audit import views as audit_views
from coopvote.audit.chain import Head, canonical_json, canonical_time
from coopvote.audit.views import EventFilter, EventRow
from coopvote.members.models import Role
from coopvote.members.transfer import write_csv
from coopvote.results.reconcile import reconcile_ballots
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import MAX_WHOLE_NUMBER
from coopvote.web.providers import FILTER_DEPENDENCIES, Filters
from coopvote.web.shapes import AuditEventOut
from coopvote.web.templating import page

CSV_COLUMNS = [
    "seq",
    "at",
    "actor",
    "actor_name",
    "action",
    "subject",
    "subject_name",
    "data",
    "prev_hash",
    "hash",
    #: The kept-apart notes that have not been erased, as JSON (not part of the hashes).
    "notes",
]


def csv_rows(rows: Iterable[EventRow]) -> Iterator[list[str]]:
    """Header first; ``at`` and ``data`` in the canonical form that the hashes are taken over."""
    yield CSV_COLUMNS
    for row in rows:
        e = row.event
        yield [
            str(e.seq),
            canonical_time(e.at),
            e.actor,
            row.actor_name or "",
            e.action,
            e.subject,
            row.subject_name or "",
            canonical_json(e.data).decode(),
            e.prev_hash,
            e.hash,
            canonical_json(row.notes).decode(),
        ]


def download(body: Any, media_type: str, extension: str, now: datetime) -> Response[Any]:
    name = f"audit-log-{now:%Y-%m-%d}.{extension}"
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


class AuditPages(Controller):
    path = "/audit"
    opt = requires(Role.AUDITOR, Role.GOVERNOR)
    include_in_schema = False
    dependencies = FILTER_DEPENDENCIES

    @get("/", opt=requires(Role.AUDITOR), sync_to_thread=True)
    def dashboard(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        kept: Annotated[str, QueryParameter(name="head")] = "",
    ) -> Template:
        """The chain verified now, its head to keep, a check of a head kept earlier, and every
        ballot's roll, marks and papers reconciled."""
        errors = {}
        kept_head = None
        if kept.strip():
            try:
                kept_head = Head.parse(kept)
            except ValueError as problem:
                errors["head"] = str(problem)
        return page(
            request,
            "audit/dashboard.html",
            status_code=422 if errors else 200,
            errors=errors,
            form={"head": kept},
            verdict=audit_log.verify_chain(db, kept_head),
            kept=kept_head,
            ballots=reconcile_ballots(db),
        )

    @get("/log", sync_to_thread=True)
    def log(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        filters: Filters,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_WHOLE_NUMBER)] = 1,
    ) -> Template:
        return page(
            request,
            "audit/log.html",
            results=audit_views.browse_events(db, filters, page=page_number),
            filters=filters,
            query_string=urlencode(filters.as_data()),
            actions=audit_views.actions(db),
            # The dashboard's route is for auditors only (governors browse the log alone).
            links_dashboard=principal.has(Role.AUDITOR),
        )

    @post("/log.csv", status_code=200, sync_to_thread=True)
    def export_csv(
        self, db: Db, principal: CurrentPrincipal, now: Now, filters: Filters
    ) -> Response[str]:
        rows = self._export(db, principal, now, filters, "csv")
        buffer = io.StringIO()
        write_csv(csv_rows(rows), buffer)
        return download(buffer.getvalue(), "text/csv; charset=utf-8", "csv", now)

    @post("/log.json", status_code=200, sync_to_thread=True)
    def export_json(
        self, db: Db, principal: CurrentPrincipal, now: Now, filters: Filters
    ) -> Response[list[AuditEventOut]]:
        """The same list as ``GET /api/v1/audit``, as a file."""
        rows = self._export(db, principal, now, filters, "json")
        return download([AuditEventOut.of(r) for r in rows], "application/json", "json", now)

    def _export(
        self, db: Db, principal: CurrentPrincipal, now: Now, filters: EventFilter, file_format: str
    ) -> list[EventRow]:
        return audit_log.export_events(
            db,
            filters,
            actor=audit_log.member_actor(principal.member_id),
            file_format=file_format,
            now=now,
        )
