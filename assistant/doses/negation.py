"""Negated doses ("do not give 2 g/kg", "0.4 g/kg is not recommended", "instead of 1 g/kg daily"): a sentence that
rules out what the rules also rule out is correct and verified; quoted word for word from a cited passage it is
`grounded`; otherwise (the rules would allow the dose, or have nothing to say) it is `ambiguous` and withheld."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.grounding import quoted
from assistant.doses.parse import Amount, Scan
from assistant.models import DoseFinding

# Limits ("not exceed", "no more than", "not less than") bound a dose; they do not negate it.
_LIMIT = re.compile(r"(?:\b(?:not|never)|n['’]t)\s+(?:to\s+)?(?:(?:give|go|use|let|reduce|lower|raise|increase|drop|run"
                    r"|infuse|set|keep|push|titrate|take|dose|be)\w*\s+(?:\w+\s+){0,5}?)?(?:exceed(?:ing)?|more\s+than|greater\s+than|above|over|less\s+than|"
                    r"fewer\s+than|below|under|higher\s+than|lower\s+than|faster\s+than|quicker\s+than|slower\s+than|beyond|past"
                    r"|in\s+excess\s+of|go\s+(?:above|beyond|over)|be\s+(?:above|more\s+than|higher\s+than))\b"
                    r"|\bno\s+(?:more|less|fewer|greater)\s+than\b"
                    r"|\bavoid\w*\s+(?:[\w-]+\s+){0,3}?(?:above|over|exceeding|beyond|more\s+than|greater\s+than|higher\s+than"
                    r"|below|under|less\s+than|lower\s+than|slower\s+than)"
                    r"\b", re.I)
_BEFORE = re.compile(r"\b(?:not|never|avoid(?:s|ed|ing)?|contraindicated|rather\s+than|instead\s+of|in\s+place\s+of|"
                     r"(?:wrong|incorrect|unsafe|inappropriate|an?\s+(?:error|mistake))\s+to|"
                     r"no\s+longer|(?:do|does|did|should|must|can|could|would|is|are)n['’]t|cannot)\b", re.I)
_AFTER = re.compile(r"^[^,;:]*?\b(?:(?:is|are|was|were|be|should|must|may)\s+(?:not|never)\b|(?:is|are)n['’]t\b|"
                    r"contraindicated\b|(?:should|must)\s+be\s+avoided\b)", re.I)
_CLAUSE_BREAK = re.compile(r"[,;:()]|\s[-–—]\s|\b(?:but|however|whereas|while|although|then)\b", re.I)


NEGATION_FILE = Path(__file__).parent / "data" / "negation.yaml"


@lru_cache(maxsize=1)
def _operation() -> tuple[re.Pattern, re.Pattern]:
    """(a negated operation verb and its words right before an amount, an operand's word right after it)."""
    data = yaml.safe_load(NEGATION_FILE.read_text(encoding="utf-8"))
    verbs = "|".join(data["operations"])
    after = "|".join(data["operand_after"])
    return (re.compile(rf"(?i)\b(?:{verbs})\s+(?:[A-Za-z'’-]+\s+){{0,3}}?$"), re.compile(rf"(?i)^\s*(?:{after})\b"))


@lru_cache(maxsize=1)
def _described_error() -> re.Pattern | None:
    patterns = yaml.safe_load(NEGATION_FILE.read_text(encoding="utf-8")).get("described_errors") or []
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I) if patterns else None


def describes_error(sentence: str) -> bool:
    """Whether a sentence names the result of what it describes as an error ("... would give about four times the
    intended dose"): it warns against the operation, and the numbers in it are stated, not prescribed."""
    pattern = _described_error()
    return bool(pattern and pattern.search(sentence))


def _operand(before: str, after: str) -> bool:
    """Whether the amount is the operand of the operation its clause rules out ("not multiply the whole 30 g by")."""
    verb, operand = _operation()
    return bool(verb.search(before)) and bool(operand.match(after))


_CONTRAST = re.compile(r"\b(?:rather\s+than|instead\s+of|in\s+place\s+of)\b", re.I)


def is_contrast(sc: Scan, a: Amount) -> bool:
    """Whether the amount is named as the alternative set aside ("rather than staying at 0.5 mL/kg/h", "instead of
    1 g/kg"), not as a dose ruled out: the nearest cue before it in its clause is a contrast."""
    start, _ = sc.sentences[a.sentence]
    before = _LIMIT.sub(" ", _CLAUSE_BREAK.split(sc.text[start:a.start])[-1])
    cues = list(_BEFORE.finditer(before))
    return bool(cues) and bool(_CONTRAST.fullmatch(cues[-1].group(0)))


def is_negated(sc: Scan, a: Amount) -> bool:
    """Whether the clause holding the amount rules it out (a cue before it in its clause, or a negated verb after it)."""
    return span_negated(sc, a.start, a.end)


def span_negated(sc: Scan, a_start: int, a_end: int) -> bool:
    """Whether the clause holding the span (an amount, a stated factor) rules it out."""
    start, end = sc.sentences[sc.sentence_of(a_start)]
    before = sc.text[start:a_start]
    if re.search(r"\(\s*$", before):  # "Don't give the course total (2 g/kg) ...": the parenthesis names what is negated
        before = before[:before.rstrip().rfind("(")]
    before = _CLAUSE_BREAK.split(before)[-1]
    if _BEFORE.search(_LIMIT.sub(" ", before)):
        return not _operand(before, sc.text[a_end:end])
    return bool(_AFTER.search(_LIMIT.sub(" ", sc.text[a_end:end])))


def negated_factor(found: DoseFinding) -> DoseFinding:
    """A stated factor the sentence rules out ("do not apply 1.37 to Cuvitru"): right when the rules rule it out too
    (a factor they do not give for this product), withheld when the rules give it (the sentence rules out a right one)."""
    if found.verdict == "out_of_range" and found.rule_id:
        return found.model_copy(update={"verdict": "verified", "message": f"A factor the sentence rules out, and the "
                                        f"rules rule it out too: {found.message}"})
    if found.verdict == "verified":
        return found.model_copy(update={"verdict": "ambiguous", "message": f"The sentence rules out a factor the rules "
                                        f"give ({found.message}); it cannot be shown as written."})
    return found


def negation_verdict(sc: Scan, a: Amount, found: DoseFinding, sources: list[str] | None,
                     replaced_by_dose: bool = False) -> DoseFinding:
    """The finding for a negated amount: verified when the rules rule it out too, grounded when quoted, else ambiguous.
    replaced_by_dose: the sentence gives, not negated, a passing dose of the same drug in its place.

    A contrast ("instead of 1 g/kg daily") is a negation: the dose it replaces is one not to give."""
    if found.verdict in ("verified", "grounded") and replaced_by_dose and is_contrast(sc, a):
        # A choice between doses of one drug ("rather than staying at 0.5 mL/kg/h, increase to 6 mL/kg/h"), where the
        # alternative set aside is itself a right dose (a rule's, or for a drug with no rules the cited passage's:
        # "XR 37.5-75 mg once daily rather than IR 37.5 mg twice daily"): naming it shows no wrong dose. Setting a right dose aside for
        # another therapy ("aspirin rather than IVIG 2 g/kg") is not such a choice.
        return found.model_copy(update={"message": f"Named as the alternative set aside; {found.message}"})
    if found.verdict in ("out_of_range", "unit_error") and found.rule_id:
        return found.model_copy(update={"verdict": "verified", "message": f"A dose the sentence rules out, and rule "
                                        f"{found.rule_id} rules it out too: {found.message}"})
    if quoted(sc, a, sources):
        return found.model_copy(update={"verdict": "grounded", "message": "A negated dose, quoted as the cited source "
                                        "states it; the rules are not applied to what a sentence rules out."})
    return found.model_copy(update={"verdict": "ambiguous", "message": "A negated dose (\"do not ...\"): the rules cannot "
                                    "confirm what a sentence rules out, and it is not quoted from a cited source."})
