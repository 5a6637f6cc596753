"""The `vadod` suite: clinicians' questions over a site's own guideline PDFs (the VA/DoD guidelines in ../shared).

Rows: {"id", "guideline": "FILE.pdf"|null, "kind", "turns": [{"question", "expect": {"outcome", "pages": [1-based],
"strength"?, "lead_must"?, "lead_must_not"?}}]}. The PDFs are read from ../shared at run time (never committed) and
indexed in a namespace of their own. Per turn: the right passage among the citations (the guideline's file and one of
the pages), the lead right (the clinician suite's judge), no debris or superseded rows among the shown statements
(their chunks' kinds), and the grade shown with the answer equal to the recommendation's own strength.

Doses (issue 14): of the doses in the answers whose cited passage states them (the same numbers and unit, read by
plain text matching here, not by the checker), the share shown (verified or grounded); and of the lab values the
answers state (eGFR, HbA1c, blood pressure, mg/dL levels ...), the share the checker treated as doses (goal 0).
"""

from __future__ import annotations

import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.index import Index
from assistant.models import ANSWERABLE_KINDS, PASSING_VERDICTS, Answer, DoseFinding
from assistant.sessions import SessionStore
from assistant.settings import Settings
from evals.clinician import judge, load_clinician_cases, norm

NAMESPACE = "eval-vadod"


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


_NUM = r"\d[\d,]*(?:[.·]\d+)?"
_UNIT = r"[a-zA-Zµμ%]+(?:\s*/\s*[a-zA-Z0-9.]+)*"
_UNIT_WORDS = {"mcg": "mcg", "µg": "mcg", "μg": "mcg", "ug": "mcg", "microgram": "mcg", "micrograms": "mcg",
               "mg": "mg", "milligram": "mg", "milligrams": "mg", "g": "g", "gram": "g", "grams": "g", "ml": "ml",
               "milliliter": "ml", "milliliters": "ml", "millilitre": "ml", "millilitres": "ml", "unit": "units",
               "units": "units", "u": "units", "iu": "units", "meq": "meq", "mmol": "mmol", "mg/kg": "mg/kg",
               "puff": "puffs", "puffs": "puffs", "inhalation": "puffs", "inhalations": "puffs"}
# A passage's amounts: a number or a range of them ("12.5-25 mg", "2.5 mg to 10 mg", "3 mg or 6 mg") and its unit.
_PASSAGE_AMOUNT = re.compile(rf"({_NUM})\s*(?:{_UNIT})?\s*(?:-|–|—|to)\s*({_NUM})\s*({_UNIT})|({_NUM})\s*({_UNIT})")
# Lab values and other measurements an answer may state: a number in a unit of measurement, or after a test's name.
_LAB_UNIT = re.compile(rf"(?i){_NUM}\s*(?:(?:-|–|to)\s*{_NUM}\s*)?(?:mL/min(?:/1\.73\s*m(?:2|²))?|mm\s*Hg|mg/dL|"
                       rf"mmol/L|mEq/L|g/dL|ng/mL|pg/mL|µmol/L|umol/L|kg/m(?:2|²)|cells/(?:mm3|µL)|beats/min|bpm)\b")
_LAB_NAMED = re.compile(rf"(?i)\b(?:e?GFR|CrCl|creatinine(?:\s+clearance)?|Hb\s*A1c|A1c|LDL(?:-C)?|HDL|non-HDL|"
                        rf"triglycerides?|(?:systolic|diastolic)?\s*(?:blood pressure|BP)|potassium|sodium|BMI|AHI|"
                        rf"PHQ-9|TSH|ferritin|INR|glucose|platelets?)\b[^.;\d]{{0,25}}?({_NUM}(?:\s*(?:-|–|to)\s*{_NUM})?"
                        rf"\s*%?)")


def _number(text: str) -> float | None:
    text = text.replace("·", ".")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")  # thousands
    text = text.replace(",", ".")  # a decimal comma
    try:
        return float(text)
    except ValueError:
        return None


def _unit_key(unit: str) -> str:
    """The unit's amount word, normalised, with '/kg' kept (50 mg and 50 mg/kg differ; 50 mg/day is 50 mg)."""
    parts = [p.strip().lower() for p in unit.split("/")]
    head = _UNIT_WORDS.get(parts[0], parts[0])
    return head + ("/kg" if "kg" in parts[1:] else "")


def _dose_key(f: DoseFinding) -> tuple[tuple[float, ...], str] | None:
    """(numbers, unit) of a dose as its text writes it."""
    nums = [n for n in (_number(x) for x in re.findall(_NUM, f.text)) if n is not None]
    tail = re.split(_NUM, f.text)[-1]
    unit = re.match(rf"\s*({_UNIT})", tail)
    if not nums or unit is None:
        return None
    return tuple(nums[:2]), _unit_key(unit.group(1))


def stated_in(f: DoseFinding, passages: list[str]) -> bool:
    """Whether a cited passage states the dose: the same number (or range of numbers) in the same unit."""
    key = _dose_key(f)
    if key is None:
        return False
    for passage in passages:
        for m in _PASSAGE_AMOUNT.finditer(passage):
            if m.group(1):
                nums, unit = (_number(m.group(1)), _number(m.group(2))), m.group(3)
            else:
                nums, unit = (_number(m.group(4)),), m.group(5)
            if _unit_key(unit) == key[1] and tuple(nums) == key[0]:
                return True
    return False


def lab_spans(text: str) -> list[tuple[int, int]]:
    """Where a text states a lab value or other measurement (not a dose)."""
    spans = [(m.start(), m.end()) for m in _LAB_UNIT.finditer(text)]
    spans += [(m.start(1), m.end(1)) for m in _LAB_NAMED.finditer(text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # "eGFR 45 mL/min" is one value, found both ways
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def dose_shares(checked: list[tuple[str, list[str], list[DoseFinding]]]) -> dict[str, Any]:
    """One answer's dose figures from the texts its final dose check read: doses its cited passage states (and how
    many of them were shown), lab values stated (and how many were checked as doses)."""
    stated: dict[tuple, bool] = {}
    labs: dict[tuple, bool] = {}
    withheld = []
    for text, passages, found in checked:
        for f in found:
            if f.unit == "1" or not stated_in(f, passages):
                continue  # a factor, or a dose its passage does not state: outside this measure
            key = (f.text.strip().lower(), f.drug)
            shown = f.verdict in PASSING_VERDICTS
            stated[key] = stated.get(key, False) or shown
            if not shown:
                withheld.append({"dose": f.text, "drug": f.drug, "verdict": f.verdict, "message": f.message[:160]})
        for start, end in lab_spans(text):
            key = (re.sub(r"\s+", " ", text[start:end].strip().lower()),)
            labs[key] = labs.get(key, False) or any(f.start < end and start < f.end for f in found)
    return {"doses_stated": len(stated), "doses_stated_shown": sum(stated.values()), "lab_values": len(labs),
            "lab_values_as_doses": sum(labs.values()), "stated_withheld": withheld}


@contextmanager
def recording_dose_checks():
    """Record what each answer's final dose check reads: a list that starts anew with every check_answer call."""
    from assistant.doses import policy

    calls: list[list[tuple[str, list[str], list[DoseFinding]]]] = []

    def observe(text: str, sources: list[str], found: list[DoseFinding], summary: bool) -> None:
        if summary or not calls:
            calls.append([])
        calls[-1].append((text, list(sources), list(found)))

    policy.OBSERVERS.append(observe)
    try:
        yield calls
    finally:
        policy.OBSERVERS.remove(observe)


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
        with recording_dose_checks() as calls:
            for row in rows:
                session = assistant.sessions.create("eval") if len(row["turns"]) > 1 else None
                for n, turn in enumerate(row["turns"], start=1):
                    calls.clear()
                    answer = assistant.ask(turn["question"], session_id=session, key_id="eval")
                    scored = score_turn(answer, turn["expect"], row.get("guideline"), _cited_meta(index, answer))
                    turns.append({"id": row["id"], "turn": n, "kind": row.get("kind"), "question": turn["question"],
                                  "status": answer.status, "lead": answer.summary[:300], **scored,
                                  "doses": dose_shares(calls[-1] if calls else [])})
    return summarise(turns, len(rows), len(files))


def summarise(turns: list[dict], cases: int, files: int) -> dict:
    """Lead correct, right passage cited, debris shown, grade right, and the failing turns."""
    passage = [t["right_passage"] for t in turns if t["right_passage"] is not None]
    grades = [t["grade_right"] for t in turns if t["grade_right"] is not None]
    follow = [t for t in turns if t["turn"] > 1]
    doses = [t.get("doses") or {} for t in turns]
    stated, shown = sum(d.get("doses_stated", 0) for d in doses), sum(d.get("doses_stated_shown", 0) for d in doses)
    labs, as_doses = sum(d.get("lab_values", 0) for d in doses), sum(d.get("lab_values_as_doses", 0) for d in doses)
    return {
        "cases": cases, "turns": len(turns), "pdfs": files,
        "lead_correct": _rate(sum(not t["problems"] for t in turns), len(turns)),
        "follow_up_correct": _rate(sum(not t["problems"] for t in follow), len(follow)),
        "right_passage": _rate(sum(passage), len(passage)),
        "grade_right": _rate(sum(grades), len(grades)),
        "debris_shown": sum(bool(t["debris"]) for t in turns),
        "doses_stated_in_cited_passage": stated, "dose_shown_when_stated": _rate(shown, stated),
        "lab_values_stated": labs, "lab_values_as_doses": _rate(as_doses, labs),
        "stated_doses_withheld": [{"id": t["id"], "turn": t["turn"], **w} for t in turns
                                  for w in (t.get("doses") or {}).get("stated_withheld", [])][:40],
        "failures": [t for t in turns if t["problems"] or t["right_passage"] is False or t["debris"] or t["grade_right"] is False],
    }
