"""The outbox, for governors and admins: what was queued, sent and failed (with the error),
and retrying a failure. A reminder's recipient is never shown (``mail.views``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from coopvote.ballots import views as ballot_views
from coopvote.mail import service as mail
from coopvote.mail import views
from coopvote.mail.models import MessageState
from coopvote.members.models import Role
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now, attempt
from coopvote.web.forms import FormData, local_time
from coopvote.web.templating import page, redirect

MAX_DIGITS = 9


class OutboxPages(Controller):
    path = "/governance/outbox"
    opt = requires(Role.GOVERNOR, Role.ADMIN)
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def outbox(
        self, request: Request[Any, Any, Any], db: Db, which: FromQuery[str] = ""
    ) -> Template:
        chosen = MessageState(which) if which in {s.value for s in MessageState} else None
        return page(
            request,
            "governance/outbox.html",
            messages=views.outbox(db, state=chosen),
            counts=views.counts(db),
            chosen=chosen,
            states=list(MessageState),
            reminders=views.recent_reminders(db),
            open_ballots=views.open_ballots_reminders(db),
        )

    @post("/reminders/{ballot_id:str}", sync_to_thread=True)
    def set_reminders(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        ballot_id: FromPath[str],
        data: FormData,
        now: Now,
        settings: CurrentSettings,
    ) -> Redirect:
        """A governor's reminder time for an open ballot (empty: no more reminders)."""
        ballot = ballot_views.find_ballot(db, ballot_id)

        def change() -> None:
            moment = local_time(data, "remind_at", ZoneInfo(settings.timezone))
            mail.set_reminders(
                db,
                ballot=ballot,
                at=[moment] if moment else [],
                actor_id=principal.member_id,
                now=now,
            )

        if problem := attempt(db, change):
            return redirect(request, "/governance/outbox", problem.detail, "error")
        return redirect(request, "/governance/outbox", f"Reminders for {ballot.title} are set.")

    @post("/{message_id:str}/retry", sync_to_thread=True)
    def retry(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        message_id: FromPath[str],
        now: Now,
    ) -> Redirect:
        # ASCII digits only ("²" is a digit to Python), nine at most: always an int column's.
        if not (message_id.isascii() and message_id.isdigit() and len(message_id) <= MAX_DIGITS):
            raise NotFoundException("No such message.")
        problem = attempt(
            db,
            lambda: mail.retry(
                db, message_id=int(message_id), actor_id=principal.member_id, now=now
            ),
        )
        if problem is not None:
            return redirect(request, "/governance/outbox", problem.detail, "error")
        return redirect(request, "/governance/outbox", "The message is queued again.")
