from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from coopvote.web.access import PUBLIC
from coopvote.web.templating import page


@get("/", opt=PUBLIC, sync_to_thread=False, include_in_schema=False)
def home(request: Request[Any, Any, Any]) -> Template:
    return page(request, "home.html")
