"""The `conversation` suite: multi-turn cases (rows with a "turns" list), scored turn by turn.

It is the answers suite on conversation rows; this module names it for callers that want the
turn-level numbers alone (`guideqa eval answers --cases evals/cases/conversations.jsonl` prints everything).
"""

from __future__ import annotations

from pathlib import Path

from assistant.errors import InputError
from assistant.settings import PROJECT_ROOT, Settings
from evals.answers import load_cases, run_answer_eval

DEFAULT_CASES = PROJECT_ROOT / "evals" / "cases" / "conversations.jsonl"
TURN_METRICS = ("cases", "turns", "turn_recall_retrieved", "turn_recall_cited", "citation_validity", "citation_recall",
                "abstention_precision", "abstention_recall", "status_accuracy", "latency_ms_p50", "latencies_ms", "failures")


def run_conversation_eval(cases_path: Path = DEFAULT_CASES, settings: Settings | None = None) -> dict:
    """Turn-level retrieval recall (and citation checks) over multi-turn conversations."""
    from assistant.settings import get_settings

    if not all("turns" in row for row in load_cases(cases_path)):
        raise InputError(f"{cases_path}: every conversation case needs a 'turns' list.")
    result = run_answer_eval(cases_path, settings or get_settings())
    return {key: result[key] for key in TURN_METRICS}
