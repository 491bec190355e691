"""A member's own page: their status and number, their password, address and choice of
notices, and withdrawing."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from coopvote.errors import DomainError
from coopvote.mail import service as mail
from coopvote.mail import views as mail_views
from coopvote.mail.models import Topic
from coopvote.members import service as members
from coopvote.members import views
from coopvote.members.rules import Transition
from coopvote.web import signing
from coopvote.web.access import OWN_ACCOUNT
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import FormData, checked, text
from coopvote.web.templating import page, redirect, reshow

TOPICS = [
    (Topic.BALLOTS, "When a ballot I may vote in opens, and a reminder if I have not voted"),
    (Topic.RESULTS, "When a result I was on the roll for is published"),
    (Topic.FORUM, "News of my proposals in the forum"),
]


class MembershipPages(Controller):
    path = "/membership"
    opt = OWN_ACCOUNT
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def mine(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal
    ) -> Template:
        return page(request, "members/me.html", **self._context(db, principal))

    def _context(self, db: Db, principal: CurrentPrincipal) -> dict[str, Any]:
        mine = views.my_membership(db, principal.public_id)
        return {
            "me": mine.member,
            "history": mine.history,
            "can_withdraw": mine.can_withdraw,
            "term_ends": mine.term_ends,
            "topics": TOPICS,
            "topics_on": mail_views.topics_on(db, principal.member_id),
        }

    @post("/password", sync_to_thread=True)
    def change_password(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        """Current password, then the new one: every other session ends (this one stays)."""
        try:
            signing.change_password(
                request,
                principal=principal,
                current=text(data, "current_password"),
                new=text(data, "password"),
                now=now,
            )
        except DomainError as problem:
            return self._reshow(request, principal, problem, data)
        return redirect(
            request, "/membership", "Your password is changed; you were signed out elsewhere."
        )

    @post("/email", sync_to_thread=True)
    def change_email(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        """Your password again, then the new address: a link to confirm it goes there."""
        try:
            signing.request_email_change(
                request,
                principal=principal,
                password=text(data, "email_password"),
                email=text(data, "email"),
                now=now,
            )
        except DomainError as problem:
            return self._reshow(request, principal, problem, data)
        return redirect(
            request,
            "/membership",
            "We have sent a link to the new address: follow it to start using it.",
        )

    def _reshow(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        problem: DomainError,
        data: dict[str, Any],
    ) -> Template:
        with request.app.state.database.reading() as db:
            context = self._context(db, principal)
        return reshow(request, "members/me.html", problem, data, **context)

    @post("/notices", sync_to_thread=True)
    def notices(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Redirect:
        mail.set_topics(
            db,
            member=views.get_member(db, principal.public_id),
            wanted=[topic for topic, _label in TOPICS if checked(data, topic.value)],
            now=now,
        )
        return redirect(request, "/membership", "Your choice of emails is saved.")

    @post("/withdraw", sync_to_thread=True)
    def withdraw(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Redirect:
        if not checked(data, "confirm"):
            return redirect(
                request,
                "/membership",
                "Tick the box to confirm that you want to end your membership.",
                "error",
            )
        members.change_status(
            db,
            member=views.get_member(db, principal.public_id),
            transition=Transition.WITHDREW,
            actor_id=principal.member_id,
            now=now,
        )
        return redirect(
            request, "/", "Your membership has ended. Thank you for taking part.", "info"
        )
