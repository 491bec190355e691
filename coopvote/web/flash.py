"""One-time messages carried across a redirect in a signed cookie, so that they work for
visitors who are not signed in as well."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

COOKIE = "coopvote_flash"


def _sign(payload: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def flash_cookie(messages: list[tuple[str, str]], secret: str, *, secure: bool) -> Cookie:
    """``messages``: ``(category, text)`` pairs; category ``success``, ``info`` or ``error``."""
    payload = base64.urlsafe_b64encode(json.dumps(messages).encode())
    value = f"{payload.decode()}.{_sign(payload, secret)}"
    return Cookie(key=COOKIE, value=value, path="/", httponly=True, samesite="lax", secure=secure)


def clear_flash_cookie(*, secure: bool) -> Cookie:
    return Cookie(
        key=COOKIE, value="", path="/", max_age=0, httponly=True, samesite="lax", secure=secure
    )


def read_flashes(request: Request[Any, Any, Any], secret: str) -> list[tuple[str, str]]:
    raw = request.cookies.get(COOKIE, "")
    payload, _, signature = raw.partition(".")
    if not payload or not hmac.compare_digest(signature, _sign(payload.encode(), secret)):
        return []
    try:
        messages = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return []
    return [(str(category), str(text)) for category, text in messages]
