"""The FastAPI app factory: state, middleware, error handlers and routes, wired once."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from assistant.audit import AuditLog
from assistant.server import handlers
from assistant.server.auth import AuthThrottle, Keyring, RateLimiter
from assistant.server.deps import KeyDep, ServerState
from assistant.server.routes import api_router
from assistant.server.security import BodyLimit, Cors, HeadAsGet, SecurityHeaders
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
        throttle=AuthThrottle(settings.server.auth_failure_limit, settings.server.auth_failure_window_s),
    )
    sessions_file = settings.data_dir / "sessions.sqlite3"

    def sessions() -> Any | None:
        """The session store with the retention enforced on every read; None when sessions are off and none exist."""
        if not settings.server.store_sessions and not sessions_file.exists():
            return None
        store = assistant.sessions
        store.retention_days = settings.server.session_retention_days
        return store

    def sweep() -> int:
        store = sessions()
        return store.purge(settings.server.session_retention_days) if store is not None else 0

    async def sweeper() -> None:
        """Delete expired (and empty) sessions every session_sweep_interval_s, not only at start-up."""
        while True:
            await asyncio.sleep(settings.server.session_sweep_interval_s)
            try:
                purged = await run_in_threadpool(sweep)
            except Exception:  # a full disk must not stop the sweeps that follow
                log.exception("session sweep failed")
                continue
            if purged:
                log.info("purged %d expired or empty sessions", purged)

    state.session_store = sessions
    sessions()  # retention applies from the first request, lifespan or not

    closed = False

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal closed
        if closed:  # started again after a shutdown (a second TestClient, an ASGI harness): reopen what it closed
            state.audit = AuditLog.from_settings(settings)
            closed = False
        purged = await run_in_threadpool(sweep)
        if purged:
            log.info("purged %d sessions older than %d days or empty", purged, settings.server.session_retention_days)
        state.gate = None
        state.admission()  # bound to this event loop
        state.warmup.start()
        sweeping = asyncio.create_task(sweeper(), name="guideqa-session-sweep")
        previous_hup = _on_sighup(state.keyring)
        try:
            yield
        finally:
            sweeping.cancel()
            if previous_hup is not None:
                signal.signal(signal.SIGHUP, previous_hup)
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
    app.add_middleware(HeadAsGet)  # HEAD wherever GET is served
    return app


def _on_sighup(keyring: Keyring) -> Any | None:
    """Make SIGHUP reload the keys file (only possible in the main thread, as under `guideqa serve`); the old handler."""
    if not hasattr(signal, "SIGHUP") or threading.current_thread() is not threading.main_thread():
        return None

    def reload_keys(signum: int, frame: Any) -> None:
        keyring.request_reload()

    try:
        return signal.signal(signal.SIGHUP, reload_keys)
    except (ValueError, OSError):
        return None
