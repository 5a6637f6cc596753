"""HTTP routes, one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.server.routes import ask, documents, health, sessions, widget



def api_router() -> APIRouter:
    """Every route of the app."""
    router = APIRouter()
    for module in (ask, sessions, documents, health, widget):
        router.include_router(module.router)
    return router
