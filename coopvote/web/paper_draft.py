"""A member's choices on a ballot paper between filling it in and casting it: a signed,
HttpOnly cookie for the browser session, never a database row and never part of a URL.

It lets the review step be a page of its own (post, redirect, get: refreshing it or going Back
to it re-posts nothing), lets "Change my choices" return to a paper filled in as it was, and
keeps the choices of a member whose session ended mid-vote until they sign in again. It is
read only for the member it was made for (``voter_tag``), and forgotten when the vote is cast
and at sign-out."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from coopvote.settings import Settings
from coopvote.web.signed_cookie import opened, sealed

NAME = "coopvote_paper"
PURPOSE = "paper-draft"
#: The fields of a paper (``templates/ballots/paper.html``); nothing else is kept.
_PAPER_FIELD = re.compile(r"choice|choices|rank-\d{1,10}")
#: A mark is a word or a small number; anything longer is not one of the paper's own values.
_LONGEST_VALUE = 16


def voter_tag(settings: Settings, member_id: int) -> str:
    """The opaque tag naming the member a draft belongs to (the paper form carries it, so that
    a draft saved after the session ended is still known to be theirs)."""
    key = hashlib.sha256(f"voter:{settings.secret_key}".encode()).digest()
    return hmac.new(key, str(member_id).encode(), hashlib.sha256).hexdigest()[:32]


def marks(form: Mapping[str, Any]) -> dict[str, Any]:
    """The paper's own fields of a submitted form (lists stay lists), nothing else."""
    kept: dict[str, Any] = {}
    for name, value in form.items():
        if not _PAPER_FIELD.fullmatch(name):
            continue
        values = value if isinstance(value, list) else [value]
        short = [str(v) for v in values if len(str(v)) <= _LONGEST_VALUE]
        kept[name] = short if isinstance(value, list) else (short[0] if short else "")
    return kept


def keeping(settings: Settings, *, voter: str, ballot_id: str, form: Mapping[str, Any]) -> Cookie:
    """The cookie keeping ``form``'s marks on ballot ``ballot_id`` for the member ``voter``
    names (one draft at a time: a newer one replaces it)."""
    draft = {"voter": voter, "ballot": ballot_id, "marks": marks(form)}
    return Cookie(
        key=NAME,
        value=sealed(settings, PURPOSE, draft),
        path="/",
        httponly=True,
        secure=settings.https,
        samesite="lax",
    )


def read(
    request: Request[Any, Any, Any], settings: Settings, member_id: int, ballot_id: str
) -> dict[str, Any] | None:
    """The member's marks on this ballot kept in this browser; ``None`` when there are none,
    when they are another member's or another ballot's, or when the cookie was altered."""
    draft = opened(settings, PURPOSE, request.cookies.get(NAME, ""))
    if (
        not isinstance(draft, dict)
        or draft.get("ballot") != ballot_id
        or not hmac.compare_digest(str(draft.get("voter", "")), voter_tag(settings, member_id))
        or not isinstance(draft.get("marks"), dict)
    ):
        return None
    return marks(draft["marks"])


def forgotten(settings: Settings) -> Cookie:
    """The cookie's removal, once the vote is cast or the member signs out."""
    return Cookie(key=NAME, value="", path="/", httponly=True, secure=settings.https, max_age=0)
