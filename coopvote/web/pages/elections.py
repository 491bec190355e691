"""Election pages: the election (timetable, contests, candidates and their statements, the
member's ballots in it), nominating, seconding, consenting and withdrawing for members,
checking nominations and closing them for governors, and the results of every contest.

Each handler parses, calls one elections command or read model, and chooses a template or a
redirect; a refused action comes back as a message on the election's page."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from coopvote.ballots.models import Method
from coopvote.elections import photos, views
from coopvote.elections import service as elections
from coopvote.elections.models import (
    STATEMENT_WORDS,
    CandidateOrder,
    Contest,
    Election,
    Nomination,
)
from coopvote.elections.rules import (
    CONTEST_METHODS,
    ContestDefinition,
    ElectionDefinition,
    can_see_nomination,
)
from coopvote.errors import InvalidInput
from coopvote.members.models import Role
from coopvote.members.views import constituencies, organisations
from coopvote.security.sessions import Principal
from coopvote.web.access import RESULTS_READERS, SIGNED_IN, principal_of, requires
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now, attempt
from coopvote.web.forms import FieldProblems, FormData, checked, local_time, text, whole_number
from coopvote.web.labels import METHOD_NAMES
from coopvote.web.templating import page, redirect, reshow

SHOW = "elections/show.html"


def at(election_id: str) -> str:
    return f"/elections/{election_id}"


def election_context(db: Db, election_id: str, principal: Principal, now: Now) -> dict[str, Any]:
    """What the election's page shows this viewer: the template only lays it out."""
    election = views.find_election(db, election_id)
    view = views.election_view(
        db, election, member_id=principal.member_id, roles=principal.roles, now=now
    )
    return {
        "view": view,
        "my_ballots": views.my_ballots(view, now),
        "is_governor": Role.GOVERNOR in principal.roles,
        "statement_words": STATEMENT_WORDS,
        # Constituencies' and organisations' names, by slug, for each contest's electorate.
        "group_names": {
            **{c.slug: c.name for c in constituencies(db)},
            **{o.slug: o.name for o in organisations(db)},
        },
    }


#: Contest rows on the new-election form; rows left without a title are not contests.
CONTEST_ROWS = 6
TIMETABLE = ("nominations_open_at", "nominations_close_at", "voting_opens_at", "voting_closes_at")
NEW = "elections/new.html"


def read_definition(data: dict[str, Any], zone: ZoneInfo) -> ElectionDefinition:
    """The new-election form as a definition; every field's problem is reported at once (the
    rules' problems, by the same field names, come from the service)."""
    problems = FieldProblems()
    moments = {
        name: problems.read(partial(local_time, data, name, zone), None) for name in TIMETABLE
    }
    seconders = problems.read(partial(whole_number, data, "seconders", 1), None)
    order = text(data, "candidate_order")
    contests = []
    for i in range(CONTEST_ROWS):
        title = text(data, f"contests.{i}.title").strip()
        if not title:
            continue
        method = text(data, f"contests.{i}.method")
        constituency, organisation = (
            text(data, f"contests.{i}.constituency"),
            text(data, f"contests.{i}.organisation"),
        )
        contests.append(
            ContestDefinition(
                title=title,
                seats=problems.read(partial(whole_number, data, f"contests.{i}.seats", 1), None)
                or 0,
                method=Method(method) if method in set(CONTEST_METHODS) else Method.RESOLUTION,
                eligible_constituencies=(constituency,) if constituency else (),
                eligible_organisations=(organisation,) if organisation else (),
            )
        )
    problems.ensure_none()
    return ElectionDefinition(
        title=text(data, "title"),
        description=text(data, "description"),
        contests=contests,
        seconders=seconders or 0,
        confirmatory_vote=checked(data, "confirmatory_vote"),
        candidate_order=CandidateOrder(order)
        if order in set(CandidateOrder)
        else CandidateOrder.SURNAME,
        **moments,
    )


def new_context(db: Db) -> dict[str, Any]:
    return {
        "rows": range(CONTEST_ROWS),
        "methods": [(m.value, METHOD_NAMES[m]) for m in Method if m in CONTEST_METHODS],
        "constituencies": constituencies(db),
        "organisations": organisations(db),
    }


def visible_nomination(
    db: Db, nomination_id: str, principal: Principal
) -> tuple[Nomination, Contest, Election]:
    """A nomination this viewer may see (``rules.can_see_nomination``); else 404."""
    nomination, contest, election = views.find_nomination(db, nomination_id)
    viewer = views.elector(db, principal.member_id)
    if not can_see_nomination(
        contest, nomination, viewer, is_governor=Role.GOVERNOR in principal.roles
    ):
        raise NotFoundException("No such nomination.")
    return nomination, contest, election


class ElectionPages(Controller):
    path = "/elections"
    opt = requires(Role.MEMBER)
    include_in_schema = False

    @get("/", opt=SIGNED_IN, sync_to_thread=True)
    def index(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal, now: Now
    ) -> Template:
        listed = [(e, views.status_of(db, e, now)) for e in views.list_elections(db)]
        return page(
            request,
            "elections/index.html",
            elections=listed,
            is_governor=Role.GOVERNOR in principal.roles,
        )

    @get("/new", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def new(self, request: Request[Any, Any, Any], db: Db) -> Template:
        blank = {"seconders": "1", **{f"contests.{i}.seats": "1" for i in range(CONTEST_ROWS)}}
        return page(request, NEW, form=blank, **new_context(db))

    @post("/new", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def create(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        settings: CurrentSettings,
        data: FormData,
    ) -> Template | Redirect:
        """Define an election (governors); the form comes back with every problem marked."""
        try:
            election = elections.create_election(
                db,
                read_definition(data, ZoneInfo(settings.timezone)),
                actor_id=principal.member_id,
                now=now,
            )
        except InvalidInput as problem:
            return reshow(request, NEW, problem, data, **new_context(db))
        return redirect(request, at(election.public_id), "The election is set up.")

    @get("/{election_id:str}", opt=SIGNED_IN, sync_to_thread=True)
    def show(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        election_id: FromPath[str],
    ) -> Template:
        return page(request, SHOW, **election_context(db, election_id, principal, now))

    @get("/{election_id:str}/results", opt=RESULTS_READERS, sync_to_thread=True)
    def results(
        self, request: Request[Any, Any, Any], db: Db, election_id: FromPath[str]
    ) -> Template:
        election = views.find_election(db, election_id)
        return page(
            request,
            "elections/results.html",
            election=election,
            results=views.results(db, election),
            signed_in=principal_of(request) is not None,
        )

    @post("/{election_id:str}/contests/{contest_id:str}/nominate", sync_to_thread=True)
    def nominate(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        election_id: FromPath[str],
        contest_id: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        """Nominate oneself, or another member by their email address (who must agree)."""
        election = elections.get_election(db, election_id, now)
        contest = views.find_contest(db, election, contest_id)
        # The form is per contest: its fields are named by the contest's id.
        email = text(data, f"nominee-{contest_id}").strip()

        def nominate() -> None:
            nominee = views.member_by_email(db, email) if email else None
            elections.nominate(
                db,
                election,
                contest,
                nominator_id=principal.member_id,
                nominee_id=nominee.id if nominee else None,
                statement=text(data, f"statement-{contest_id}"),
                now=now,
            )

        if problem := attempt(db, nominate):
            marked = {
                f"{name}-{contest_id}": message
                for name, message in (problem.field_errors or {"statement": problem.detail}).items()
            }
            return reshow(
                request,
                SHOW,
                type(problem)(problem.detail, field_errors=marked),
                data,
                **election_context(db, election_id, principal, now),
            )
        done = (
            "Your nomination is made."
            if not email
            else "The nomination is made: they must agree to stand."
        )
        return redirect(request, at(election_id), done)

    @post("/{election_id:str}/close-nominations", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def close_nominations(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        election_id: FromPath[str],
    ) -> Redirect:
        election = elections.get_election(db, election_id, now)
        if problem := attempt(
            db,
            lambda: elections.close_nominations(
                db, election, actor_id=principal.member_id, now=now
            ),
        ):
            return redirect(request, at(election_id), problem.detail, "error")
        return redirect(request, at(election_id), "Nominations are closed.")

    @get("/nominations/{nomination_id:str}", opt=SIGNED_IN, sync_to_thread=True)
    def nomination(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        nomination_id: FromPath[str],
    ) -> Template:
        """A candidate's statement on its own page: what the ballot paper links to."""
        nomination, contest, election = visible_nomination(db, nomination_id, principal)
        return page(
            request,
            "elections/nomination.html",
            nomination=nomination,
            contest=contest,
            election=election,
            nominee=views.member_name(db, nomination.nominee_id),
        )

    @get("/nominations/{nomination_id:str}/photo", opt=SIGNED_IN, sync_to_thread=True)
    def photo(
        self, db: Db, principal: CurrentPrincipal, nomination_id: FromPath[str]
    ) -> Response[bytes]:
        """A nominee's photo, to those who may see the nomination."""
        nomination, _, _ = visible_nomination(db, nomination_id, principal)
        if nomination.photo is None:
            raise NotFoundException("No such photo.")
        return Response(
            nomination.photo,
            media_type="image/jpeg",
            headers={"Cache-Control": "private, max-age=300"},
        )

    @post("/nominations/{nomination_id:str}/photo", sync_to_thread=True)
    def upload_photo(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        nomination_id: FromPath[str],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Redirect:
        """The nominee adds their photo from the election's page."""
        nomination, _, election = views.find_nomination(db, nomination_id)
        elections.catch_up(db, election, now)
        upload = data.get("photo")
        content = upload.file.read(photos.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
        anchor = f"{at(election.public_id)}#nomination-{nomination_id}"
        if problem := attempt(
            db,
            lambda: elections.set_photo(
                db, election, nomination, upload=content, member_id=principal.member_id, now=now
            ),
        ):
            return redirect(request, anchor, problem.detail, "error")
        return redirect(request, anchor, "Your photo is added.")

    @post("/nominations/{nomination_id:str}/{action:str}", sync_to_thread=True)
    def act(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        nomination_id: FromPath[str],
        action: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """Second, accept (agree to stand), withdraw; and, for governors, approve or reject."""
        nomination, contest, election = views.find_nomination(db, nomination_id)
        elections.catch_up(db, election, now)
        me = principal.member_id
        governor = Role.GOVERNOR in principal.roles
        actions: dict[str, tuple[Callable[[], object], str]] = {
            "second": (
                lambda: elections.second(db, election, contest, nomination, member_id=me, now=now),
                "You have seconded the nomination.",
            ),
            "accept": (
                lambda: elections.consent(db, election, nomination, member_id=me, now=now),
                "You have agreed to stand.",
            ),
            "withdraw": (
                lambda: elections.withdraw(db, election, nomination, member_id=me, now=now),
                "Your nomination is withdrawn.",
            ),
        }
        if governor:
            actions["approve"] = (
                lambda: elections.approve(db, election, nomination, actor_id=me, now=now),
                "The nomination is accepted: the nominee is a candidate.",
            )
            actions["reject"] = (
                lambda: elections.reject(
                    db, election, nomination, reason=text(data, "reason"), actor_id=me, now=now
                ),
                "The nomination is rejected; the nominee sees your reason.",
            )
        if action not in actions:
            return redirect(request, at(election.public_id), "There is no such action.", "error")
        run, done = actions[action]
        anchor = f"{at(election.public_id)}#nomination-{nomination_id}"
        if problem := attempt(db, run):
            return redirect(request, anchor, problem.detail, "error")
        return redirect(request, anchor, done)
