"""The `answers` and `conversation` suites: answer JSONL cases and score them without an LLM.

Rows are either single questions
    {"id", "question", "history"?: [earlier questions], "expected_documents"?, "expected_status"?, "must_mention"?}
or conversations
    {"id", "turns": [{"question", "expected_documents"?, "expected_status"?, "must_mention"?}, ...]}.
The bundled corpus (settings.corpus_dir) is indexed in a namespace of its own, so the user's
index is never touched and the numbers do not depend on what else was ingested.

Metrics: citation validity (every marker resolves), ALCE-style citation recall (share of
statements supported by their cited passages: normalised containment) and precision (share of
citations that alone support their statement), expected-document recall (among cited and among
retrieved documents), abstention precision/recall, must-mention facts found, and for
conversation turns the turn-level recall at k.
"""

from __future__ import annotations

import re
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.citations import normalise, supported
from assistant.errors import InputError
from assistant.index import Index
from assistant.models import Answer
from assistant.sessions import SessionStore
from assistant.settings import Settings
from evals.jsonl import read_jsonl

NAMESPACE = "eval-answers"
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def load_cases(path: Path) -> list[dict]:
    """Rows of an answers/conversation JSONL file; a malformed row is an error naming its line."""
    rows = []
    for number, row in read_jsonl(path):
        turns = row.get("turns") if isinstance(row, dict) else None
        if turns is not None:
            if not isinstance(turns, list) or not turns or not all(isinstance(t, dict) and isinstance(t.get("question"), str) for t in turns):
                raise InputError(f"{path}:{number}: 'turns' must be a non-empty list of objects with a 'question'")
        elif not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise InputError(f"{path}:{number}: a case needs a string 'question' (or a 'turns' list)")
        row.setdefault("id", f"line-{number}")
        rows.append(row)
    return rows


@dataclass
class Tally:
    """Running totals over every scored answer."""

    answers: int = 0
    answered: int = 0
    abstained: int = 0
    blocked: int = 0
    valid_answers: int = 0
    statements: int = 0
    supported_statements: int = 0
    citations: int = 0
    precise_citations: int = 0
    expected_cited: list[float] = field(default_factory=list)
    expected_retrieved: list[float] = field(default_factory=list)
    abstain_tp: int = 0
    abstain_fp: int = 0
    abstain_fn: int = 0
    status_checked: int = 0
    status_right: int = 0
    mentions: int = 0
    mentions_found: int = 0
    turn_retrieved: list[float] = field(default_factory=list)
    turn_cited: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)


def corpus_index(settings: Settings) -> Index:
    """The bundled corpus brought up to date in the evals' own namespace (the user's index is never touched)."""
    from ingest.run import ingest

    report = ingest([settings.corpus_dir], settings, namespace=NAMESPACE)
    if report.errors:
        raise InputError(f"The corpus in {settings.corpus_dir} did not ingest cleanly: {report.errors[0]}")
    return Index(settings, NAMESPACE)


def run_answer_eval(cases_path: Path, settings: Settings, *, index: Index | None = None) -> dict:
    """Answer every case (conversation rows turn by turn in one session) and return the metrics and the failures.

    Without `index`, the bundled corpus is brought up to date in the eval's own namespace first.
    """
    from assistant.chain import Assistant

    rows = load_cases(cases_path)
    index = index or corpus_index(settings)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="guideqa-eval-") as scratch:
        assistant = Assistant(settings, index=index, sessions=SessionStore(Path(scratch) / "sessions.sqlite3"))
        for row in rows:
            if "turns" in row:
                session = assistant.sessions.create("eval")
                for n, turn in enumerate(row["turns"], start=1):
                    answer = assistant.ask(turn["question"], session_id=session, key_id="eval")
                    _score(assistant, index, settings, {**turn, "id": row["id"]}, answer, tally, turn=n)
            else:
                session = None
                if row.get("history"):
                    session = assistant.sessions.create("eval")
                    for earlier in row["history"]:
                        assistant.ask(earlier, session_id=session, key_id="eval")
                answer = assistant.ask(row["question"], session_id=session, key_id="eval")
                _score(assistant, index, settings, row, answer, tally, turn=None)
    return _summary(tally, len(rows))


def _score(assistant: Any, index: Index, settings: Settings, case: dict, answer: Answer, tally: Tally, turn: int | None) -> None:
    where = {"id": case["id"], **({"turn": turn} if turn else {}), "question": case["question"], "standalone": answer.standalone_question}
    tally.answers += 1
    tally.latencies.append(answer.latency_ms)
    setattr(tally, answer.status, getattr(tally, answer.status) + 1)
    withheld = [f.text for f in answer.dose_checks if f.verdict not in ("verified", "grounded")]
    if answer.status == "blocked" or withheld:
        tally.failures.append({**where, "reason": f"dose check {'blocked the answer' if answer.status == 'blocked' else 'withheld statements'}",
                               "doses": withheld})

    expected_status = case.get("expected_status")
    if expected_status:
        tally.status_checked += 1
        tally.status_right += answer.status == expected_status or (expected_status == "answered" and answer.status == "blocked")
        wants, did = expected_status == "abstained", answer.status == "abstained"
        tally.abstain_tp += wants and did
        tally.abstain_fp += did and not wants
        tally.abstain_fn += wants and not did
        if wants != did:
            tally.failures.append({**where, "reason": f"expected {expected_status}, got {answer.status}"})

    numbers = {c.n for c in answer.citations}
    markers = [int(n) for m in _MARKER.finditer(answer.summary) for n in m.group(1).split(",")]
    markers += [n for s in answer.sections for st in s.statements for n in st.citations]
    if all(n in numbers for n in markers):
        tally.valid_answers += 1
    else:
        tally.failures.append({**where, "reason": "citation marker names no citation", "markers": sorted(set(markers) - numbers)})

    texts = index.get([c.chunk_id for c in answer.citations]) if answer.citations else {}
    passage = {c.n: texts.get(c.chunk_id, ("", {}))[0] for c in answer.citations}
    for text, cited in _statements(answer):
        tally.statements += 1
        if supported(text, [passage.get(n, "") for n in cited]):
            tally.supported_statements += 1
        else:
            tally.failures.append({**where, "reason": "statement not contained in its cited passages", "statement": text[:160]})
        for n in cited:
            tally.citations += 1
            tally.precise_citations += supported(text, [passage.get(n, "")])

    expected = set(case.get("expected_documents") or [])
    if expected and answer.status != "abstained":
        cited_docs = {c.document_id for c in answer.citations}
        hits = assistant.retriever.search(answer.standalone_question, k=settings.retrieval.k, mode=settings.retrieval.retriever)
        retrieved = {h.doc_id for h in hits}
        cited_recall = len(expected & cited_docs) / len(expected)
        retrieved_recall = len(expected & retrieved) / len(expected)
        tally.expected_cited.append(cited_recall)
        tally.expected_retrieved.append(retrieved_recall)
        if turn is not None:
            tally.turn_cited.append(cited_recall)
            tally.turn_retrieved.append(retrieved_recall)
        if retrieved_recall < 1 or cited_recall == 0:
            tally.failures.append({**where, "reason": "expected documents missing", "missing_retrieved": sorted(expected - retrieved),
                                   "missing_cited": sorted(expected - cited_docs)})
    elif expected and turn is not None:
        tally.turn_cited.append(0.0)
        tally.turn_retrieved.append(0.0)

    mentions = case.get("must_mention") or []
    if mentions:
        body = normalise(" ".join([answer.summary, *(st.text for s in answer.sections for st in s.statements)]))
        for fact in mentions:
            tally.mentions += 1
            if normalise(fact) in body:
                tally.mentions_found += 1
            else:
                tally.failures.append({**where, "reason": "must-mention fact missing", "fact": fact})


def _statements(answer: Answer) -> list[tuple[str, list[int]]]:
    """(text, citation numbers) of every statement shown, summary sentences included; withheld ones are not statements."""
    out: list[tuple[str, list[int]]] = []
    if answer.status == "answered":
        for piece in re.split(r"(?<=\])\.?\s+", answer.summary):
            cited = [int(n) for m in _MARKER.finditer(piece) for n in m.group(1).split(",")]
            if cited:
                out.append((_MARKER.sub("", piece).strip(), cited))
    for section in answer.sections:
        for statement in section.statements:
            if not statement.withheld:
                out.append((statement.text, statement.citations))
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _summary(t: Tally, cases: int) -> dict:
    return {
        "cases": cases,
        "answers": t.answers,
        "answered": t.answered,
        "abstained": t.abstained,
        "blocked": t.blocked,
        "status_accuracy": _ratio(t.status_right, t.status_checked),
        "citation_validity": _ratio(t.valid_answers, t.answers),
        "citation_recall": _ratio(t.supported_statements, t.statements),
        "citation_precision": _ratio(t.precise_citations, t.citations),
        "statements": t.statements,
        "expected_document_recall": _mean(t.expected_cited),
        "retrieved_document_recall": _mean(t.expected_retrieved),
        "abstention_precision": _ratio(t.abstain_tp, t.abstain_tp + t.abstain_fp),
        "abstention_recall": _ratio(t.abstain_tp, t.abstain_tp + t.abstain_fn),
        "must_mention_found": _ratio(t.mentions_found, t.mentions),
        "turns": len(t.turn_retrieved),
        "turn_recall_retrieved": _mean(t.turn_retrieved),
        "turn_recall_cited": _mean(t.turn_cited),
        "latency_ms_p50": round(statistics.median(t.latencies), 1) if t.latencies else None,
        "latencies_ms": t.latencies,
        "failures": t.failures,
    }
