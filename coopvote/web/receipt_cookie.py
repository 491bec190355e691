"""The voter's receipts (trackers) for the rest of their browser session: a signed, HttpOnly
cookie, never a database row next to the member. It lasts until the browser closes, and shows
its receipts only to the member who voted (another signing in on the same browser sees none)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from coopvote.settings import Settings
from coopvote.web.signed_cookie import opened, sealed

NAME = "coopvote_receipts"
#: A member votes in few ballots at once; older receipts drop out beyond this.
KEPT = 20


def read(request: Request[Any, Any, Any], settings: Settings, member_id: int) -> dict[str, str]:
    """The member's receipts kept in this browser, by ballot id; empty when none, when they are
    another member's, or when the cookie was tampered with."""
    kept = opened(settings, "receipts", request.cookies.get(NAME, ""))
    if not isinstance(kept, dict) or kept.get("member") != member_id:
        return {}
    receipts = kept.get("receipts")
    return {str(k): str(v) for k, v in receipts.items()} if isinstance(receipts, dict) else {}


def keeping(
    request: Request[Any, Any, Any],
    settings: Settings,
    member_id: int,
    ballot_id: str,
    tracker: str,
) -> Cookie:
    """The cookie with this ballot's receipt added to those the member already keeps here."""
    receipts = {**read(request, settings, member_id), ballot_id: tracker}
    kept = {"member": member_id, "receipts": dict(list(receipts.items())[-KEPT:])}
    return Cookie(
        key=NAME,
        value=sealed(settings, "receipts", kept),
        path="/",
        httponly=True,
        secure=settings.https,
        samesite="lax",
    )


def forgotten(settings: Settings) -> Cookie:
    """The cookie's removal: signing out leaves no receipt for the browser's next user."""
    return Cookie(key=NAME, value="", path="/", httponly=True, secure=settings.https, max_age=0)
