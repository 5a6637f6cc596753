"""The `clinician` suite: questions typed the way clinicians type them, judged the way a clinician reads the answer.

Rows: {"id", "kind": "single"|"conversation", "turns": [{"question", "weight_kg"?, "expect": {
  "outcome": "answer"|"not_covered", "lead_must": [[alternatives]], "lead_must_not": [...],
  "shown_must": [[alternatives]], "shown_must_not": [...], "points"?: [{"point", "any": [alternatives]}],
  "source_docs"?, "frame"?, "note"?}}]}; "points" counts coverage of a reference page (the seed page's 13 points).
A turn passes when its outcome is right, every must-group has one alternative in the lead (the summary) or in
what is shown (summary plus statements not withheld), and no must-not string appears there. Conversation turns run
in one session; the bundled corpus is indexed in the answers suite's own namespace.
"""

from __future__ import annotations

import re
import statistics
import tempfile
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.index import Index
from assistant.models import Answer
from assistant.sessions import SessionStore
from assistant.settings import Settings
from evals.answers import corpus_index
from evals.jsonl import read_jsonl

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_NOT_COVERED = re.compile(r"(?i)do(?:es)? not cover|not covered|no (?:guidance|content)")


def norm(text: str) -> str:
    """Lower case, one kind of dash, single spaces, 'per kg' as '/kg', no spaces around '/' or before a unit's '%'."""
    text = _DASHES.sub("-", text.lower()).replace("×", "x").replace("\u00a0", " ")
    text = re.sub(r"\s+per\s+(kg|day|week|dose|min|minute|hour|h)\b", r"/\1", text)
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1-\2", text)
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)
    return " ".join(text.split())


def _contains(haystack: str, needle: str) -> bool:
    n = norm(needle)
    if not n:
        return False
    # Numbers must match whole: "2 g/kg" is not inside "12 g/kg".
    pattern = (r"(?<![\d.])" if n[0].isdigit() else "") + re.escape(n) + (r"(?![\d])" if n[-1].isdigit() else "")
    return re.search(pattern, haystack) is not None


def load_clinician_cases(path: Path) -> list[dict]:
    """Rows of a clinician JSONL file; a malformed row is an error naming its line."""
    rows = []
    for number, row in read_jsonl(path):
        turns = row.get("turns") if isinstance(row, dict) else None
        if not isinstance(turns, list) or not turns or not all(
                isinstance(t, dict) and isinstance(t.get("question"), str) and isinstance(t.get("expect"), dict) for t in turns):
            raise InputError(f"{path}:{number}: a clinician case needs 'turns' with a 'question' and an 'expect' each")
        row.setdefault("id", f"line-{number}")
        rows.append(row)
    return rows


def judge(answer: Answer, expect: dict) -> list[str]:
    """What is wrong with an answer for a clinician (empty when it is right)."""
    lead = norm(answer.summary)
    shown = norm(" ".join([answer.summary, *(s.text for sec in answer.sections for s in sec.statements if not s.withheld)]))
    problems: list[str] = []
    if expect.get("outcome", "answer") == "not_covered":
        if answer.status == "answered" and not _NOT_COVERED.search(answer.summary):
            problems.append("answered a question the corpus does not cover")
    else:
        if answer.status != "answered":
            problems.append(f"status {answer.status}")
        for group in expect.get("lead_must", []):
            if not any(_contains(lead, alt) for alt in group):
                problems.append(f"lead lacks {group}")
        for group in expect.get("shown_must", []):
            if not any(_contains(shown, alt) for alt in group):
                problems.append(f"answer lacks {group}")
    for point in expect.get("points", []):
        if not any(_contains(shown, alt) for alt in point["any"]):
            problems.append(f"point missing: {point['point']}")
    for bad in expect.get("lead_must_not", []):
        if _contains(lead, bad):
            problems.append(f"lead shows {bad!r}")
    for bad in expect.get("shown_must_not", []):
        if _contains(shown, bad):
            problems.append(f"answer shows {bad!r}")
    return problems


def run_clinician_eval(cases_path: Path, settings: Settings, *, index: Index | None = None) -> dict:
    """Pass rates over single questions, first turns and follow-up turns, with every failing turn."""
    from assistant.chain import Assistant

    rows = load_clinician_cases(cases_path)
    index = index or corpus_index(settings)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="guideqa-eval-") as scratch:
        assistant = Assistant(settings, index=index, sessions=SessionStore(Path(scratch) / "sessions.sqlite3"))
        for row in rows:
            session = assistant.sessions.create("eval") if len(row["turns"]) > 1 else None
            for n, turn in enumerate(row["turns"], start=1):
                answer = assistant.ask(turn["question"], session_id=session, key_id="eval", weight_kg=turn.get("weight_kg"))
                problems = judge(answer, turn["expect"])
                points = turn["expect"].get("points", [])
                results.append({"id": row["id"], "turn": n, "follow_up": n > 1, "question": turn["question"],
                                "points": len(points), "points_covered": len(points) - sum(p.startswith("point missing")
                                                                                           for p in problems),
                                "outcome": turn["expect"].get("outcome", "answer"), "status": answer.status,
                                "standalone": answer.standalone_question,
                                "frame": frame.describe() if (frame := getattr(answer, "question_frame", None)) else "",
                                "lead": answer.summary[:300], "problems": problems, "latency_ms": answer.latency_ms})
    return summarise(results, len(rows))


def _rate(items: list[dict]) -> float | None:
    return round(sum(not r["problems"] for r in items) / len(items), 3) if items else None


def summarise(results: list[dict], cases: int) -> dict:
    """Pass rates (all turns, first turns, follow-ups, not-covered), lead failures and the failing turns."""
    first = [r for r in results if not r["follow_up"]]
    follow = [r for r in results if r["follow_up"]]
    uncovered = [r for r in results if r["outcome"] == "not_covered"]
    lead_bad = [r for r in results if any(p.startswith("lead") for p in r["problems"])]
    return {
        "cases": cases, "turns": len(results), "pass_rate": _rate(results), "first_turn_pass_rate": _rate(first),
        "follow_up_pass_rate": _rate(follow), "not_covered_pass_rate": _rate(uncovered),
        "lead_failures": len(lead_bad),
        "points": sum(r["points"] for r in results), "points_covered": sum(r["points_covered"] for r in results),
        "wrong_shown": sum(any("shows" in p for p in r["problems"]) for r in results),
        "latency_ms_p50": round(statistics.median([r["latency_ms"] for r in results]), 1) if results else None,
        "failures": [r for r in results if r["problems"]],
    }
