"""Policy: what happens to a text or an answer with doses that are not verified or grounded."""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.doses.check import check_text
from assistant.doses.rules import RuleBook
from assistant.models import PASSING_VERDICTS, Answer, DoseFinding, DoseReport

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def check_report(text: str, rulebook: RuleBook, *, weight_kg: float | None = None) -> DoseReport:
    """`guideqa check-doses --json`: blocked when any finding is neither verified nor grounded."""
    findings = check_text(text, rulebook, weight_kg=weight_kg)
    return DoseReport(blocked=any(f.verdict not in PASSING_VERDICTS for f in findings), findings=findings)


def notice(failing: list[DoseFinding]) -> str:
    """The visible text that replaces a withheld statement."""
    parts = [f"{f.message} (rule source: {f.source or 'none'})" for f in failing]
    return "Dose withheld: " + "; ".join(parts)


def check_answer(answer: Answer, passages: Mapping[int, str], rulebook: RuleBook, *, weight_kg: float | None = None,
                 question: str | None = None) -> Answer:
    """Check the summary and every statement; withhold what fails, block the answer if the summary fails."""
    context = question or answer.standalone_question or answer.question
    checks: list[DoseFinding] = []
    cited = [int(n) for m in _MARKER.finditer(answer.summary) for n in m.group(1).split(",")]
    # A summary without markers summarises the whole answer: every passage may ground it.
    summary_sources = [passages[n] for n in dict.fromkeys(cited) if n in passages] if cited else list(passages.values())
    found = check_text(answer.summary, rulebook, weight_kg=weight_kg, sources=summary_sources, context=context)
    checks += found
    update: dict = {}
    if failing := [f for f in found if f.verdict not in PASSING_VERDICTS]:
        update |= {"summary": notice(failing), "status": "blocked"}
    sections = []
    for section in answer.sections:
        statements = []
        for statement in section.statements:
            sources = [passages[n] for n in statement.citations if n in passages]
            found = check_text(statement.text, rulebook, weight_kg=weight_kg, sources=sources,
                               context=f"{section.heading}\n{context}")
            checks += found
            if failing := [f for f in found if f.verdict not in PASSING_VERDICTS]:
                statement = statement.model_copy(update={"text": notice(failing), "withheld": True})
            statements.append(statement)
        sections.append(section.model_copy(update={"statements": statements}))
    return answer.model_copy(update=update | {"sections": sections, "dose_checks": checks})
