"""A cookie's value signed by the server: JSON, base64 and an HMAC under the app's secret and
a purpose, so that a value made for one purpose is never read for another and a value the
browser altered is read as none."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from coopvote.settings import Settings


def _signature(settings: Settings, purpose: str, payload: str) -> str:
    key = hashlib.sha256(f"{purpose}:{settings.secret_key}".encode()).digest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def sealed(settings: Settings, purpose: str, data: Any) -> str:
    """``data`` (anything JSON holds) as a signed cookie value."""
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    return f"{payload}.{_signature(settings, purpose, payload)}"


def opened(settings: Settings, purpose: str, value: str) -> Any:
    """What ``sealed`` signed for ``purpose``; ``None`` for a value unsigned, altered or
    signed for another purpose."""
    payload, _, signature = value.partition(".")
    if not payload or not hmac.compare_digest(signature, _signature(settings, purpose, payload)):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return None
