"""Anyone can recount: `coopvote tally` on the downloaded papers reproduces the published
result exactly (winners, their order, every round, ties included), for every method; and
the BLT download counts to the same winners in another tabulator (pref_voting)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.proportional_methods import stv_meek, stv_scottish
from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

from coopvote.ballots.models import Method
from coopvote.cli.tally import tally
from coopvote.db import Database
from tests.factories import make_member
from tests.results.helpers import published_ballot, random_papers
from tests.web.helpers import sign_in

Client = TestClient[Any]
#: What `coopvote tally --json` prints, and so what a recount must reproduce.
COUNTED = (
    "method",
    "seats",
    "candidates",
    "elected",
    "valid_papers",
    "blank_papers",
    "tallies",
    "rounds",
    "tie_breaks",
    "tie_order",
)


@pytest.fixture
def reader(client: Client, database: Database) -> Client:
    with database.transaction() as session:
        make_member(session, email="reader@example.org")
    sign_in(client, "reader@example.org")
    return client


def recount(path: Path, method: str) -> dict[str, Any]:
    outcome = CliRunner().invoke(tally, [str(path), "--method", method, "--json"])
    assert outcome.exit_code == 0, outcome.output
    counted: dict[str, Any] = json.loads(outcome.output)
    return counted


@pytest.mark.parametrize("method", list(Method))
def test_the_downloaded_papers_recount_to_the_published_result(
    reader: Client, database: Database, tmp_path: Path, method: Method
) -> None:
    # Eleven papers over five options: ties, and so lots, are likely somewhere.
    ballot_id = published_ballot(database, method, random_papers(method, 11, seed=11))
    published = reader.get(f"/api/v1/ballots/{ballot_id}/results").json()
    expected = {key: published[key] for key in COUNTED}
    if method is Method.RESOLUTION:
        expected |= {"outcome": published["outcome"], "quorum_met": published["quorum_met"]}
    if method is Method.SCHULZE:
        expected |= {key: published[key] for key in ("ranking", "pairwise", "strongest_paths")}

    recount_file = tmp_path / "recount.json"
    recount_file.write_text(reader.get(f"/api/v1/ballots/{ballot_id}/recount").text)
    assert recount(recount_file, method.value) == expected
    # Lots fall by the board's final head, which nobody chooses; no paper carries a tracker.
    published_file = json.loads(recount_file.read_text())
    board = reader.get(f"/api/v1/ballots/{ballot_id}/board").json()
    assert published_file["tie_order_seed"] == published["tie_order_seed"] == board["head"][:32]
    assert all(set(vote) == {"paper"} for vote in published_file["cast_votes"])

    if method in {Method.IRV, Method.STV, Method.MEEK, Method.SCHULZE}:
        blt = tmp_path / "papers.blt"
        blt.write_text(reader.get(f"/api/v1/ballots/{ballot_id}/cast-votes.blt").text)
        # BLT lists the candidates in the tie order; nothing else may differ.
        from_blt = recount(blt, method.value)
        assert sorted(from_blt.pop("candidates")) == sorted(expected["candidates"])
        assert from_blt == {key: value for key, value in expected.items() if key != "candidates"}


def test_lots_in_the_recount_fall_as_published(
    reader: Client, database: Database, tmp_path: Path
) -> None:
    """Four papers, one per option but the last: every exclusion is by lot."""
    papers = [{"ranking": [name]} for name in ("Ash", "Birch", "Cedar", "Damson")]
    ballot_id = published_ballot(database, Method.IRV, papers)
    published = reader.get(f"/api/v1/ballots/{ballot_id}/results").json()
    assert any(tie["rule"] == "lot" for tie in published["tie_breaks"])
    blt = tmp_path / "papers.blt"
    blt.write_text(reader.get(f"/api/v1/ballots/{ballot_id}/cast-votes.blt").text)
    counted = recount(blt, "irv")
    assert (counted["elected"], counted["tie_breaks"]) == (
        published["elected"],
        published["tie_breaks"],
    )


def read_blt_independently(text: str) -> tuple[list[str], int, list[tuple[list[int], int]]]:
    """A reader written from the format's description alone, sharing no code with
    coopvote's: candidates, seats, and (ranking as candidate numbers, weight)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    count, seats = map(int, lines[0].split())
    papers = []
    index = 1
    while lines[index] != "0":
        weight, *ranking = map(int, lines[index].split())
        papers.append((ranking[:-1], weight))
        index += 1
    names = [re.fullmatch(r'"(.*)"', line).group(1) for line in lines[index + 1 :]]  # type: ignore[union-attr]
    return names[:count], seats, papers


#: Papers with clear winners, so that rules that differ only in how they break ties agree.
CLEAR = {
    Method.IRV: [
        *[{"ranking": ["Ash", "Birch"]}] * 6,
        *[{"ranking": ["Birch", "Cedar"]}] * 5,
        *[{"ranking": ["Cedar", "Birch"]}] * 4,
        *[{"ranking": ["Damson", "Cedar"]}] * 2,
        {"ranking": ["Elm"]},
    ],
    Method.STV: [
        *[{"ranking": ["Ash", "Birch", "Cedar"]}] * 9,
        *[{"ranking": ["Birch", "Ash"]}] * 3,
        *[{"ranking": ["Cedar", "Damson"]}] * 5,
        *[{"ranking": ["Damson", "Cedar"]}] * 4,
        *[{"ranking": ["Elm", "Damson"]}] * 2,
    ],
}
CLEAR[Method.MEEK] = CLEAR[Method.STV]


@pytest.mark.parametrize("method", [Method.IRV, Method.STV, Method.MEEK])
def test_the_blt_download_counts_to_the_same_winners_in_pref_voting(
    reader: Client, database: Database, method: Method
) -> None:
    ballot_id = published_ballot(database, method, CLEAR[method])
    published = reader.get(f"/api/v1/ballots/{ballot_id}/results").json()
    names, seats, papers = read_blt_independently(
        reader.get(f"/api/v1/ballots/{ballot_id}/cast-votes.blt").text
    )
    profile = ProfileWithTies(
        [{c: rank for rank, c in enumerate(ranking, start=1)} for ranking, _ in papers],
        rcounts=[weight for _, weight in papers],
        candidates=list(range(1, len(names) + 1)),
    )
    if method is Method.IRV:
        winners = instant_runoff_for_truncated_linear_orders(profile)
    elif method is Method.STV:
        winners = stv_scottish(profile, num_seats=seats)
    else:
        winners = stv_meek(profile, num_seats=seats)
    assert sorted(names[c - 1] for c in winners) == sorted(published["elected"])
    assert len(published["elected"]) == seats
