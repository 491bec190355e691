"""ASGI middleware: who is signing the request, cross-site refusal, the CSRF token's binding to
the session, and the security headers of every response."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from anyio import to_thread
from litestar import Litestar
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import generate_csrf_hash
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.security.sessions import Principal, look_up, settle
from coopvote.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

#: Where the app serves its files (public, so no session is looked up for them).
STATIC_PATH = "/static"

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


#: Methods that change nothing, which CSRF defences let through (Litestar's default).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def session_token(scope: Scope, cookie_name: str) -> str | None:
    return cookie(scope, cookie_name)


def cookie(scope: Scope, cookie_name: str) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get(cookie_name)
            if morsel is not None:
                return morsel.value
    return None


def bound_csrf_token(settings: Settings, session_token: str) -> str:
    """The CSRF token of a signed-in session: derived from the session's own token with an
    HMAC under the app's secret, so that no other token works in that session (a token from
    an attacker's own visit, planted in the victim's browser, included). It has the shape of
    Litestar's tokens (64 hex digits and their HMAC), so Litestar's CSRF middleware checks the
    form field or header against it as against any other."""
    raw = hmac.new(
        settings.secret_key.encode(), f"csrf\x1f{session_token}".encode(), hashlib.sha256
    ).hexdigest()
    return raw + generate_csrf_hash(token=raw, secret=settings.secret_key)


def bound_csrf_cookie(settings: Settings, session_token: str) -> Cookie:
    """Set with the session cookie at sign-in: the browser's CSRF token from then on."""
    return Cookie(
        key=settings.csrf_cookie_name,
        value=bound_csrf_token(settings, session_token),
        path="/",
        secure=settings.https,
        samesite="lax",
    )


def clear_session_cookie(settings: Settings) -> Cookie:
    return session_cookie(settings, "", max_age=0)


def session_cookie(settings: Settings, token: str, max_age: int | None = None) -> Cookie:
    return Cookie(
        key=settings.session_cookie_name,
        value=token,
        path="/",
        httponly=True,
        secure=settings.https,
        samesite="lax",
        max_age=max_age,
    )


def resolve_principal(settings: Settings, database: Database, token: str) -> Principal | None:
    """Who a session token signs in, if anyone (and the session settled: ended, or refreshed)."""
    now = utcnow()
    # Looking the session up writes nothing, so it runs in a read transaction (beside
    # writers, on SQLite); the session table is written apart, and only when a session has
    # ended or was refreshed over a minute ago.
    with database.reading() as session:
        lookup = look_up(
            session,
            token,
            now=now,
            idle=settings.session_idle_timeout,
            absolute=settings.session_absolute_timeout,
        )
    if lookup.writes:
        with database.transaction() as session:
            settle(session, lookup, now)
    return lookup.principal


class SessionAuthMiddleware:
    """Resolve the session cookie to a ``Principal`` in ``scope["user"]`` (or ``None``).

    A cookie the server does not know (forged, planted, expired) is ignored and deleted, so a
    client can never choose its own session id: only sign-in mints one.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(f"{STATIC_PATH}/"):
            # Files are public: no need to look the session up for each.
            scope["user"] = None
            await self.app(scope, receive, send)
            return
        token = session_token(scope, self.settings.session_cookie_name)
        # From the app's state, as the routes' unit of work reads it: one database for both.
        database: Database = Litestar.from_scope(scope).state.database
        principal = (
            await to_thread.run_sync(resolve_principal, self.settings, database, token)
            if token
            else None
        )
        if token and principal and scope["method"] not in SAFE_METHODS:
            planted = cookie(scope, self.settings.csrf_cookie_name)
            if not hmac.compare_digest(planted or "", bound_csrf_token(self.settings, token)):
                raise PermissionDeniedException("CSRF token verification failed")
        scope["user"] = principal
        if token and principal is None:
            send = self._clearing_cookie(send)
        await self.app(scope, receive, send)

    def _clearing_cookie(self, send: Send) -> Send:
        header = clear_session_cookie(self.settings).to_header(header="")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                if not any(
                    v.startswith(f"{self.settings.session_cookie_name}=")
                    for v in headers.getall("set-cookie", [])
                ):
                    headers.add("set-cookie", header)
            await send(message)

        return wrapped


class CrossSiteRefusal:
    """Refuse unsafe requests that the browser says come from another site: an ``Origin``
    other than this site's own, or ``Sec-Fetch-Site: cross-site``. The CSRF token stays the
    main defence; this one needs no state and also covers signing in (OWASP CSRF cheat sheet:
    verifying origin with standard headers; Fetch Metadata)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        unsafe = scope["type"] == ScopeType.HTTP and scope["method"] not in SAFE_METHODS
        if unsafe and (header(scope, b"sec-fetch-site") == "cross-site" or not _same_origin(scope)):
            raise PermissionDeniedException("Requests from other sites are refused.")
        await self.app(scope, receive, send)


def _same_origin(scope: Scope) -> bool:
    """Whether the ``Origin`` header, when sent, names this host (as the ``Host`` header does:
    behind a proxy, the host the browser asked for)."""
    origin = header(scope, b"origin")
    if origin is None:
        return True  # not a browser, or an old one: the CSRF token decides
    host = header(scope, b"host")
    return origin != "null" and host is not None and urlsplit(origin).netloc == host


def security_headers(settings: Settings) -> Callable[[Message, Scope], Awaitable[None]]:
    """A ``before_send`` hook: unlike middleware it also sees the router's own 404 and 405."""
    headers = dict(SECURITY_HEADERS)
    if settings.https:
        headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            mutable = MutableScopeHeaders.from_message(message)
            for name, value in headers.items():
                mutable[name] = value

    return add_headers


def answering_head(app: ASGIApp) -> ASGIApp:
    """HEAD answered wherever GET is (RFC 9110 §9.3.2): the GET's status and headers, its
    ``Content-Length`` included, without its body. It wraps the app outside its router, which
    would otherwise answer 405 to HEAD on every route declared for GET."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        scope["method"] = "GET"
        await app(scope, receive, headers_only)

    return handle
