"""Governors' ballot pages: define, edit, open, close, cancel, and watch turnout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot, BallotStatus, Method, Threshold
from coopvote.ballots.rules import Definition
from coopvote.cooperative import views as cooperative
from coopvote.errors import InvalidInput
from coopvote.members import views as members
from coopvote.members.models import Role
from coopvote.results import service as results
from coopvote.settings import Settings
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now, attempt
from coopvote.web.forms import FormData, listed, local_time, text, whole_number
from coopvote.web.labels import METHOD_NAMES, THRESHOLD_NAMES
from coopvote.web.result_view import result_view
from coopvote.web.templating import page, redirect


def definition_from_form(form: dict[str, Any], settings: Settings) -> Definition:
    zone = ZoneInfo(settings.timezone)
    try:
        method = Method(text(form, "method"))
    except ValueError:
        raise InvalidInput(
            "Choose a method.", field_errors={"method": "Choose a method."}
        ) from None
    threshold = text(form, "threshold")
    quorum = text(form, "quorum").strip() or "0"
    try:
        quorum_bp = round(float(quorum) * 100)
    except ValueError:
        raise InvalidInput(
            "Enter a percentage.", field_errors={"quorum": "Enter a percentage."}
        ) from None
    return Definition(
        title=text(form, "title"),
        description=text(form, "description"),
        method=method,
        options=[line for line in text(form, "options").splitlines() if line.strip()],
        seats=whole_number(form, "seats", 1) or 0,
        max_choices=whole_number(form, "max_choices", None),
        threshold=Threshold(threshold)
        if method is Method.RESOLUTION and threshold in set(Threshold)
        else (Threshold.SIMPLE if method is Method.RESOLUTION else None),
        quorum_bp=quorum_bp,
        opens_at=local_time(form, "opens_at", zone),
        closes_at=local_time(form, "closes_at", zone),
        eligible_constituencies=listed(form, "constituencies"),
        eligible_organisations=listed(form, "organisations"),
    )


def form_of(ballot: Ballot, labels: list[str]) -> dict[str, Any]:
    """A stored ballot as the values of its edit form."""
    return {
        "title": ballot.title,
        "description": ballot.description,
        "method": ballot.method.value,
        "options": "\n".join(labels),
        "seats": str(ballot.seats),
        "max_choices": str(ballot.max_choices or ""),
        "threshold": ballot.threshold.value if ballot.threshold else "",
        "quorum": f"{ballot.quorum_bp / 100:g}",
        "opens_at": ballot.opens_at,
        "closes_at": ballot.closes_at,
        "constituencies": list(ballot.eligible_constituencies),
        "organisations": list(ballot.eligible_organisations),
    }


class RunningBallotPages(Controller):
    path = "/governance/ballots"
    opt = requires(Role.GOVERNOR)
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request[Any, Any, Any], db: Db, now: Now) -> Template:
        found = ballots.list_ballots(db, now=now, include_drafts=True)
        return page(
            request,
            "running/index.html",
            rows=[(b, ballots.turnout(db, b)) for b in found],
            methods=METHOD_NAMES,
        )

    def _form(self, request: Request[Any, Any, Any], db: Db, **context: Any) -> Template:
        return page(
            request,
            "running/form.html",
            methods=METHOD_NAMES,
            thresholds=THRESHOLD_NAMES,
            constituencies=members.constituencies(db),
            organisations=members.organisations(db),
            **context,
        )

    @get("/new", sync_to_thread=True)
    def new(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return self._form(
            request,
            db,
            action="/governance/ballots/new",
            form={"method": "resolution", "seats": "1", "quorum": "0"},
        )

    @post("/new", sync_to_thread=True)
    def create(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        settings: CurrentSettings,
        data: FormData,
    ) -> Template | Redirect:
        try:
            ballot = ballots.create_ballot(
                db, definition_from_form(data, settings), actor_id=principal.member_id, now=now
            )
        except InvalidInput as problem:
            return self._form(
                request,
                db,
                action="/governance/ballots/new",
                status_code=422,
                errors=problem.field_errors or {"form": problem.detail},
                form=data,
            )
        return redirect(request, f"/governance/ballots/{ballot.public_id}", "Draft ballot saved.")

    @get("/{ballot_id:str}", sync_to_thread=True)
    def show(
        self, request: Request[Any, Any, Any], db: Db, now: Now, ballot_id: FromPath[str]
    ) -> Template:
        ballot = ballots.get_ballot(db, ballot_id, now)
        closed = ballot.status is BallotStatus.CLOSED
        return page(
            request,
            "running/show.html",
            ballot=ballot,
            preview=result_view(results.preview(db, ballot, now=now)) if closed else None,
            results_public=cooperative.current(db).results_public,
            options=ballots.options(db, ballot),
            turnout=ballots.turnout(db, ballot),
            method_name=METHOD_NAMES[ballot.method],
            threshold_name=THRESHOLD_NAMES.get(ballot.threshold) if ballot.threshold else None,
        )

    @get("/{ballot_id:str}/edit", sync_to_thread=True)
    def edit(
        self, request: Request[Any, Any, Any], db: Db, now: Now, ballot_id: FromPath[str]
    ) -> Template | Redirect:
        ballot = ballots.get_ballot(db, ballot_id, now)
        if ballot.status is not BallotStatus.DRAFT:
            return redirect(
                request, f"/governance/ballots/{ballot_id}", "Only a draft can be edited.", "error"
            )
        labels = [o.label for o in ballots.options(db, ballot)]
        return self._form(
            request,
            db,
            action=f"/governance/ballots/{ballot_id}/edit",
            form=form_of(ballot, labels),
            ballot=ballot,
        )

    @post("/{ballot_id:str}/edit", sync_to_thread=True)
    def update(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        settings: CurrentSettings,
        ballot_id: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        ballot = ballots.get_ballot(db, ballot_id, now)
        try:
            ballots.update_ballot(
                db,
                ballot,
                definition_from_form(data, settings),
                actor_id=principal.member_id,
                now=now,
            )
        except InvalidInput as problem:
            return self._form(
                request,
                db,
                action=f"/governance/ballots/{ballot_id}/edit",
                status_code=422,
                ballot=ballot,
                errors=problem.field_errors or {"form": problem.detail},
                form=data,
            )
        return redirect(request, f"/governance/ballots/{ballot_id}", "Changes saved.")

    @post("/{ballot_id:str}/{action:str}", sync_to_thread=True)
    def act(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        action: FromPath[str],
        data: FormData,
    ) -> Redirect:
        ballot = ballots.get_ballot(db, ballot_id, now)
        actor = principal.member_id
        steps: dict[str, Callable[[], object]] = {
            "open": lambda: ballots.open_ballot(db, ballot, actor_id=actor, now=now),
            "close": lambda: ballots.close_ballot(db, ballot, actor_id=actor, now=now),
            "cancel": lambda: ballots.cancel_ballot(
                db, ballot, reason=text(data, "reason"), actor_id=actor, now=now
            ),
            "publish": lambda: results.publish_result(db, ballot, actor_id=actor, now=now),
            "correct": lambda: results.correct_result(
                db, ballot, reason=text(data, "reason"), actor_id=actor, now=now
            ),
        }
        if action not in steps:
            raise NotFoundException("No such action.")
        if problem := attempt(db, steps[action]):
            return redirect(request, f"/governance/ballots/{ballot_id}", problem.detail, "error")
        return redirect(
            request, f"/governance/ballots/{ballot_id}", f"The ballot is now {ballot.status.value}."
        )
