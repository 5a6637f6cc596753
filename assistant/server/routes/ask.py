"""POST /v1/ask (Answer JSON) and POST /v1/ask/stream (Server-Sent Events)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse

from assistant.models import Answer
from assistant.server import answering
from assistant.server.deps import KeyDep, StateDep
from assistant.server.routes.common import ASK_ERRORS
from assistant.server.schemas import AskRequest

router = APIRouter(prefix="/v1", tags=["answers"])

STREAM_DOC = """Server-Sent Events, in this order: `status` ({"stage"}: retrieving, composing, checking doses),
`statement` ({"section", "section_index", "statement"}) as each is ready, `citations` ([Citation]),
`dose_checks` ([DoseFinding]), then `done` (the full Answer, with its session_id). A failure after the
stream started arrives as an `error` event carrying {"error": {"code", "message"}}."""


@router.post("/ask", response_model=Answer, responses=ASK_ERRORS, summary="Answer a question")
async def ask(body: AskRequest, key: KeyDep, state: StateDep) -> Answer:
    """The Answer JSON; without session_id a new session is started and returned in `session_id`."""
    job = await run_in_threadpool(answering.prepare, state, key, body, "ask")
    return await answering.answer_async(state, job)


STAGES = ["retrieving", "composing", "checking doses"]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _event(name: str, payload: dict) -> dict:
    """One SSE event as OpenAPI 3.1 describes an event-stream item: `event` names it, `data` is JSON text."""
    return {"type": "object", "required": ["event", "data"],
            "properties": {"event": {"const": name},
                           "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": payload},
                           "id": {"type": "string"}, "retry": {"type": "integer"}}}


# each event of the stream (its `data` field checked against the same models as the JSON answer)
STREAM_EVENT = {"oneOf": [
    _event("status", {"type": "object", "required": ["stage"], "additionalProperties": False,
                      "properties": {"stage": {"type": "string", "enum": STAGES}}}),
    _event("statement", {"type": "object", "required": ["section", "section_index", "statement"], "additionalProperties": False,
                         "properties": {"section": {"type": "string"}, "section_index": {"type": "integer", "minimum": 0},
                                        "statement": _ref("Statement")}}),
    _event("citations", {"type": "array", "items": _ref("Citation")}),
    _event("dose_checks", {"type": "array", "items": _ref("DoseFinding")}),
    _event("done", _ref("Answer")),
    _event("error", _ref("ErrorOut")),
]}


@router.post(
    "/ask/stream",
    responses={**ASK_ERRORS, 200: {"content": {"text/event-stream": {"schema": STREAM_EVENT}}, "description": STREAM_DOC}},
    response_class=EventSourceResponse,
    summary="Answer a question, streaming its parts",
)
async def ask_stream(body: AskRequest, key: KeyDep, state: StateDep) -> EventSourceResponse:
    """The same pipeline as /v1/ask, streamed as Server-Sent Events (errors before the stream starts are plain JSON errors)."""
    job = await run_in_threadpool(answering.prepare, state, key, body, "stream")
    return EventSourceResponse(answering.stream(state, job), ping=15)
