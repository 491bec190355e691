"""``GET /api/v1/health``: whether this process can serve, database writes included."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import exc as sa_exc

from coopvote.db import Database
from coopvote.db.engine import DatabaseFull, is_unavailable
from coopvote.web.access import PUBLIC
from coopvote.web.errors import RETRY_AFTER

log = logging.getLogger("coopvote.web")


@dataclass
class HealthOut:
    #: ``ok`` or ``unavailable``.
    status: str
    #: ``ok`` when a write could begin, ``unavailable`` when it could not.
    database: str


class HealthController(Controller):
    path = "/api/v1"
    tags = ["co-operative"]
    opt = PUBLIC

    @get(
        "/health",
        sync_to_thread=True,
        responses={HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(HealthOut)},
    )
    def health(self, state: State) -> Response[HealthOut]:
        """200 when the database would take a write now; 503 (with ``Retry-After``) when it
        would not, e.g. locked past the wait, full or unreachable. A read alone would pass
        while every vote fails, so the check begins a writing transaction and rolls it back;
        on SQLite it also measures the room left (``Database.check_writable``), so a full disk
        is reported before a vote meets it."""
        database: Database = state.database
        try:
            database.check_writable()
        except (sa_exc.DBAPIError, sa_exc.TimeoutError, DatabaseFull) as problem:
            if not is_unavailable(problem):
                raise
            log.warning("health: database unavailable (%s)", type(problem).__name__)
            return Response(
                HealthOut(status="unavailable", database="unavailable"),
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
                headers={"retry-after": str(RETRY_AFTER)},
            )
        return Response(HealthOut(status="ok", database="ok"), status_code=HTTP_200_OK)
