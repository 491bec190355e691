"""What the pages call the methods and thresholds of ballots and the statuses of proposals, in
one place."""

from coopvote.ballots.models import Method, Threshold
from coopvote.forum.models import ProposalStatus

METHOD_NAMES = {
    Method.RESOLUTION: "Resolution (for / against / abstain)",
    Method.PLURALITY: "First past the post",
    Method.APPROVAL: "Approval voting",
    Method.IRV: "Instant-runoff (one seat, ranked)",
    Method.STV: "Single transferable vote, Scottish rules (ranked)",
    Method.MEEK: "Single transferable vote, Meek's method (ranked)",
    Method.SCHULZE: "Schulze (ranked, Condorcet)",
}
THRESHOLD_NAMES = {
    Threshold.SIMPLE: "Ordinary: more for than against",
    Threshold.TWO_THIRDS: "Two-thirds of the votes cast",
    Threshold.THREE_QUARTERS: "Special: three-quarters of the votes cast",
}
PROPOSAL_STATUS_NAMES = {
    ProposalStatus.OPEN: "Open",
    ProposalStatus.READY_FOR_BALLOT: "Ready for ballot",
    ProposalStatus.BALLOTED: "Balloted",
    ProposalStatus.CARRIED: "Carried",
    ProposalStatus.NOT_CARRIED: "Not carried",
    ProposalStatus.WITHDRAWN: "Withdrawn",
    ProposalStatus.HIDDEN: "Hidden",
}
