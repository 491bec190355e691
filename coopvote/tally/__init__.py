"""coopvote's counting engine: pure, deterministic, exact.

No database, no web framework, no clock, no floats. Every count returns a `Result`
(frozen; `result.to_json()` gives plain JSON-ready data with figures as decimal strings).
The rules applied are published, one page per method, in docs/counting/.

Interfaces other parts of coopvote rely on (keep them stable):

    count(method, candidates, papers, *, seats=1, tie_order=None, seed=None,
          threshold=None, quorum=None, electorate=None, withdrawn=()) -> Result
        method: "resolution" | "plurality" | "approval" | "irv" | "stv" | "meek" | "schulze".
        papers in the API's shape: {"choice": ...}, {"choices": [...]} or {"ranking": [...]}.
        Ties: lots fall on the tied candidate first in `tie_order`; without a tie order one is
        drawn from `seed` (random if not given) and `result.seed` reports it if a lot was cast.

    count_ranked(method, candidates, ballots, *, seats, tie_order, withdrawn=()) -> Result
        The same for grouped ranked papers (`Ballot(ranking, count)`), e.g. read from BLT.

    draw_tie_order(candidates, seed) -> tuple[str, ...]
        Candidates sorted by SHA-256("<seed>:<candidate>"): the app draws its tie order once,
        publishes the seed, and lists candidates in this order in its BLT export.

    read_blt(text) -> BltElection;  write_blt(election) -> str
        The BLT format of OpenSTV, OpaVote and Droop. read_blt gives the papers as
        `NumberedBallots` (candidates by number, as the file gives them; read as a sequence,
        the same papers as `Ballot`s), which count_ranked takes without turning names back
        into numbers.

    Method modules, for direct use: count_resolution, count_plurality, count_approval,
    count_irv, count_scottish_stv, count_meek, count_schulze.
"""

from coopvote.tally.blt import BltElection, BltError, read_blt, write_blt
from coopvote.tally.counting import METHODS, count, count_ranked
from coopvote.tally.irv import count_irv
from coopvote.tally.meek import count_meek
from coopvote.tally.papers import ballots_from_papers, group_rankings
from coopvote.tally.plurality import count_approval, count_plurality
from coopvote.tally.resolution import count_resolution
from coopvote.tally.schulze import count_schulze
from coopvote.tally.scottish_stv import count_scottish_stv
from coopvote.tally.ties import draw_tie_order
from coopvote.tally.types import (
    Action,
    ActionKind,
    Ballot,
    InvalidPaper,
    NumberedBallots,
    Outcome,
    Result,
    Round,
    TieBreak,
    TieRule,
)

__all__ = [
    "METHODS",
    "Action",
    "ActionKind",
    "Ballot",
    "BltElection",
    "BltError",
    "InvalidPaper",
    "NumberedBallots",
    "Outcome",
    "Result",
    "Round",
    "TieBreak",
    "TieRule",
    "ballots_from_papers",
    "count",
    "count_approval",
    "count_irv",
    "count_meek",
    "count_plurality",
    "count_ranked",
    "count_resolution",
    "count_schulze",
    "count_scottish_stv",
    "draw_tie_order",
    "group_rankings",
    "read_blt",
    "write_blt",
]
