"""GET /v1/health (no key: a probe that never fails) and GET /v1/ready (503 until the index and model are loaded)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.errors import GuideqaError
from assistant.index import describe
from assistant.server.deps import KeyDep, StateDep
from assistant.server.routes.common import AUTH_ERRORS, RETRY_AFTER, error
from assistant.server.schemas import HealthOut, IndexHealth, ReadyOut, StoreHealth

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["operations"])


def _reason(exc: Exception) -> str:
    """Why a probe failed, as a client may see it (no paths or hosts: /v1/health needs no key)."""
    return exc.public_message if isinstance(exc, GuideqaError) else f"{type(exc).__name__}"


def probe_store(index) -> str | None:
    """None when the vector store answers, else why not (the connection is reset, so service recovers when it returns)."""
    try:
        index.collection().count()
        return None
    except Exception as exc:
        reset = getattr(index, "reset_connection", None)
        if reset:
            reset()  # reconnect on the next call
        return _reason(exc)


@router.get("/health", response_model=HealthOut, summary="Index, store and model status (no key needed)")
def health(state: StateDep) -> HealthOut:
    """Always 200: `status` is "ok" when the index is loaded and the store answers, else "degraded" with the reason."""
    index = state.assistant.index
    try:
        info = describe(index.manifest())
        index_health = IndexHealth(loaded=True, version=info["version"], chunks=info["chunks"], documents=info["documents"],
                                   updated=info["updated"])
    except Exception as exc:
        index_health = IndexHealth(loaded=False, error=_reason(exc))
    kind = "server" if state.settings.chroma.host else "embedded"
    store = StoreHealth(reachable=False, kind=kind)
    if index_health.loaded:
        problem = probe_store(index)
        store = StoreHealth(reachable=problem is None, kind=kind, error=problem)
    else:
        store = StoreHealth(reachable=False, kind=kind, error="No index to reach.")
    ok = index_health.loaded and store.reachable
    if not state.warmup.ready and state.warmup.state != "warming":
        state.warmup.start()
    return HealthOut(status="ok" if ok else "degraded", ready=ok and state.warmup.ready, model_loaded=state.warmup.ready,
                     index=index_health, store=store)


NOT_READY = error("Not ready yet (code not_ready); retry after Retry-After.", RETRY_AFTER)


@router.get("/ready", response_model=ReadyOut, responses={**AUTH_ERRORS, 503: NOT_READY}, summary="Ready to answer?")
def ready(key: KeyDep, state: StateDep) -> ReadyOut | JSONResponse:
    """200 once the index and the embedding model are loaded and the vector store answers; 503 (and loading is retried) otherwise."""
    warm = state.warmup
    version = None
    try:
        version = state.assistant.index.manifest().version
    except Exception as exc:
        return _not_ready(_reason(exc))
    if not warm.ready:
        message = warm.error or "The index and the model are still loading."
        warm.start()
        return _not_ready(message)
    problem = probe_store(state.assistant.index)
    if problem is not None:  # answers would be 503 too: not ready while the store is down
        return _not_ready(problem)
    return ReadyOut(status="ready", index_version=version)


def _not_ready(message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": "not_ready", "message": message}}, status_code=503, headers={"Retry-After": "2"})
