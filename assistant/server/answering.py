"""Running the answering pipeline for a request: session scoping, one answering slot, the audit
row, and streaming its events as Server-Sent Events from a worker thread."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sse_starlette import ServerSentEvent

from assistant.audit import AuditEntry, sha256
from assistant.chain import clean_question
from assistant.citations import neutralise_answer
from assistant.errors import GuideqaError, NotFound
from assistant.models import Answer
from assistant.retrieval import Filters
from assistant.server.auth import ApiKey
from assistant.server.deps import ServerState
from assistant.server.schemas import AskRequest

log = logging.getLogger(__name__)
INTERNAL = {"error": {"code": "internal_error", "message": "An internal error occurred while answering."}}


@dataclass(frozen=True)
class Job:
    """A validated question, bound to a session of the caller's key."""

    key: ApiKey
    question: str
    session_id: str | None
    filters: Filters | None
    weight_kg: float | None
    endpoint: str
    reserved: bool = False


def prepare(state: ServerState, key: ApiKey, body: AskRequest, endpoint: str) -> Job:
    """Check the question and the session (404 for another key's, an expired or an unknown one).

    Nothing is stored unless the caller asks: `start_session` reserves a new session, which is written together
    with its first turn (a request that fails leaves no session behind); without it the answer has no session.
    With `settings.server.store_sessions` off, no session is ever stored.
    """
    question = clean_question(body.question, state.settings.answer.max_question_chars)
    keep = state.settings.server.store_sessions
    session_id, reserved = None, False
    if body.session_id:
        store = state.session_store() if keep else None
        if store is None:
            raise NotFound("No such session.")
        store.check(body.session_id, key.id)
        session_id = body.session_id
    elif body.start_session and keep:
        session_id, reserved = state.session_store().reserve(key.id), True
    filters = body.filters.to_filters() if body.filters else None
    return Job(key, question, session_id, filters or None, body.weight_kg, endpoint, reserved)


def run(state: ServerState, job: Job) -> Iterator[tuple[str, Any]]:
    """The pipeline's events, within one answering slot, audited at the end (also when it fails)."""
    started = time.perf_counter()
    qhash = sha256(job.question)[:12]
    store_text = state.settings.audit.store_question_text
    try:
        with state.slot():
            for kind, payload in state.assistant.events(
                job.question, session_id=job.session_id, filters=job.filters, weight_kg=job.weight_kg, key_id=job.key.id
            ):
                if kind == "done":
                    payload = neutralise_answer(payload)
                    log.info("%s key=%s q=%s status=%s latency_ms=%.0f", job.endpoint, job.key.id, qhash, payload.status, payload.latency_ms)
                    _record(state, AuditEntry.from_answer(payload, key_id=job.key.id, endpoint=job.endpoint, store_text=store_text))
                yield kind, payload
    except Exception as exc:
        code = exc.code if isinstance(exc, GuideqaError) else "internal_error"
        log.info("%s key=%s q=%s error=%s", job.endpoint, job.key.id, qhash, code)
        _record(state, AuditEntry.from_error(job.question, code, key_id=job.key.id, endpoint=job.endpoint, store_text=store_text,
                                             latency_ms=(time.perf_counter() - started) * 1000, session_id=job.session_id))
        raise
    finally:
        if job.reserved and job.session_id:
            state.assistant.sessions.release(job.session_id)


def _record(state: ServerState, entry: AuditEntry) -> None:
    if state.audit is None:
        return
    try:
        state.audit.record(entry)
    except Exception:  # a full disk must not lose the clinician's answer; the failure is logged loudly instead
        log.exception("could not write the audit log")


def answer(state: ServerState, job: Job) -> Any:
    """The final Answer of a job."""
    result = None
    for kind, payload in run(state, job):
        if kind == "done":
            result = payload
    return result


async def answer_async(state: ServerState, job: Job) -> Any:
    """`answer` in a worker thread, once the admission gate lets the job in."""
    async with state.admission():
        return await run_in_threadpool(answer, state, job)


def checked_events(answer: Answer) -> Iterator[tuple[str, Any]]:
    """The answer's parts as events, taken from the dose-checked Answer.

    The chain yields statements before its dose check; streaming those would show a dose before it
    was checked, so only the checked statements are sent (composing takes milliseconds, so little is lost).
    """
    for i, section in enumerate(answer.sections):
        for statement in section.statements:
            yield "statement", {"section": section.heading, "section_index": i, "statement": statement.model_dump(mode="json")}
    yield "citations", [c.model_dump(mode="json") for c in answer.citations]
    yield "dose_checks", [f.model_dump(mode="json") for f in answer.dose_checks]
    yield "done", answer.model_dump(mode="json")


async def stream(state: ServerState, job: Job) -> AsyncIterator[ServerSentEvent]:
    """SSE events status, statement, citations, dose_checks, done (or error), produced by a worker thread.

    The worker finishes even if the client goes away, so the turn and its audit row are never lost.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    gate = state.admission()

    def put(item: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the event loop is gone (server shutting down)
            pass

    def work() -> None:
        try:
            for kind, payload in run(state, job):
                if kind == "status":
                    put(("status", {"stage": payload}))
                elif kind == "done":
                    for event in checked_events(payload):
                        put(event)
        except GuideqaError as exc:
            put(("error", exc.to_dict(public=True)))
        except Exception:
            log.exception("streaming answer failed")
            put(("error", INTERNAL))
        finally:
            put(None)
            try:
                loop.call_soon_threadsafe(gate.release)
            except RuntimeError:
                pass

    await gate.acquire()
    # no await between acquiring and starting: a cancelled client cannot leak the gate
    threading.Thread(target=work, name="guideqa-stream", daemon=True).start()
    while (item := await queue.get()) is not None:
        kind, data = item
        yield ServerSentEvent(event=kind, data=json.dumps(data, ensure_ascii=False))
