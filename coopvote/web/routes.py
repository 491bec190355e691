"""Every controller of the app, in one list."""

from litestar.types import ControllerRouterHandler

from coopvote.web.api.account_links import AccountLinksController
from coopvote.web.api.audit import AuditController
from coopvote.web.api.ballots import BallotsController
from coopvote.web.api.elections import ElectionsController, NominationsController
from coopvote.web.api.health import HealthController
from coopvote.web.api.meetings import MeetingsController
from coopvote.web.api.members import MeController, MembersController, PublicController
from coopvote.web.api.proposals import ProposalsController
from coopvote.web.api.results import ResultsController
from coopvote.web.pages.account_links import AccountLinkPages
from coopvote.web.pages.admin import AdminPages
from coopvote.web.pages.audit import AuditPages
from coopvote.web.pages.auth import AuthPages
from coopvote.web.pages.elections import ElectionPages
from coopvote.web.pages.forum import ForumPages
from coopvote.web.pages.forum_governance import ForumGovernancePages
from coopvote.web.pages.governance import GovernancePages
from coopvote.web.pages.home import home, welcome
from coopvote.web.pages.meetings import MeetingPages
from coopvote.web.pages.membership import MembershipPages
from coopvote.web.pages.my_data import MyDataPages
from coopvote.web.pages.outbox import OutboxPages
from coopvote.web.pages.privacy import PrivacyPages
from coopvote.web.pages.register_rights import LeaversPages, RegisterRightsPages
from coopvote.web.pages.results import ReceiptPages, ResultPages
from coopvote.web.pages.running_ballots import RunningBallotPages
from coopvote.web.pages.trustees import TrusteePages
from coopvote.web.pages.voting import VotingPages

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    HealthController,
    PublicController,
    MeController,
    MembersController,
    AccountLinksController,
    AuditController,
    BallotsController,
    ProposalsController,
    MeetingsController,
    ResultsController,
    ElectionsController,
    NominationsController,
    home,
    welcome,
    AuthPages,
    AccountLinkPages,
    MembershipPages,
    MyDataPages,
    RegisterRightsPages,
    LeaversPages,
    PrivacyPages,
    GovernancePages,
    OutboxPages,
    AdminPages,
    TrusteePages,
    AuditPages,
    VotingPages,
    RunningBallotPages,
    ForumPages,
    ForumGovernancePages,
    ElectionPages,
    MeetingPages,
    ResultPages,
    ReceiptPages,
]
