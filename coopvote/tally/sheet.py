"""A count as a sheet a returning officer can read: every round's figures and decisions."""

from __future__ import annotations

from coopvote.tally.types import Result, decimal_string

METHOD_NAMES = {
    "irv": "Instant-runoff voting",
    "stv": "Single transferable vote, Scottish rules",
    "meek": "Meek STV (PR Foundation reference rule)",
    "schulze": "Schulze method (winning votes)",
    "plurality": "Plurality (first past the post)",
    "approval": "Approval voting",
    "resolution": "Resolution (for, against, abstain)",
}


def count_sheet(result: Result, title: str = "") -> str:
    """The count as a readable sheet: every round's figures and what was decided on them."""
    lines = [title] if title else []
    lines.append(f"{METHOD_NAMES.get(result.method, result.method)}: {result.seats} seat(s)")
    lines.append(f"Valid papers: {result.valid_papers}   Blank papers: {result.blank_papers}")
    width = max((len(name) for name in result.candidates), default=0) + 2
    width = max(width, len("Lost to rounding") + 2)
    for round_ in result.rounds:
        lines.append("")
        heading = f"Round {round_.number}"
        if round_.quota is not None:
            needed = "quota" if result.method in ("stv", "meek") else "needed to win"
            heading += f"   ({needed} {decimal_string(round_.quota)})"
        lines.append(heading)
        for name, vote in round_.votes.items():
            lines.append(f"  {name:<{width}}{decimal_string(vote):>16}")
        lines.append(f"  {'Exhausted':<{width}}{decimal_string(round_.exhausted):>16}")
        if round_.lost_to_rounding:
            lost = decimal_string(round_.lost_to_rounding)
            lines.append(f"  {'Lost to rounding':<{width}}{lost:>16}")
        for action in round_.actions:
            amount = f" {decimal_string(action.amount)}" if action.amount is not None else ""
            verb = action.kind.value.replace("_", " ")
            lines.append(f"  -> {action.candidate}: {verb}{amount} ({action.reason})")
    if result.ranking is not None:
        lines.append("")
        lines.append("Ranking: " + ", ".join(result.ranking))
    if result.strongest_paths:
        lines.append("Strongest paths (row over column):")
        for row, columns in result.strongest_paths.items():
            cells = ", ".join(f"{column} {strength}" for column, strength in columns.items())
            lines.append(f"  {row}: {cells}")
    for tie in result.tie_breaks:
        how = "by lot" if tie.decided_at_round is None else f"by round {tie.decided_at_round}"
        tied = ", ".join(tie.tied)
        lines.append(f"Tie in round {tie.round} ({tie.purpose}): {tied} -> {tie.chosen}, {how}")
    if not result.valid_papers and result.method != "resolution":
        lines.append("")
        lines.append("No valid paper: there is nothing to count, and the seats stay unfilled.")
    lines.append("")
    if result.outcome is not None:
        lines.append("Outcome: " + result.outcome.value.replace("_", " "))
    else:
        lines.append("Elected: " + (", ".join(result.elected) or "nobody"))
    return "\n".join(lines)
