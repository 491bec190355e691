"""``/api/v1``: publishing results, reading them, the published papers, and receipts.

Reading is for ``RESULTS_READERS`` (signed in, or anyone where results are public); every
read answers 404 until the ballot's result is published, whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.members.models import Role
from coopvote.results import service as results
from coopvote.results import views
from coopvote.results.summary import csv_text
from coopvote.web.access import RESULTS_READERS, requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.shapes import BallotOut, ReasonIn, present_ballot


@dataclass
class CastVoteOut:
    paper: dict[str, Any]


@dataclass
class ReceiptIn:
    receipt: str


@dataclass
class ReceiptCheckOut:
    ballot_id: str
    recorded: bool


def download(content: str, media_type: str, filename: str) -> Response[str]:
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


class ResultsController(Controller):
    path = "/api/v1"
    tags = ["results"]
    opt = RESULTS_READERS

    @get("/ballots/{ballot_id:str}/results", sync_to_thread=True)
    def result(self, db: Db, ballot_id: FromPath[str]) -> dict[str, Any]:
        """The declared result (its latest version) and the SHA-256 of its canonical JSON."""
        return views.published_result(db, ballot_id).result

    @get("/ballots/{ballot_id:str}/results.csv", sync_to_thread=True)
    def result_csv(self, db: Db, ballot_id: FromPath[str]) -> Response[str]:
        published = views.published_result(db, ballot_id)
        return download(csv_text(published.result), "text/csv", f"result-{ballot_id}.csv")

    @get("/ballots/{ballot_id:str}/cast-votes", sync_to_thread=True)
    def cast_votes(self, db: Db, ballot_id: FromPath[str]) -> list[CastVoteOut]:
        ballot = views.published_result(db, ballot_id).ballot
        return [CastVoteOut(**vote) for vote in views.cast_votes(db, ballot)]

    @get("/ballots/{ballot_id:str}/cast-votes.blt", sync_to_thread=True)
    def cast_votes_blt(self, db: Db, ballot_id: FromPath[str]) -> Response[str]:
        ballot = views.published_result(db, ballot_id).ballot
        return download(views.blt(db, ballot), "text/plain", f"papers-{ballot_id}.blt")

    @get("/ballots/{ballot_id:str}/recount", sync_to_thread=True)
    def recount(self, db: Db, ballot_id: FromPath[str]) -> dict[str, Any]:
        """The papers with what ``coopvote tally`` needs to repeat the count exactly."""
        ballot = views.published_result(db, ballot_id).ballot
        return views.recount_file(db, ballot)

    @post("/receipts/check", status_code=HTTP_200_OK, sync_to_thread=True)
    def check_receipt(self, db: Db, data: JSONBody[ReceiptIn]) -> ReceiptCheckOut:
        """Whether a sealed paper with this tracker is on a ballot's board, and which: nothing
        else. By POST, so that receipts stay out of URLs and access logs."""
        return ReceiptCheckOut(ballot_views.find_tracker(db, data.receipt).public_id, True)

    @get(
        "/ballots/{ballot_id:str}/results/preview",
        opt=requires(Role.GOVERNOR),
        sync_to_thread=True,
    )
    def preview(self, db: Db, now: Now, ballot_id: FromPath[str]) -> dict[str, Any]:
        """What publishing would declare; only while the ballot is closed and unpublished."""
        return views.preview(db, ballot_views.find_ballot(db, ballot_id), now=now)

    @post(
        "/ballots/{ballot_id:str}/publish",
        opt=requires(Role.GOVERNOR),
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def publish(
        self, db: Db, principal: CurrentPrincipal, now: Now, ballot_id: FromPath[str]
    ) -> BallotOut:
        ballot = ballots.get_ballot(db, ballot_id, now)
        results.publish_result(db, ballot, actor_id=principal.member_id, now=now)
        return present_ballot(db, ballot, principal, now)

    @post(
        "/ballots/{ballot_id:str}/results/corrections",
        opt=requires(Role.GOVERNOR),
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
    )
    def correct(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        data: JSONBody[ReasonIn],
    ) -> dict[str, Any]:
        ballot = ballots.get_ballot(db, ballot_id, now)
        corrected = results.correct_result(
            db, ballot, reason=data.reason, actor_id=principal.member_id, now=now
        )
        return corrected.result
