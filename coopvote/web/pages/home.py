from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from coopvote.members.models import Role
from coopvote.web.access import PUBLIC, principal_of
from coopvote.web.templating import page


@get("/", opt=PUBLIC, sync_to_thread=False, include_in_schema=False)
def home(request: Request[Any, Any, Any]) -> Template:
    principal = principal_of(request)
    return page(
        request,
        "home.html",
        offers_membership=principal is not None and principal.has(Role.MEMBER),
        offers_governance=principal is not None and principal.has(Role.GOVERNOR),
    )
