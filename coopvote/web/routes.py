"""Every controller of the app, in one list."""

from coopvote.web.api.members import MeController, MembersController, PublicController

ROUTE_HANDLERS = [PublicController, MeController, MembersController]
