"""Bits shared by the route modules: the documented error responses (the body shape is the same for every status)."""

from __future__ import annotations

from typing import Any

from assistant.server.schemas import ErrorOut

RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "required": True,
                               "schema": {"type": "integer", "minimum": 1}}}


def error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """One documented error response: the ErrorOut body, and the headers it always carries."""
    return {"model": ErrorOut, "description": description, **({"headers": headers} if headers else {})}


AUTH_ERRORS = {
    401: error("Missing, wrong, revoked or cross-origin key.",
               {"WWW-Authenticate": {"description": "The scheme to use.", "required": True,
                                     "schema": {"type": "string", "enum": ["Bearer"]}}}),
    429: error("Rate limited; see Retry-After.", RETRY_AFTER),
}
INVALID = error("Invalid request or question.")
TOO_LARGE = error("Request body too large.")
ASK_ERRORS = {**AUTH_ERRORS,
              404: error("Unknown session (or another key's)."),
              413: TOO_LARGE,
              422: INVALID,
              503: error("Index missing, vector store unreachable or data dir unusable (e.g. disk full).")}
