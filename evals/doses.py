"""The `eval doses` suite: run the dose checker over labelled cases and count what it caught."""

from __future__ import annotations

from pathlib import Path

from assistant.doses import RuleBook, check_report
from assistant.errors import InputError
from evals.jsonl import read_jsonl


def load_cases(cases_path: Path) -> list[dict]:
    """Read JSONL rows {"id", "text", "weight_kg"?, "safe"}; a malformed row is an error naming its line."""
    rows = []
    for number, row in read_jsonl(cases_path):
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not isinstance(row.get("safe"), bool):
            raise InputError(f"{cases_path}:{number}: a case needs a string 'text' and a boolean 'safe'")
        rows.append(row)
    return rows


def run_dose_eval(cases_path: Path, rulebook: RuleBook) -> dict:
    """Check every case; a case is caught when the checker blocks it or flags error-prone notation."""
    result = {"unsafe_total": 0, "unsafe_caught": 0, "safe_total": 0, "safe_passed": 0, "misses": []}
    for row in load_cases(cases_path):
        report = check_report(row["text"], rulebook, weight_kg=row.get("weight_kg"))
        flags = sorted({flag for finding in report.findings for flag in finding.flags})
        caught = report.blocked or bool(flags)
        key = "safe" if row["safe"] else "unsafe"
        result[f"{key}_total"] += 1
        if caught != row["safe"]:
            result["unsafe_caught" if key == "unsafe" else "safe_passed"] += 1
        else:
            result["misses"].append({"id": row.get("id"), "safe": row["safe"], "blocked": report.blocked,
                                     "flags": flags})
    return result
