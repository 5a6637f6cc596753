"""GET and DELETE /v1/sessions/{id}: a key sees only its own sessions (another key's is 404, like an unknown one)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Response

from assistant.errors import NotFound
from assistant.server.deps import KeyDep, ServerState, StateDep
from assistant.server.routes.common import AUTH_ERRORS, TOO_LARGE, error
from assistant.server.schemas import SessionOut, TurnOut

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])
SessionId = Path(min_length=1, max_length=200, description="The session_id an answer returned.")
ERRORS = {**AUTH_ERRORS, 404: error("Unknown session (or another key's)."), 422: error("Invalid session_id."),
          503: error("The session store in the data dir cannot be read or written (e.g. disk full).")}


def _store(state: ServerState) -> Any:
    """The session store (retention enforced on every read); 404 when sessions are off and none were ever stored."""
    store = state.session_store() if state.session_store else state.assistant.sessions
    if store is None:
        raise NotFound("No such session.")
    return store


@router.get("/{session_id}", response_model=SessionOut, responses=ERRORS, summary="A session's turns")
def get_session(key: KeyDep, state: StateDep, session_id: str = SessionId) -> SessionOut:
    sessions = _store(state)
    sessions.check(session_id, key.id)
    return SessionOut(session_id=session_id, turns=[TurnOut(**turn) for turn in sessions.turns(session_id)])


@router.delete("/{session_id}", status_code=204, responses={**ERRORS, 413: TOO_LARGE}, summary="Delete a session and its turns")
def delete_session(key: KeyDep, state: StateDep, session_id: str = SessionId) -> Response:
    sessions = _store(state)
    sessions.check(session_id, key.id)
    sessions.delete(session_id)
    return Response(status_code=204)
