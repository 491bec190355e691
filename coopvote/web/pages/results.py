"""Results pages: the index of published results, a result, and the receipt checker."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from coopvote.ballots import views as ballot_views
from coopvote.errors import NotFound
from coopvote.results import views as results
from coopvote.results.summary import outcome_sentence
from coopvote.web.access import RESULTS_READERS
from coopvote.web.deps import Db
from coopvote.web.forms import FormData, text
from coopvote.web.labels import METHOD_NAMES
from coopvote.web.result_view import result_view
from coopvote.web.templating import page


class ResultPages(Controller):
    path = "/results"
    opt = RESULTS_READERS
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request[Any, Any, Any], db: Db) -> Template:
        rows = [(p, outcome_sentence(p.result)) for p in results.list_published(db)]
        return page(request, "results/index.html", rows=rows)

    @get("/{ballot_id:str}", sync_to_thread=True)
    def show(self, request: Request[Any, Any, Any], db: Db, ballot_id: FromPath[str]) -> Template:
        published = results.published_result(db, ballot_id)
        return page(
            request,
            "results/show.html",
            ballot=published.ballot,
            declaration=published.declaration,
            declarations=results.declarations(db, published.ballot),
            view=result_view(published.result),
            method_name=METHOD_NAMES[published.ballot.method],
        )


class ReceiptPages(Controller):
    """A receipt is not linked to anyone, but it is the voter's to keep: the checker takes it
    by POST so that it stays out of addresses, histories and logs."""

    path = "/receipts"
    opt = RESULTS_READERS
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "results/receipts.html")

    @post("/", sync_to_thread=True)
    def check(self, request: Request[Any, Any, Any], db: Db, data: FormData) -> Template:
        receipt = ballot_views.normalise_tracker(text(data, "receipt"))
        try:
            ballot = ballot_views.find_tracker(db, receipt)
        except NotFound:
            return page(
                request,
                "results/receipts.html",
                status_code=404,
                receipt=receipt,
                found=None,
                form={"receipt": receipt},
            )
        return page(
            request,
            "results/receipts.html",
            receipt=receipt,
            found=ballot,
            form={"receipt": receipt},
        )
