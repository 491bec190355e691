"""Governors' ballot pages: define, edit, open, close, cancel, and watch turnout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coopvote.ballots import service as ballots
from coopvote.ballots import views
from coopvote.ballots.models import Ballot
from coopvote.ballots.rules import can_edit
from coopvote.cooperative import views as cooperative
from coopvote.errors import InvalidInput
from coopvote.members import views as members
from coopvote.members.models import Role
from coopvote.results import service as results
from coopvote.results import views as result_views
from coopvote.web.access import requires
from coopvote.web.ballot_forms import BallotForm
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now, attempt
from coopvote.web.forms import FormData, text
from coopvote.web.labels import METHOD_NAMES, THRESHOLD_NAMES
from coopvote.web.result_view import result_view
from coopvote.web.templating import page, redirect, reshow

FORM = "running/form.html"


@dataclass(frozen=True)
class Step:
    """An irreversible step on a ballot, as its confirmation page puts it."""

    title: str
    effect: str
    button: str
    danger: bool = False
    reason_label: str = ""

    @property
    def needs_reason(self) -> bool:
        return bool(self.reason_label)


STEPS = {
    "open": Step(
        "Open the ballot now",
        "voting starts at once, and the roll is frozen now: the members eligible at this moment"
        " can vote, and nobody admitted later is added. The ballot can no longer be edited.",
        "Open the ballot now",
    ),
    "close": Step(
        "Close the ballot now",
        "voting ends at once, before its planned closing time; members who have not voted yet"
        " can no longer vote. The papers are then counted.",
        "Close the ballot now",
        danger=True,
    ),
    "cancel": Step(
        "Cancel the ballot",
        "the ballot ends for good with your reason shown beside it; no result is declared and"
        " no paper is ever counted.",
        "Cancel the ballot",
        danger=True,
        reason_label="Reason for cancelling (shown with the ballot)",
    ),
    "publish": Step(
        "Publish the result",
        "exactly the result previewed is declared and stored for good with its hash, shown to"
        " the members, and recorded in the audit log.",
        "Publish the result",
    ),
    "correct": Step(
        "Declare a correction",
        "the stored papers are counted again; a different result is published beside the"
        " original, linked to it, with your reason (a recount that gives the same result is"
        " refused).",
        "Recount and declare a correction",
        danger=True,
        reason_label="Reason for the correction",
    ),
}


def form_context(db: Db, action: str, ballot: Ballot | None = None) -> dict[str, Any]:
    """What the definition form offers, besides what was typed."""
    return {
        "action": action,
        "ballot": ballot,
        "methods": METHOD_NAMES,
        "thresholds": THRESHOLD_NAMES,
        "constituencies": members.constituencies(db),
        "organisations": members.organisations(db),
    }


class RunningBallotPages(Controller):
    path = "/governance/ballots"
    opt = requires(Role.GOVERNOR)
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal, now: Now
    ) -> Template:
        return page(
            request,
            "running/index.html",
            rows=views.states(db, roles=principal.roles, now=now),
            methods=METHOD_NAMES,
        )

    @get("/new", sync_to_thread=True)
    def new(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return page(
            request,
            FORM,
            form=BallotForm.blank().values,
            **form_context(db, "/governance/ballots/new"),
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
            definition = BallotForm(data).definition(ZoneInfo(settings.timezone))
            ballot = ballots.create_ballot(db, definition, actor_id=principal.member_id, now=now)
        except InvalidInput as problem:
            return reshow(request, FORM, problem, data, **form_context(db, request.url.path))
        return redirect(request, f"/governance/ballots/{ballot.public_id}", "Draft ballot saved.")

    @get("/{ballot_id:str}", sync_to_thread=True)
    def show(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
    ) -> Template:
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        preview = result_views.preview_if_closed(db, ballot, now=now)
        return page(
            request,
            "running/show.html",
            **vars(views.state(db, ballot, principal.roles, now)),
            preview=result_view(preview) if preview else None,
            results_public=cooperative.current(db).results_public,
            method_name=METHOD_NAMES[ballot.method],
            threshold_name=THRESHOLD_NAMES.get(ballot.threshold) if ballot.threshold else None,
        )

    @get("/{ballot_id:str}/edit", sync_to_thread=True)
    def edit(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
    ) -> Template | Redirect:
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        here = f"/governance/ballots/{ballot.public_id}"
        if not can_edit(ballot, now):
            return redirect(request, here, "Only a draft can be edited.", "error")
        labels = [o.label for o in views.options(db, ballot)]
        return page(
            request,
            FORM,
            form=BallotForm.of(ballot, labels).values,
            **form_context(db, f"{here}/edit", ballot),
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
            definition = BallotForm(data).definition(ZoneInfo(settings.timezone))
            ballots.update_ballot(db, ballot, definition, actor_id=principal.member_id, now=now)
        except InvalidInput as problem:
            return reshow(
                request, FORM, problem, data, **form_context(db, request.url.path, ballot)
            )
        return redirect(request, f"/governance/ballots/{ballot_id}", "Changes saved.")

    @get("/{ballot_id:str}/{action:str}/confirm", sync_to_thread=True)
    def confirm(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        action: FromPath[str],
    ) -> Template:
        """What an irreversible step will do, and the button that does it."""
        if action not in STEPS:
            raise NotFoundException("No such action.")
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        return page(
            request, "running/confirm.html", ballot=ballot, action=action, step=STEPS[action]
        )

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
    ) -> Template | Redirect:
        """An irreversible step, once confirmed on its page (``confirm``)."""
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
        if text(data, "confirmed") != "yes":
            # Not from the confirmation page: it asks first.
            return redirect(request, f"/governance/ballots/{ballot_id}/{action}/confirm")
        if problem := attempt(db, steps[action]):
            if STEPS[action].needs_reason:  # asked again, with what was typed
                return reshow(
                    request,
                    "running/confirm.html",
                    problem,
                    data,
                    ballot=ballot,
                    action=action,
                    step=STEPS[action],
                )
            return redirect(request, f"/governance/ballots/{ballot_id}", problem.detail, "error")
        return redirect(
            request, f"/governance/ballots/{ballot_id}", f"The ballot is now {ballot.status.value}."
        )
