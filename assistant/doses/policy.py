"""Policy: what happens to a text or an answer with doses that are not verified or grounded."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml

from assistant.doses.calculated import confirm
from assistant.doses.check import check_text, scan_text
from assistant.doses.context import AnswerContext, frame_from_text
from assistant.doses.rules import RuleBook
from assistant.settings import get_settings
from assistant.models import PASSING_VERDICTS, Answer, Citation, DoseFinding, DoseReport

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
WITHHELD_MARKER = "[dose withheld]"
# Callbacks told of every text check_answer checks, as (text, cited passages, findings, whether it is the summary,
# which each check_answer call checks first): measurements (the vadod suite's dose shares) read the statements before
# withholding replaces them. Empty in the product.
OBSERVERS: list[Callable[[str, list[str], list[DoseFinding], bool], None]] = []


def _observed(text: str, sources: list[str], found: list[DoseFinding], summary: bool = False) -> list[DoseFinding]:
    for observe in OBSERVERS:
        observe(text, sources, found, summary)
    return found


_HISTORY_FILE = Path(__file__).parent / "data" / "asked.yaml"


def _history_pattern() -> re.Pattern:
    words = yaml.safe_load(_HISTORY_FILE.read_text(encoding="utf-8"))["already_on"]
    return re.compile(r"(?i)\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words) + r")\s+$")


_HISTORY = _history_pattern()


def frame_for(question: str, rulebook: RuleBook) -> AnswerContext:
    """An answer context read from a question's words, for callers without a question frame (evals, the CLI)."""
    sc = scan_text(question, rulebook.lexicon)
    # The drug asked about is the one named right before "dose" or "rate" ("What acetaminophen dose before IVIG?").
    asked = [d for d in sc.drugs if re.match(r"(?i)\s*(?:\S+\s+){0,2}?(?:dose|dosing|rate|regimen)\b",
                                             question[d.end:d.end + 30])]
    drugs = [asked[0].canonical] if asked else [d.canonical for d in sc.drugs]
    if not asked and len(set(drugs)) > 1:
        # "Losartan for BP, pt already on HCTZ 25": a drug the patient is already on is history, not the one asked about.
        fresh = {d.canonical for d in sc.drugs if not _HISTORY.search(question[max(0, d.start - 30):d.start])}
        if len(fresh) == 1:
            drugs = list(fresh)
    return frame_from_text(question, drugs, [i.canonical for i in sc.indications])


def failing(findings: list[DoseFinding], flags_block: bool | None = None) -> list[DoseFinding]:
    """Findings that withhold their text: neither verified nor grounded, or (when flags block) error-prone notation."""
    if flags_block is None:
        flags_block = get_settings().doses.flags_block
    return [f for f in findings if f.verdict not in PASSING_VERDICTS or (flags_block and f.flags)]


def check_report(text: str, rulebook: RuleBook, *, weight_kg: float | None = None, sources: list[str] | None = None,
                 context: str | None = None, frame: AnswerContext | None = None,
                 flags_block: bool | None = None) -> DoseReport:
    """`guideqa check-doses --json`: blocked when any finding is neither verified nor grounded (or flagged, if set)."""
    findings = check_text(text, rulebook, weight_kg=weight_kg, sources=sources, context=context, frame=frame)
    return DoseReport(blocked=bool(failing(findings, flags_block)), findings=findings)


def notice(failed: list[DoseFinding]) -> str:
    """The visible text that replaces a withheld statement."""
    parts = [f"{f.message} (rule source: {f.source or 'none'})" for f in failed]
    return "Dose withheld: " + "; ".join(parts)


def _normal(text: str) -> str:
    return " ".join(_MARKER.sub(" ", text).split()).strip(" .").lower()


def redact_quote(quote: str, statement: str, doses: list[str]) -> str:
    """The quote without the withheld statement: its sentence (or any sentence with one of its doses) is replaced."""
    target = _normal(statement)
    out: list[str] = []
    for part in re.split(r"(?<=[.!?;])\s+|\n+", quote):
        norm = _normal(part)
        if norm and (norm in target or target in norm or any(d.lower() in norm for d in doses if d)):
            if not out or out[-1] != WITHHELD_MARKER:
                out.append(WITHHELD_MARKER)
        else:
            out.append(part)
    return " ".join(out) if WITHHELD_MARKER in out else quote


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of a text (its citation markers aside) that holds the span start..end."""
    bounds = [0] + [m.end() for m in re.finditer(r"(?<=[.!?])\s+(?=[A-Z(])|\]\.\s+", text)] + [len(text)]
    for lo, hi in zip(bounds, bounds[1:]):
        if lo <= start and end <= hi:
            return text[lo:hi]
    return text


def verbatim(text: str, findings: list[DoseFinding], sources: list[str]) -> list[DoseFinding]:
    """An ungrounded dose in a sentence the cited passage holds word for word is grounded: the sentence says what the
    source says, its own population and circumstance with it (a combination's strength pair read differently in the
    answer's context than in the passage's). A dose that breaks a rule keeps its verdict."""
    normal = [_normal(p) for p in sources]
    out = []
    for f in findings:
        sentence = _normal(_sentence_at(text, f.start, f.end))
        if f.verdict == "ungrounded" and len(sentence) >= 20 and any(sentence in p for p in normal):
            f = f.model_copy(update={"verdict": "grounded", "message": "Stated word for word in the cited passage; "
                                                                      "no rule gives it."})
        out.append(f)
    return out


def check_answer(answer: Answer, passages: Mapping[int, str], rulebook: RuleBook, *, weight_kg: float | None = None,
                 question: str | None = None, frame: AnswerContext | None = None, flags_block: bool | None = None) -> Answer:
    """Check the summary and every statement; withhold what fails (in quotes too), block if the summary fails."""
    context = question or answer.standalone_question or answer.question
    checks: list[DoseFinding] = []
    withheld: dict[int, list[tuple[str, list[str]]]] = {}
    cited = [int(n) for m in _MARKER.finditer(answer.summary) for n in m.group(1).split(",")]
    # A summary without markers summarises the whole answer: every passage may ground it.
    summary_sources = [passages[n] for n in dict.fromkeys(cited) if n in passages] if cited else list(passages.values())
    calculated = [s.calculated for section in answer.sections for s in section.statements if s.calculated]
    found = check_text(answer.summary, rulebook, weight_kg=weight_kg, sources=summary_sources, context=context,
                       frame=frame)
    found = verbatim(answer.summary, confirm(answer.summary, found, calculated, rulebook), summary_sources)
    found = _observed(answer.summary, summary_sources, found, True)
    checks += found
    update: dict = {}
    if failed := failing(found, flags_block):
        update |= {"summary": notice(failed), "status": "blocked"}
        for n in dict.fromkeys(cited) if cited else passages:
            withheld.setdefault(n, []).append((answer.summary, [f.text for f in failed]))
    sections = []
    for section in answer.sections:
        statements = []
        for statement in section.statements:
            sources = [passages[n] for n in statement.citations if n in passages]
            found = check_text(statement.text, rulebook, weight_kg=weight_kg, sources=sources,
                               context=f"{section.heading}\n{context}", frame=frame)
            if statement.calculated:
                found = confirm(statement.text, found, [statement.calculated], rulebook)
            found = verbatim(statement.text, found, sources)
            checks += _observed(statement.text, sources, found)
            if failed := failing(found, flags_block):
                for n in statement.citations:
                    withheld.setdefault(n, []).append((statement.text, [f.text for f in failed]))
                statement = statement.model_copy(update={"text": notice(failed), "withheld": True})
            statements.append(statement)
        sections.append(section.model_copy(update={"statements": statements}))
    citations = [_redacted(c, withheld.get(c.n, [])) for c in answer.citations]
    return answer.model_copy(update=update | {"sections": sections, "dose_checks": checks, "citations": citations})


def _redacted(citation: Citation, withheld: list[tuple[str, list[str]]]) -> Citation:
    quote = citation.quote
    for statement, doses in withheld:
        quote = redact_quote(quote, statement, doses)
    return citation if quote == citation.quote else citation.model_copy(update={"quote": quote})
