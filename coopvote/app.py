"""``create_app(settings)``: everything the web app needs, built from settings and nothing else."""

from __future__ import annotations

import os
from pathlib import Path

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from coopvote import scheduler
from coopvote.ballots import keys as ballot_keys
from coopvote.ballots.casting import Caster
from coopvote.db import Database
from coopvote.security.passwords import use_argon2
from coopvote.settings import Settings
from coopvote.web.access import PUBLIC, enforce_access
from coopvote.web.deps import DEPENDENCIES, end_failed_unit_of_work
from coopvote.web.errors import EXCEPTION_HANDLERS
from coopvote.web.filters import install_filters
from coopvote.web.hostile import RefuseHostileInput
from coopvote.web.middleware import (
    STATIC_PATH,
    CrossSiteRefusal,
    SessionAuthMiddleware,
    answering_head,
    security_headers,
)
from coopvote.web.pages.dev_mail import DevMailPages
from coopvote.web.refusals import record_refused_governing_action
from coopvote.web.routes import ROUTE_HANDLERS
from coopvote.web.schema_page import SchemaPage

PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """``templates/`` or ``static/``: inside the package when installed from a wheel, which
    ships them there; at the top of the repository when run from a checkout."""
    installed = PACKAGE / name
    return installed if installed.is_dir() else PACKAGE.parent / name


TEMPLATES = _shipped("templates")
STATIC = _shipped("static")


def create_app(
    settings: Settings, database: Database | None = None, *, run_scheduler: bool = False
) -> Litestar:
    """The app; with ``run_scheduler``, it runs the background worker itself (opens and
    closes ballots on time, sends reminders, delivers mail)."""
    database = database or Database.connect(
        settings.database_url, wait=settings.database_wait.total_seconds()
    )
    use_argon2(settings.argon2)
    ballot_keys.use_settings(settings)
    caster = Caster()  # votes are written in batches, one transaction each (ballots.casting)
    app = Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            *([DevMailPages] if settings.shows_caught_mail else []),
            create_static_files_router(path=STATIC_PATH, directories=[STATIC], opt=PUBLIC),
        ],
        dependencies=DEPENDENCIES,
        # In this order: the failed request's unit of work ends before a refusal is recorded.
        after_exception=[end_failed_unit_of_work, record_refused_governing_action],
        guards=[enforce_access],
        middleware=[
            RefuseHostileInput,
            CrossSiteRefusal,
            DefineMiddleware(SessionAuthMiddleware, settings=settings),
        ],
        before_send=[security_headers(settings)],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=settings.csrf_cookie_name,
            cookie_secure=settings.https,
        ),
        template_config=TemplateConfig(
            directory=TEMPLATES,
            engine=JinjaTemplateEngine,
            engine_callback=install_filters(settings.timezone),
        ),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="coopvote",
            version="1",
            description="Membership, secret ballots and verifiable results for co-operatives.",
            render_plugins=[SchemaPage(), JsonRenderPlugin()],
            openapi_router=Router(path="/schema", route_handlers=[], opt=PUBLIC),
        ),
        state=State({"settings": settings, "database": database, "caster": caster}),
        lifespan=[scheduler.running(database, settings, TEMPLATES)] if run_scheduler else [],
        on_shutdown=[caster.stop, database.dispose],
        debug=False,
    )
    app.asgi_handler = answering_head(app.asgi_handler)
    return app


#: ``coopvote serve --no-worker`` sets it: ``coopvote worker`` does the background work.
NO_WORKER = "COOPVOTE_SERVE_WITHOUT_WORKER"


def app_from_env() -> Litestar:
    """The ASGI factory that ``coopvote serve`` hands to uvicorn in each worker."""
    return create_app(Settings.from_env(), run_scheduler=not os.environ.get(NO_WORKER))
