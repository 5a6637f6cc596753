"""The FastAPI app factory: state, middleware, error handlers and routes, wired once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from assistant.audit import AuditLog
from assistant.server import handlers
from assistant.server.auth import Keyring, RateLimiter
from assistant.server.deps import KeyDep, ServerState
from assistant.server.routes import api_router
from assistant.server.security import BodyLimit, Cors, SecurityHeaders
from assistant.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, assistant: Any = None) -> FastAPI:
    """The guideqa API, widget and demo page; `assistant` defaults to `Assistant(settings)`."""
    from assistant.embeddings import set_threads

    set_threads(settings.embedding.threads or 1)  # one intra-op thread per worker: contention costs 20x (DESIGN.md)
    if assistant is None:
        from assistant.chain import Assistant

        assistant = Assistant(settings)
    state = ServerState(
        settings=settings,
        assistant=assistant,
        keyring=Keyring.from_settings(settings),
        limiter=RateLimiter(settings.server.rate_limit_per_minute),
        audit=AuditLog.from_settings(settings),
    )

    closed = False

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal closed
        if closed:  # started again after a shutdown (a second TestClient, an ASGI harness): reopen what it closed
            state.audit = AuditLog.from_settings(settings)
            closed = False
        purged = await run_in_threadpool(assistant.sessions.purge, settings.server.session_retention_days)
        if purged:
            log.info("purged %d sessions older than %d days", purged, settings.server.session_retention_days)
        state.gate = None
        state.admission()  # bound to this event loop
        state.warmup.start()
        yield
        if state.audit is not None:
            state.audit.close()
            closed = True

    app = FastAPI(
        title="guideqa",
        version="1",
        summary="Answers from clinical guidelines, with numbered citations and checked doses.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.guideqa = state
    handlers.install(app)
    app.include_router(api_router())

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(key: KeyDep) -> dict:
        return app.openapi()

    # outermost first: headers on every response, then CORS, then the body limit nearest the routes
    app.add_middleware(BodyLimit, limit=settings.server.max_body_bytes)
    app.add_middleware(Cors, allowed=lambda origin, port: state.keyring.cors_allowed(origin, port))
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.server.frame_ancestors)
    return app
