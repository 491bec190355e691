"""Reading HTML forms: every page form arrives URL-encoded."""

from __future__ import annotations

from typing import Any

from litestar.params import URLEncodedBody

#: The type of a form body parameter: ``data: FormData``.
FormData = URLEncodedBody[dict[str, Any]]


def text(form: dict[str, Any], name: str) -> str:
    """One text field; a field sent twice counts as its last value."""
    value = form.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value)


def checked(form: dict[str, Any], name: str) -> bool:
    return text(form, name) in {"on", "true", "1", "yes"}


def without_secrets(form: dict[str, Any]) -> dict[str, str]:
    """What may be typed back into a re-shown form: never a password."""
    return {
        name: text(form, name) for name in form if "password" not in name and name != "_csrf_token"
    }
