"""Input no handler should ever see, refused in one place before any is parsed: NUL characters
in a path, a query or a body (PostgreSQL refuses them in text, SQLite would store them), and
JSON nested deeper than any of ours (the decoder would recurse until it fails)."""

from __future__ import annotations

import re

from litestar.enums import ScopeType
from litestar.exceptions import ClientException
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

#: Litestar's own cap on a body, in bytes, which this middleware reads before Litestar does.
MAX_BODY = 10_000_000
#: Deeper than any body the API takes (a ballot's ``eligible`` lists are three levels down).
MAX_JSON_DEPTH = 32
NUL_REFUSED = "Text must not contain NUL characters (\\0)."
TOO_DEEP = f"The JSON body is malformed or nested deeper than {MAX_JSON_DEPTH} levels."

#: NUL as each encoding of a request spells it.
_NUL_IN_URL = re.compile(rb"\x00|%00")
_NUL_IN_JSON = re.compile(rb"\x00|\\u0000", re.IGNORECASE)
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")
_BOUNDARY = re.compile(rb'boundary="?([^";]+)"?', re.IGNORECASE)


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the brackets of a JSON text (strings aside) nest deeper than ``limit``, or do
    not pair up. Each pass removes one level, in C: at most ``limit`` passes over the body."""
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", body))
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _INNERMOST.sub(b"", brackets)
    return bool(brackets)


def refusal(path: str, query: bytes, content_type: bytes, body: bytes) -> str | None:
    """Why a request must be refused before it is parsed (``None``: it need not be)."""
    if "\x00" in path or _NUL_IN_URL.search(query):
        return NUL_REFUSED
    media_type = content_type.lower()  # the boundary keeps its case
    if b"json" in media_type:
        if _NUL_IN_JSON.search(body):
            return NUL_REFUSED
        if json_too_deep(body):
            return TOO_DEEP
    elif media_type.startswith(b"multipart/form-data"):
        if any(_NUL_IN_URL.search(part) for part in text_parts(content_type, body)):
            return NUL_REFUSED
    elif _NUL_IN_URL.search(body):  # a form, or any other body: raw or percent-encoded
        return NUL_REFUSED
    return None


def text_parts(content_type: bytes, body: bytes) -> list[bytes]:
    """The parts of a multipart body but its files (a candidate's photo is binary), each with
    its headers; the whole body when it names no boundary it uses."""
    boundary = _BOUNDARY.search(content_type)
    if boundary is None or b"--" + boundary.group(1) not in body:
        return [body]
    return [
        part
        for part in body.split(b"--" + boundary.group(1))
        if b'filename="' not in part.split(b"\r\n\r\n", 1)[0]
    ]


class RefuseHostileInput:
    """ASGI middleware: reads the body (Litestar caps its size) and answers 400 through the
    app's error handlers, so the API gets JSON and the pages a page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        messages: list[ReceiveMessage] = []
        body = b""
        if scope["method"] not in ("GET", "HEAD"):
            while True:
                message = await receive()
                messages.append(message)
                chunk = message.get("body", b"")
                body += chunk if isinstance(chunk, bytes) else b""
                if len(body) > MAX_BODY:
                    raise ClientException("The request body is too large.", status_code=413)
                if message["type"] != "http.request" or not message.get("more_body"):
                    break
        problem = refusal(scope["path"], scope.get("query_string", b""), content_type, body)
        if problem:
            raise ClientException(problem)

        async def replay() -> ReceiveMessage:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
