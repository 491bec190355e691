"""``/api/v1/ballots``: defining and running ballots, and voting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from coopvote.ballots import service as ballots
from coopvote.ballots import trustees, views
from coopvote.ballots.models import Method, Threshold
from coopvote.ballots.rules import Definition
from coopvote.errors import InvalidInput
from coopvote.members.models import Role
from coopvote.members.views import get_member
from coopvote.web.access import SIGNED_IN, requires
from coopvote.web.deps import CurrentPrincipal, Db, Now, Votes
from coopvote.web.shapes import BallotOut, EligibilityIn, ReasonIn, present_ballot


@dataclass
class BallotIn:
    title: str
    method: Method
    closes_at: datetime
    description: str = ""
    options: list[str] = field(default_factory=list)
    seats: int = 1
    max_choices: int | None = None
    threshold: Threshold | None = None
    quorum: float = 0.0
    opens_at: datetime | None = None
    eligible: EligibilityIn = field(default_factory=EligibilityIn)

    def definition(self) -> Definition:
        for moment in (self.opens_at, self.closes_at):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput("Give times with an offset, e.g. 2026-12-01T09:00:00+00:00.")
        if not 0 <= self.quorum <= 1:
            raise InvalidInput(
                "quorum is a fraction of the roll, from 0 to 1.",
                field_errors={"quorum": "From 0 to 1."},
            )
        return Definition(
            title=self.title,
            method=self.method,
            closes_at=self.closes_at,
            description=self.description,
            options=self.options,
            seats=self.seats,
            max_choices=self.max_choices,
            threshold=self.threshold
            or (Threshold.SIMPLE if self.method is Method.RESOLUTION else None),
            quorum_bp=round(self.quorum * 10_000),
            opens_at=self.opens_at,
            eligible_constituencies=self.eligible.constituencies,
            eligible_organisations=self.eligible.organisations,
        )


@dataclass
class ReceiptOut:
    #: The tracker: SHA-256 of the sealed paper, as it appears on the ballot's board.
    receipt: str


@dataclass
class TrusteeIn:
    #: The member's public id.
    member: str


@dataclass
class TrusteeKeyIn:
    #: The trustee's public key (hex), made offline by `coopvote trustee keygen`.
    public_key: str
    #: The challenge's answer (hex), from `coopvote trustee answer`; empty to get the challenge.
    answer: str = ""


@dataclass
class ChallengeOut:
    public_key: str
    #: 32 bytes sealed to ``public_key``, hex: decrypted by `coopvote trustee answer`.
    challenge: str


@dataclass
class OpenBoxIn:
    #: The private keys (hex) of the trustees opening the box together.
    trustee_keys: list[str]


@dataclass
class BoardOut:
    trackers: list[str]
    count: int
    head: str


class BallotsController(Controller):
    path = "/api/v1/ballots"
    tags = ["ballots"]
    opt = requires(Role.GOVERNOR)

    @get("/", opt=SIGNED_IN, sync_to_thread=True)
    def list_ballots(self, db: Db, principal: CurrentPrincipal, now: Now) -> list[BallotOut]:
        found = views.list_ballots(db, roles=principal.roles, now=now)
        return [present_ballot(db, b, principal, now) for b in found]

    @get("/{ballot_id:str}", opt=SIGNED_IN, sync_to_thread=True)
    def ballot(
        self, db: Db, principal: CurrentPrincipal, now: Now, ballot_id: FromPath[str]
    ) -> BallotOut:
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        return present_ballot(db, ballot, principal, now)

    @get("/{ballot_id:str}/board", opt=SIGNED_IN, sync_to_thread=True)
    def board(
        self, db: Db, principal: CurrentPrincipal, now: Now, ballot_id: FromPath[str]
    ) -> BoardOut:
        """The bulletin board: one tracker per sealed paper, sorted, and the chain's head."""
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        return BoardOut(**vars(views.board(db, ballot)))

    @post("/trustees", opt=requires(Role.ADMIN), status_code=HTTP_201_CREATED, sync_to_thread=True)
    def name_trustee(
        self, db: Db, principal: CurrentPrincipal, now: Now, data: JSONBody[TrusteeIn]
    ) -> dict[str, str]:
        """Name a member a ballot trustee (admins)."""
        member = get_member(db, data.member)
        trustees.name_trustee(db, member, actor_id=principal.member_id, now=now)
        return {"member": member.public_id}

    @post("/trustees/challenge", opt=SIGNED_IN, status_code=HTTP_200_OK, sync_to_thread=True)
    def trustee_challenge(
        self, db: Db, principal: CurrentPrincipal, data: JSONBody[TrusteeKeyIn]
    ) -> ChallengeOut:
        """The challenge that proves a trustee holds the private half of ``public_key``."""
        made = trustees.challenge(db, principal.member_id, data.public_key)
        return ChallengeOut(made.public_key, made.sealed)

    @post("/trustees/key", opt=SIGNED_IN, status_code=HTTP_201_CREATED, sync_to_thread=True)
    def trustee_key(
        self, db: Db, principal: CurrentPrincipal, now: Now, data: JSONBody[TrusteeKeyIn]
    ) -> dict[str, str]:
        """Register a trustee's public key, made offline, with its challenge's answer."""
        trustee = trustees.register_public_key(
            db, principal.member_id, data.public_key, data.answer, now=now
        )
        return {"public_key": trustee.public_key or ""}

    @post("/{ballot_id:str}/open-box", opt=SIGNED_IN, status_code=HTTP_200_OK, sync_to_thread=True)
    def open_box(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        data: JSONBody[OpenBoxIn],
    ) -> BallotOut:
        """Trustees open a closed ballot's box together: their keys are the authority."""
        ballot = ballots.get_ballot(db, ballot_id, now)
        trustees.open_with_trustees(
            db, ballot, data.trustee_keys, actor_id=principal.member_id, now=now
        )
        return present_ballot(db, ballot, principal, now)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create(
        self, db: Db, principal: CurrentPrincipal, now: Now, data: JSONBody[BallotIn]
    ) -> BallotOut:
        ballot = ballots.create_ballot(db, data.definition(), actor_id=principal.member_id, now=now)
        return present_ballot(db, ballot, principal, now)

    @put("/{ballot_id:str}", sync_to_thread=True)
    def edit(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        data: JSONBody[BallotIn],
    ) -> BallotOut:
        ballot = ballots.get_ballot(db, ballot_id, now)
        ballots.update_ballot(db, ballot, data.definition(), actor_id=principal.member_id, now=now)
        return present_ballot(db, ballot, principal, now)

    @post("/{ballot_id:str}/open", status_code=HTTP_200_OK, sync_to_thread=True)
    def open(
        self, db: Db, principal: CurrentPrincipal, now: Now, ballot_id: FromPath[str]
    ) -> BallotOut:
        ballot = ballots.get_ballot(db, ballot_id, now)
        ballots.open_ballot(db, ballot, actor_id=principal.member_id, now=now)
        return present_ballot(db, ballot, principal, now)

    @post("/{ballot_id:str}/close", status_code=HTTP_200_OK, sync_to_thread=True)
    def close(
        self, db: Db, principal: CurrentPrincipal, now: Now, ballot_id: FromPath[str]
    ) -> BallotOut:
        ballot = ballots.get_ballot(db, ballot_id, now)
        ballots.close_ballot(db, ballot, actor_id=principal.member_id, now=now)
        return present_ballot(db, ballot, principal, now)

    @post("/{ballot_id:str}/cancel", status_code=HTTP_200_OK, sync_to_thread=True)
    def cancel(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        data: JSONBody[ReasonIn | None] = None,
    ) -> BallotOut:
        ballot = ballots.get_ballot(db, ballot_id, now)
        ballots.cancel_ballot(
            db, ballot, reason=data.reason if data else "", actor_id=principal.member_id, now=now
        )
        return present_ballot(db, ballot, principal, now)

    @post(
        "/{ballot_id:str}/votes",
        opt=requires(Role.MEMBER),
        status_code=HTTP_201_CREATED,
    )
    async def vote(
        self,
        state: State,
        votes: Votes,
        principal: CurrentPrincipal,
        ballot_id: FromPath[str],
        data: JSONBody[dict[str, Any]],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=200)
        ] = None,
    ) -> ReceiptOut:
        """Cast a vote; with an ``Idempotency-Key`` header (one per attempt, chosen by the
        client), a retry of the same attempt gets the same receipt (docs/api.md)."""
        cast = await votes.cast(
            state.database,
            ballot_id,
            member_id=principal.member_id,
            roles=principal.roles,
            paper=data,
            idempotency_key=idempotency_key,
        )
        return ReceiptOut(cast.tracker)
