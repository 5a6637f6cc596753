"""The `vadod` suite: clinicians' questions over a site's own guideline PDFs (the VA/DoD guidelines in ../shared).

Rows: {"id", "guideline": "FILE.pdf"|null, "kind", "turns": [{"question", "expect": {"outcome", "pages": [1-based],
"strength"?, "lead_must"?, "lead_must_not"?}}]}. The PDFs are read from ../shared at run time (never committed) and
indexed in a namespace of their own. Per turn: the right passage among the citations (the guideline's file and one of
the pages), the lead right (the clinician suite's judge), no debris or superseded rows among the shown statements
(their chunks' kinds), and the grade shown with the answer equal to the recommendation's own strength.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.index import Index
from assistant.models import ANSWERABLE_KINDS, Answer
from assistant.sessions import SessionStore
from assistant.settings import Settings
from evals.clinician import judge, load_clinician_cases, norm

NAMESPACE = "eval-vadod"


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def _cited_meta(index: Index, answer: Answer) -> dict[str, dict]:
    ids = [c.chunk_id for c in answer.citations]
    return {cid: meta for cid, (_, meta) in index.get(ids).items()} if ids else {}


def score_turn(answer: Answer, expect: dict, guideline: str | None, metas: dict[str, dict]) -> dict[str, Any]:
    """What a clinician checks in one answer over the PDFs."""
    covered = expect.get("outcome", "answer") != "not_covered"
    problems = judge(answer, expect)
    pages = set(expect.get("pages") or [])
    right_passage = None
    if covered and guideline and pages:
        right_passage = any(Path(str(metas.get(c.chunk_id, {}).get("source_path", ""))).name == guideline
                            and c.page in pages for c in answer.citations)
    shown_ids = {answer.citations[n - 1].chunk_id for sec in answer.sections for st in sec.statements if not st.withheld
                 for n in st.citations if 0 < n <= len(answer.citations)}
    debris = sorted({str(metas.get(cid, {}).get("kind", "text")) for cid in shown_ids} - ANSWERABLE_KINDS)
    grade_right = None
    if covered and expect.get("strength"):
        grades = [norm(st.grade or "") for sec in answer.sections for st in sec.statements if st.grade and not st.withheld]
        grade_right = any(norm(expect["strength"]) in g for g in [*grades, norm(answer.summary)])
    return {"problems": problems, "right_passage": right_passage, "debris": debris, "grade_right": grade_right}


def run_vadod_eval(cases_path: Path, settings: Settings, pdfs: Path, *, only: set[str] | None = None) -> dict:
    """Index the PDFs the cases name (or `only` these files) and score every turn."""
    from assistant.chain import Assistant
    from ingest.run import ingest

    rows = load_clinician_cases(cases_path)
    if not pdfs.is_dir():
        raise InputError(f"{pdfs} is missing: the vadod suite reads the VA/DoD guideline PDFs from ../shared/corpora/vadod.")
    files = sorted(p for p in pdfs.glob("*.pdf") if only is None or p.name in only)
    if only is not None:
        rows = [r for r in rows if r.get("guideline") in only or r.get("guideline") is None]
    report = ingest(files, settings, namespace=NAMESPACE)
    if report.errors:
        raise InputError(f"The PDFs in {pdfs} did not ingest cleanly: {report.errors[0]}")
    index = Index(settings, NAMESPACE)
    turns: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="guideqa-eval-") as scratch:
        assistant = Assistant(settings, index=index, sessions=SessionStore(Path(scratch) / "sessions.sqlite3"))
        for row in rows:
            session = assistant.sessions.create("eval") if len(row["turns"]) > 1 else None
            for n, turn in enumerate(row["turns"], start=1):
                answer = assistant.ask(turn["question"], session_id=session, key_id="eval")
                scored = score_turn(answer, turn["expect"], row.get("guideline"), _cited_meta(index, answer))
                turns.append({"id": row["id"], "turn": n, "kind": row.get("kind"), "question": turn["question"],
                              "status": answer.status, "lead": answer.summary[:300], **scored})
    return summarise(turns, len(rows), len(files))


def summarise(turns: list[dict], cases: int, files: int) -> dict:
    """Lead correct, right passage cited, debris shown, grade right, and the failing turns."""
    passage = [t["right_passage"] for t in turns if t["right_passage"] is not None]
    grades = [t["grade_right"] for t in turns if t["grade_right"] is not None]
    follow = [t for t in turns if t["turn"] > 1]
    return {
        "cases": cases, "turns": len(turns), "pdfs": files,
        "lead_correct": _rate(sum(not t["problems"] for t in turns), len(turns)),
        "follow_up_correct": _rate(sum(not t["problems"] for t in follow), len(follow)),
        "right_passage": _rate(sum(passage), len(passage)),
        "grade_right": _rate(sum(grades), len(grades)),
        "debris_shown": sum(bool(t["debris"]) for t in turns),
        "failures": [t for t in turns if t["problems"] or t["right_passage"] is False or t["debris"] or t["grade_right"] is False],
    }
