"""A daily maximum counts every source: a dose an answer adds to what the question says the patient already takes of
the same drug ("takes acetaminophen 1 g q6h (4 g/day) at home" + "add acetaminophen 650 mg premed") is withheld when
the two together exceed the daily maximum of the drug's rules."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.grounding import amount_mention, same_drug
from assistant.doses.lexicon import Lexicon
from assistant.doses.matching import Scope
from assistant.doses.negation import is_negated
from assistant.doses.numbers import fmt
from assistant.doses.parse import Amount, Scan
from assistant.doses.rules import RuleBook
from assistant.models import PASSING_VERDICTS, DoseFinding

INTAKE_FILE = Path(__file__).parent / "data" / "intake.yaml"


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern, re.Pattern]:
    data = yaml.safe_load(INTAKE_FILE.read_text(encoding="utf-8"))
    return (re.compile("|".join(f"(?:{p})" for p in data["current"]), re.I),
            re.compile("|".join(f"(?:{p})" for p in data["added"]), re.I))


def _plain(a: Amount) -> bool:
    return a.info is not None and not (a.is_max or a.comparator or a.step or a.observed or a.problem)


def _per_day(a: Amount) -> float | None:
    """The most an amount gives in a day (canonical units): a daily figure as it is, a dose repeated within the day
    times its doses at the shortest interval, a once-daily dose as it is; None for a dose whose repeat is not said."""
    if a.info.per == "day":
        return a.canon[1]
    t = a.cadence.interval
    if t and t[0] > 0 and t[0] <= 1.0 and a.cadence.kind == "dose" and a.cadence.duration is None:
        return a.canon[1] / t[0]
    return None


def current_intake(ctx: Scan | None, drug: str, dim: str, lex: Lexicon) -> tuple[float, str] | None:
    """The largest daily amount of a drug the question says the patient takes now, with its words."""
    if ctx is None:
        return None
    current, _ = _cues()
    best: tuple[float, str] | None = None
    for k, b in enumerate(ctx.amounts):
        if not _plain(b) or b.info.dim != dim or is_negated(ctx, b):
            continue
        mention = amount_mention(ctx, k)
        s_start, s_end = ctx.sentences[b.sentence]
        if mention is None or not same_drug(mention.canonical, drug, lex) or not current.search(ctx.text[s_start:s_end]):
            continue
        day = _per_day(b)
        if day is not None and (best is None or day > best[0]):
            best = (day, " ".join(filter(None, (b.text.strip(), (b.cadence.text or "").strip()))))
    return best


def _daily_max(book: RuleBook, drug: str, dim: str, age: str | None) -> float | None:
    found = [n.max_daily for n in book.by_drug.get(drug, ()) if n.max_daily is not None and n.dim == dim
             and n.family == "dose" and (age is None or n.rule.population.age in (age, "any"))]
    return min(found) if found else None


def intake_over_ceiling(book: RuleBook, sc: Scan, ctx: Scan | None, results: dict[int, DoseFinding],
                        scopes: dict[int, Scope]) -> None:
    """Withhold a passing dose the answer adds to the patient's current intake of the same drug when the day's total
    would exceed the rules' daily maximum for the drug."""
    if ctx is None:
        return
    _, added = _cues()
    for i, a in enumerate(sc.amounts):
        mine, scope = results.get(i), scopes.get(i)
        if mine is None or mine.verdict not in PASSING_VERDICTS or scope is None or not scope.drug or not _plain(a) \
                or is_negated(sc, a) or a.cadence.duration is not None:
            continue
        s_start, s_end = sc.sentences[a.sentence]
        if not added.search(sc.text[s_start:s_end]):
            continue
        ceiling = _daily_max(book, scope.drug, a.info.dim, scope.age)
        intake = current_intake(ctx, scope.drug, a.info.dim, book.lexicon)
        if ceiling is None or intake is None:
            continue
        dose = _per_day(a) or a.canon[1]
        if intake[0] + dose > ceiling * (1 + 1e-6):
            factor = a.info.factor or 1.0
            results[i] = mine.model_copy(update={
                "verdict": "out_of_range",
                "message": f"With the {intake[1]} the patient already takes (as the question says), {a.text.strip()} "
                           f"more comes to {fmt((intake[0] + dose) / factor)} {a.unit} a day, above the daily maximum of "
                           f"{fmt(ceiling / factor)} {a.unit} from all sources."})
