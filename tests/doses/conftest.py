"""Shared fixtures: the fixture rule files in tests/data/rules and, when present, the corpus rules; and the classes of
dose texts kept as data in tests/doses/classes/ (one helper checks every member)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from assistant.doses import RuleBook, check_report, load_rulebook

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


# ---- classes of dose texts as data (tests/doses/classes/*.yaml): each member a text that must pass or be caught ------
CLASSES = Path(__file__).resolve().parent / "classes"


@dataclass(frozen=True)
class Member:
    """One text of a class, with the passages it is checked against and whether the checker must catch it."""

    text: str
    caught: bool
    sources: tuple[str, ...] | None = None
    context: str | None = None
    weight_kg: float | None = None


def caught(book: RuleBook, text: str, sources=None, **kw) -> bool:
    """Whether the checker catches a text, as `eval doses` counts it: blocked, or error-prone notation flagged."""
    report = check_report(text, book, sources=sources, **kw)
    return report.blocked or any(f.flags for f in report.findings)


def class_members(name: str) -> list:
    """Every member of the classes in tests/doses/classes/<name>.yaml as a pytest param, with the class in its id.
    A class names its `sources` (passages of the file, or passages written out) or each member its own; `references`
    are read as `eval doses` reads them (a corpus document's sections, a guideline PDF's pages); `contexts` runs every
    member once per question given (null: none); a member's own `context` is its question."""
    from evals.doses import resolve_sources

    data = yaml.safe_load((CLASSES / f"{name}.yaml").read_text(encoding="utf-8"))
    passages = data.get("passages") or {}
    out = []
    for cls in data["classes"]:
        for k, case in enumerate(cls["cases"]):
            named = case.get("sources", cls.get("sources"))
            sources = [passages.get(s, s) for s in named] if named is not None else None
            if refs := case.get("references", cls.get("references")):
                sources = (sources or []) + resolve_sources(refs)
            for context in cls.get("contexts", [case.get("context", cls.get("context"))]):
                member = Member(text=case["text"], caught=case["caught"], sources=tuple(sources) if sources else None,
                                context=context, weight_kg=cls.get("weight_kg"))
                tag = f"{cls['name']} {k}{' ' + context if context and 'contexts' in cls else ''}"
                out.append(pytest.param(member, id=tag.replace(" ", "_")))
    return out


def member_caught(book: RuleBook, member: Member) -> bool:
    """Whether the checker catches a class member, checked against its own passages, question and weight."""
    return caught(book, member.text, list(member.sources) if member.sources is not None else None,
                  context=member.context, weight_kg=member.weight_kg)
