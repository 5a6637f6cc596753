"""The `eval doses` suite: run the dose checker over labelled cases and count what it caught, per category."""

from __future__ import annotations

from pathlib import Path

from assistant.doses import RuleBook, check_report
from assistant.doses.policy import frame_for
from assistant.errors import InputError
from evals.jsonl import read_jsonl


def load_cases(cases_path: Path) -> list[dict]:
    """Read JSONL rows {"id", "text", "safe", "weight_kg"?, "category"?, "context"?, "sources"?}; errors name the line."""
    rows = []
    for number, row in read_jsonl(cases_path):
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not isinstance(row.get("safe"), bool):
            raise InputError(f"{cases_path}:{number}: a case needs a string 'text' and a boolean 'safe'")
        sources = row.get("sources")
        if sources is not None and not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
            raise InputError(f"{cases_path}:{number}: 'sources' must be a list of passage strings")
        if row.get("context") is not None and not isinstance(row["context"], str):
            raise InputError(f"{cases_path}:{number}: 'context' must be the question as a string")
        rows.append(row)
    return rows


def run_dose_eval(cases_path: Path, rulebook: RuleBook) -> dict:
    """Check every case; a case is caught when the checker blocks it or flags error-prone notation."""
    result = {"unsafe_total": 0, "unsafe_caught": 0, "safe_total": 0, "safe_passed": 0, "misses": [],
              "per_category": {}}
    for row in load_cases(cases_path):
        question = row.get("context")
        frame = frame_for(question, rulebook) if question else None
        report = check_report(row["text"], rulebook, weight_kg=row.get("weight_kg"), sources=row.get("sources"),
                              context=question, frame=frame)
        flags = sorted({flag for finding in report.findings for flag in finding.flags})
        caught = report.blocked or bool(flags)
        key = "safe" if row["safe"] else "unsafe"
        category = result["per_category"].setdefault(str(row.get("category", "uncategorised")),
                                                     {"unsafe_total": 0, "unsafe_caught": 0, "safe_total": 0,
                                                      "safe_passed": 0})
        for tally in (result, category):
            tally[f"{key}_total"] += 1
        if caught != row["safe"]:
            for tally in (result, category):
                tally["unsafe_caught" if key == "unsafe" else "safe_passed"] += 1
        else:
            result["misses"].append({"id": row.get("id"), "safe": row["safe"], "blocked": report.blocked,
                                     "flags": flags})
    return result
