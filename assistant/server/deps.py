"""What routes depend on: the server's state, and the authenticated (and rate-limited) key."""

from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import contextmanager
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.audit import AuditLog
from assistant.errors import AuthError, GuideqaError
from assistant.server.auth import ApiKey, AuthThrottle, Keyring, RateLimiter
from assistant.settings import Settings

log = logging.getLogger(__name__)
bearer = HTTPBearer(auto_error=False, description="A server key (sk_...) or a publishable widget key (pk_..., browser origins only).")


class Warmup:
    """Loads the index and the embedding model in the background; `ready` once a first answer ran."""

    def __init__(self, assistant: Any, slot: Any) -> None:
        self.assistant = assistant
        self.slot = slot
        self.state = "idle"
        self.error: str | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Begin loading unless it is under way or done (a failed load is tried again)."""
        with self._lock:
            if self.state in ("warming", "ready"):
                return
            self.state = "warming"
        threading.Thread(target=self._run, name="guideqa-warmup", daemon=True).start()

    def _run(self) -> None:
        try:
            self.assistant.index.manifest()
            with self.slot():
                self.assistant.warm()
        except GuideqaError as exc:
            log.warning("warm-up failed: %s", exc.user_message)
            self._finish("failed", exc.public_message)
        except Exception as exc:  # reported by /v1/ready and /v1/health, never raised into a request
            log.exception("warm-up failed")
            self._finish("failed", f"Loading failed ({type(exc).__name__}).")
        else:
            self._finish("ready", None)

    def _finish(self, state: str, error: str | None) -> None:
        with self._lock:
            self.state, self.error = state, error
        if error:
            log.warning("not ready: %s", error)

    @property
    def ready(self) -> bool:
        return self.state == "ready"


@dataclass
class ServerState:
    """Everything the routes share; one per app."""

    settings: Settings
    assistant: Any
    keyring: Keyring
    limiter: RateLimiter
    audit: AuditLog | None
    throttle: AuthThrottle = field(default_factory=lambda: AuthThrottle(0, 60.0))
    slots: threading.BoundedSemaphore = field(init=False)
    warmup: Warmup = field(init=False)
    gate: asyncio.Semaphore | None = None
    # the session store with retention applied, or None when sessions are off and none were ever stored (set by create_app)
    session_store: Any = None

    def __post_init__(self) -> None:
        self.slots = threading.BoundedSemaphore(self.settings.server.concurrency())
        self.warmup = Warmup(self.assistant, self.slot)

    def admission(self) -> asyncio.Semaphore:
        """The event loop's gate in front of the answering threads: waiting requests hold no thread.

        Made in the running loop (the lifespan makes it; a TestClient without lifespan gets one here).
        """
        if self.gate is None:
            self.gate = asyncio.Semaphore(self.settings.server.concurrency())
        return self.gate

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the answering slots (the pipeline is CPU-bound; more at once only adds contention)."""
        with self.slots:
            yield


def get_state(request: Request) -> ServerState:
    return request.app.state.guideqa


StateDep = Annotated[ServerState, Depends(get_state)]


def client_address(request: Request) -> str:
    """The peer address the failure back-off counts against (behind a proxy: the proxy's, unless uvicorn is told
    to trust its forwarded headers)."""
    return request.client.host if request.client else "unknown"


def authenticate(request: Request, state: ServerState, token: str | None) -> ApiKey:
    """The key behind a bearer token: AuthThrottled after too many failures from this address; AuthError when missing,
    unknown, revoked, from a foreign origin, or a server key from a browser; then rate-limited."""
    server = request.scope.get("server") or (None, None)
    client = client_address(request)
    state.throttle.check(client)
    origin = request.headers.get("origin")
    browser = origin is not None or "sec-fetch-site" in request.headers
    try:
        key, spec = state.keyring.authenticate(token, origin, server[1], browser=browser)
    except AuthError:
        state.throttle.failed(client)
        raise
    state.limiter.take(key.id, spec.rate_limit_per_minute)
    return key


def require_key(
    request: Request, state: StateDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> ApiKey:
    """The caller's key: refused when missing, unknown, revoked or used from a foreign origin; then rate-limited."""
    return authenticate(request, state, credentials.credentials if credentials else None)


KeyDep = Annotated[ApiKey, Depends(require_key)]


def needs_key(route: Any) -> bool:
    """True when a (matched) route depends on `require_key`, however deep."""
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is None:
            continue
        if dependant.call is require_key:
            return True
        stack.extend(dependant.dependencies)
    return False


async def check_key_first(request: Request) -> None:
    """Authenticate a request whose body FastAPI refused before the route's key dependency ran.

    FastAPI decodes a JSON body before it solves dependencies, so without this an unparseable body
    would get a 422 describing it before a caller without a valid key got its 401.
    Raises AuthError or RateLimited; returns when the route is public or the key is good.
    """
    if not needs_key(request.scope.get("route")):
        return
    credentials = await bearer(request)
    authenticate(request, get_state(request), credentials.credentials if credentials else None)
