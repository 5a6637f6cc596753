"""Bits shared by the route modules."""

from __future__ import annotations

from assistant.server.schemas import ErrorOut

# documented error responses (the shape is the same for every status)
AUTH_ERRORS = {401: {"model": ErrorOut, "description": "Missing, wrong, revoked or cross-origin key."},
               429: {"model": ErrorOut, "description": "Rate limited; see Retry-After."}}
ASK_ERRORS = {**AUTH_ERRORS,
              404: {"model": ErrorOut, "description": "Unknown session (or another key's)."},
              413: {"model": ErrorOut, "description": "Request body too large."},
              422: {"model": ErrorOut, "description": "Invalid request or question."},
              503: {"model": ErrorOut, "description": "Index missing or vector store unreachable."}}
