"""``/api/v1/elections`` and ``/api/v1/nominations``: elections with nominations and
constituency seats (issue 15). Each handler parses, calls one elections command or read
model, and shapes the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from coopvote.ballots.models import Method
from coopvote.elections import service as elections
from coopvote.elections import views
from coopvote.elections.models import CandidateOrder, Contest, Election, Nomination
from coopvote.elections.rules import ContestDefinition, ElectionDefinition, can_see_nomination
from coopvote.elections.views import ContestResult, ContestView, NominationView
from coopvote.errors import InvalidInput, NotFound
from coopvote.members.models import Role
from coopvote.members.views import get_member
from coopvote.web.access import RESULTS_READERS, SIGNED_IN, requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.shapes import EligibilityIn, ReasonIn


@dataclass
class ContestIn:
    title: str
    seats: int
    method: Method
    eligible: EligibilityIn = field(default_factory=EligibilityIn)


@dataclass
class ElectionIn:
    title: str
    nominations_open_at: datetime
    nominations_close_at: datetime
    voting_opens_at: datetime
    voting_closes_at: datetime
    contests: list[ContestIn]
    description: str = ""
    #: Seconders each nomination needs, from the contest's electorate.
    seconders: int = 1
    #: Whether an uncontested contest still goes to a yes/no vote.
    confirmatory_vote: bool = False
    #: ``surname`` (alphabetical by surname) or ``random`` (a new order on each paper shown).
    candidate_order: CandidateOrder = CandidateOrder.SURNAME

    def definition(self) -> ElectionDefinition:
        moments = {
            "nominations_open_at": self.nominations_open_at,
            "nominations_close_at": self.nominations_close_at,
            "voting_opens_at": self.voting_opens_at,
            "voting_closes_at": self.voting_closes_at,
        }
        naive = {
            name: "Give the time with an offset, e.g. 2026-12-01T09:00:00+00:00."
            for name, moment in moments.items()
            if moment.tzinfo is None
        }
        if naive:
            raise InvalidInput(
                "Give times with an offset, e.g. 2026-12-01T09:00:00+00:00.", field_errors=naive
            )
        return ElectionDefinition(
            title=self.title,
            description=self.description,
            contests=[
                ContestDefinition(
                    title=c.title,
                    seats=c.seats,
                    method=c.method,
                    eligible_constituencies=c.eligible.constituencies,
                    eligible_organisations=c.eligible.organisations,
                )
                for c in self.contests
            ],
            seconders=self.seconders,
            confirmatory_vote=self.confirmatory_vote,
            candidate_order=self.candidate_order,
            **moments,
        )


@dataclass
class NominationIn:
    #: Markdown, at most 500 words.
    statement: str
    #: The public id of the member nominated; absent or null: oneself.
    nominee: str | None = None


@dataclass
class CandidateOut:
    #: The nomination's id.
    id: str
    name: str
    #: Markdown as written; pages show it sanitised.
    statement: str


@dataclass
class NominationOut:
    id: str
    contest_id: str
    nominee: str
    nominee_id: str
    nominator: str
    statement: str
    #: ``awaiting_consent``, ``submitted``, ``approved``, ``rejected`` or ``withdrawn``.
    status: str
    seconds: int
    #: Why a governor rejected it.
    reason: str | None
    #: Where the nominee's photo is served (a JPEG), or null.
    photo: str | None


@dataclass
class ContestOut:
    id: str
    title: str
    seats: int
    method: str
    eligible: EligibilityIn
    candidates: list[CandidateOut]
    #: Nominations in progress that the caller may see (their own; all for governors; those
    #: they may second).
    nominations: list[NominationOut]
    #: Once nominations close: ``unopposed``, ``vacant``, ``balloted`` or ``confirmatory``.
    outcome: str | None
    #: The ordinary ballot deciding a balloted or confirmatory contest.
    ballot_id: str | None


@dataclass
class ElectionOut:
    id: str
    title: str
    description: str
    #: ``draft``, ``nominations``, ``voting``, ``closed`` or ``declared``.
    status: str
    nominations_open_at: datetime
    nominations_close_at: datetime
    nominations_closed_at: datetime | None
    voting_opens_at: datetime
    voting_closes_at: datetime
    seconders: int
    confirmatory_vote: bool
    candidate_order: str
    contests: list[ContestOut]


@dataclass
class ElectionSummaryOut:
    id: str
    title: str
    status: str
    nominations_close_at: datetime
    voting_closes_at: datetime


@dataclass
class ContestResultOut:
    id: str
    title: str
    seats: int
    outcome: str | None
    #: Whether this contest's result is declared (a balloted one: once published).
    declared: bool
    elected: list[str]
    vacant: int
    ballot_id: str | None
    #: A balloted contest's turnout (a decimal fraction of its roll, as a string).
    turnout: str | None
    votes_cast: int | None
    electorate: int | None
    #: The SHA-256 of the declaration: an unopposed or vacant contest's own, a balloted
    #: one's published result's (``GET /api/v1/ballots/{ballot_id}/results`` has the count).
    declaration_sha256: str | None


@dataclass
class ElectionResultsOut:
    id: str
    title: str
    declared: bool
    contests: list[ContestResultOut]


def _nomination_out(view: NominationView) -> NominationOut:
    n = view.nomination
    return NominationOut(
        id=n.public_id,
        contest_id=view.contest.public_id,
        nominee=view.nominee,
        nominee_id=view.nominee_public_id,
        nominator=view.nominator,
        statement=n.statement,
        status=n.status.value,
        seconds=view.seconds,
        reason=n.reason or None,
        photo=f"/elections/nominations/{n.public_id}/photo" if n.photo else None,
    )


def _contest_out(view: ContestView) -> ContestOut:
    c = view.contest
    return ContestOut(
        id=c.public_id,
        title=c.title,
        seats=c.seats,
        method=c.method.value,
        eligible=EligibilityIn(list(c.eligible_constituencies), list(c.eligible_organisations)),
        candidates=[
            CandidateOut(v.nomination.public_id, v.nominee, v.nomination.statement)
            for v in view.candidates
        ],
        nominations=[_nomination_out(v) for v in view.nominations],
        outcome=c.outcome.value if c.outcome else None,
        ballot_id=view.ballot.public_id if view.ballot else None,
    )


def _election_out(db: Db, election_id: str, principal: CurrentPrincipal, now: Now) -> ElectionOut:
    election = views.find_election(db, election_id)
    view = views.election_view(
        db, election, member_id=principal.member_id, roles=principal.roles, now=now
    )
    e = view.election
    return ElectionOut(
        id=e.public_id,
        title=e.title,
        description=e.description,
        status=view.status.value,
        nominations_open_at=e.nominations_open_at,
        nominations_close_at=e.nominations_close_at,
        nominations_closed_at=e.nominations_closed_at,
        voting_opens_at=e.voting_opens_at,
        voting_closes_at=e.voting_closes_at,
        seconders=e.seconders,
        confirmatory_vote=e.confirmatory_vote,
        candidate_order=e.candidate_order.value,
        contests=[_contest_out(c) for c in view.contests],
    )


def _result_out(c: ContestResult) -> ContestResultOut:
    return ContestResultOut(
        id=c.contest_id,
        title=c.title,
        seats=c.seats,
        outcome=c.outcome,
        declared=c.declared,
        elected=c.elected,
        vacant=c.vacant,
        ballot_id=c.ballot_id,
        turnout=c.turnout,
        votes_cast=c.votes_cast,
        electorate=c.electorate,
        declaration_sha256=c.declaration_sha256,
    )


class ElectionsController(Controller):
    path = "/api/v1/elections"
    tags = ["elections"]
    opt = requires(Role.GOVERNOR)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create(
        self, db: Db, principal: CurrentPrincipal, now: Now, data: JSONBody[ElectionIn]
    ) -> ElectionOut:
        """Define an election and its contests (governors)."""
        election = elections.create_election(
            db, data.definition(), actor_id=principal.member_id, now=now
        )
        return _election_out(db, election.public_id, principal, now)

    @get("/", opt=SIGNED_IN, sync_to_thread=True)
    def list_elections(self, db: Db, now: Now) -> list[ElectionSummaryOut]:
        return [
            ElectionSummaryOut(
                e.public_id,
                e.title,
                views.status_of(db, e, now).value,
                e.nominations_close_at,
                e.voting_closes_at,
            )
            for e in views.list_elections(db)
        ]

    @get("/{election_id:str}", opt=SIGNED_IN, sync_to_thread=True)
    def election(
        self, db: Db, principal: CurrentPrincipal, now: Now, election_id: FromPath[str]
    ) -> ElectionOut:
        """The timetable, each contest with its candidates, and, once nominations close, its
        outcome (and ballot)."""
        return _election_out(db, election_id, principal, now)

    @get("/{election_id:str}/results", opt=RESULTS_READERS, sync_to_thread=True)
    def results(self, db: Db, election_id: FromPath[str]) -> ElectionResultsOut:
        """Every contest's result: elected (unopposed or by ballot), vacant seats, turnout."""
        found = views.election_results(db, election_id)
        return ElectionResultsOut(
            found.election_id, found.title, found.declared, [_result_out(c) for c in found.contests]
        )

    @post(
        "/{election_id:str}/contests/{contest_id:str}/nominations",
        opt=requires(Role.MEMBER),
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
    )
    def nominate(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        election_id: FromPath[str],
        contest_id: FromPath[str],
        data: JSONBody[NominationIn],
    ) -> NominationOut:
        """Nominate oneself, or another member of the contest's electorate (who must accept),
        during the nomination window."""
        election = elections.get_election(db, election_id, now)
        contest = views.find_contest(db, election, contest_id)
        nominee_id = get_member(db, data.nominee).id if data.nominee else None
        nomination = elections.nominate(
            db,
            election,
            contest,
            nominator_id=principal.member_id,
            nominee_id=nominee_id,
            statement=data.statement,
            now=now,
        )
        return _shown(db, nomination, principal, now)

    @post("/{election_id:str}/close-nominations", status_code=HTTP_200_OK, sync_to_thread=True)
    def close_nominations(
        self, db: Db, principal: CurrentPrincipal, now: Now, election_id: FromPath[str]
    ) -> ElectionOut:
        """Close nominations now (governors): each contest is declared or balloted. Closing
        a closed election changes nothing and answers the same."""
        election = elections.get_election(db, election_id, now)
        elections.close_nominations(db, election, actor_id=principal.member_id, now=now)
        return _election_out(db, election_id, principal, now)


def _shown(db: Db, nomination: Nomination, principal: CurrentPrincipal, now: Now) -> NominationOut:
    """A nomination as the caller sees it; 404 when they may not know of it."""
    n, contest, election = views.find_nomination(db, nomination.public_id)
    viewer = views.elector(db, principal.member_id)
    if not can_see_nomination(contest, n, viewer, is_governor=Role.GOVERNOR in principal.roles):
        raise NotFound("No such nomination.")
    for contest_view in views.election_view(
        db, election, member_id=principal.member_id, roles=principal.roles, now=now
    ).contests:
        for view in contest_view.candidates + contest_view.nominations:
            if view.nomination.id == n.id:
                return _nomination_out(view)
    raise NotFound("No such nomination.")


class NominationsController(Controller):
    path = "/api/v1/nominations"
    tags = ["elections"]
    opt = requires(Role.MEMBER)

    def _act(self, db: Db, nomination_id: str, now: Now) -> tuple[Nomination, Contest, Election]:
        """The nomination acted on, its election's nominations closed first if due."""
        nomination, contest, election = views.find_nomination(db, nomination_id)
        elections.catch_up(db, election, now)
        return nomination, contest, election

    @get("/{nomination_id:str}", opt=SIGNED_IN, sync_to_thread=True)
    def nomination(
        self, db: Db, principal: CurrentPrincipal, now: Now, nomination_id: FromPath[str]
    ) -> NominationOut:
        nomination, _, _ = views.find_nomination(db, nomination_id)
        return _shown(db, nomination, principal, now)

    @post("/{nomination_id:str}/second", status_code=HTTP_200_OK, sync_to_thread=True)
    def second(
        self, db: Db, principal: CurrentPrincipal, now: Now, nomination_id: FromPath[str]
    ) -> NominationOut:
        """Second a nomination: once, from the contest's electorate, never one's own."""
        nomination, contest, election = self._act(db, nomination_id, now)
        elections.second(db, election, contest, nomination, member_id=principal.member_id, now=now)
        return _shown(db, nomination, principal, now)

    @post("/{nomination_id:str}/accept", status_code=HTTP_200_OK, sync_to_thread=True)
    def accept(
        self, db: Db, principal: CurrentPrincipal, now: Now, nomination_id: FromPath[str]
    ) -> NominationOut:
        """The nominee agrees to stand (when someone else nominated them)."""
        nomination, _, election = self._act(db, nomination_id, now)
        elections.consent(db, election, nomination, member_id=principal.member_id, now=now)
        return _shown(db, nomination, principal, now)

    @post("/{nomination_id:str}/withdraw", status_code=HTTP_200_OK, sync_to_thread=True)
    def withdraw(
        self, db: Db, principal: CurrentPrincipal, now: Now, nomination_id: FromPath[str]
    ) -> NominationOut:
        """The nominee withdraws; refused (409) once nominations have closed."""
        nomination, _, election = self._act(db, nomination_id, now)
        elections.withdraw(db, election, nomination, member_id=principal.member_id, now=now)
        return _shown(db, nomination, principal, now)

    @post(
        "/{nomination_id:str}/approve",
        opt=requires(Role.GOVERNOR),
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def approve(
        self, db: Db, principal: CurrentPrincipal, now: Now, nomination_id: FromPath[str]
    ) -> NominationOut:
        """A governor accepts a nomination with its seconders: the nominee is a candidate."""
        nomination, _, election = self._act(db, nomination_id, now)
        elections.approve(db, election, nomination, actor_id=principal.member_id, now=now)
        return _shown(db, nomination, principal, now)

    @post(
        "/{nomination_id:str}/reject",
        opt=requires(Role.GOVERNOR),
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def reject(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        nomination_id: FromPath[str],
        data: JSONBody[ReasonIn],
    ) -> NominationOut:
        """A governor rejects a nomination, with a reason shown to the nominee."""
        nomination, _, election = self._act(db, nomination_id, now)
        elections.reject(
            db, election, nomination, reason=data.reason, actor_id=principal.member_id, now=now
        )
        return _shown(db, nomination, principal, now)
