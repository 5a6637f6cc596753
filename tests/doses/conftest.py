"""Shared fixtures: the fixture rule files in tests/data/rules and, when present, the corpus rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.doses import RuleBook, load_rulebook

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_RULES = ROOT / "tests" / "data" / "rules"
CORPUS_RULES = ROOT / "corpus" / "rules"
CASES = ROOT / "evals" / "cases" / "doses.jsonl"


@pytest.fixture(scope="session")
def book() -> RuleBook:
    """The fixture rules: stable data for exact verdict tests."""
    return load_rulebook(FIXTURE_RULES)


@pytest.fixture(scope="session")
def corpus_book() -> RuleBook:
    """The project's own rules."""
    assert (CORPUS_RULES / "vocabulary.yaml").is_file() and len(list(CORPUS_RULES.glob("*.yaml"))) >= 2
    return load_rulebook(CORPUS_RULES)
