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
def _data() -> dict:
    return yaml.safe_load(INTAKE_FILE.read_text(encoding="utf-8"))


def _any(words: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in words), re.I)


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern, re.Pattern]:
    return _any(_data()["current"]), _any(_data()["added"])


@lru_cache(maxsize=1)
def _change_cues() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    return _any(_data()["reduce"]), _any(_data()["increase"]), re.compile(_data()["passage_change"], re.I)


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


def _passage_changes(srcs: list[Scan] | None) -> set[tuple[str, float]]:
    """The changes by a percent the cited passages give ("reduce mealtime insulin dose by 50%"): (way, percent)."""
    reduce, _, change = _change_cues()
    return {("down" if reduce.match(m.group("verb")) else "up", float(m.group("p")))
            for src in srcs or () for m in change.finditer(src.text)}


def percent_changes(book: RuleBook, sc: Scan, ctx: Scan | None, results: dict[int, DoseFinding],
                    scopes: dict[int, Scope], srcs: list[Scan] | None) -> None:
    """A dose the statement works out as its sentence's percent change of the question's current dose of the same
    drug ("to 7 units (a 50% cut)" of "lispro 14 units") is grounded when the arithmetic holds and the cited passage
    gives that change; withheld as out of range when the arithmetic does not hold."""
    if ctx is None or not sc.percents:
        return
    changes = _passage_changes(srcs)
    reduce, increase, _ = _change_cues()
    for i, a in enumerate(sc.amounts):
        mine, scope = results.get(i), scopes.get(i)
        if mine is None or mine.verdict in PASSING_VERDICTS or scope is None or not scope.drug or not _plain(a) \
                or a.is_range or is_negated(sc, a):
            continue
        s_start, s_end = sc.sentences[a.sentence]
        sentence = sc.text[s_start:s_end]
        way = "down" if reduce.search(sentence) else "up" if increase.search(sentence) else None
        percents = [p for p in sc.percents if s_start <= p[0] < s_end]
        if way is None or len(percents) != 1:
            continue
        p = percents[0][2]
        for k, b in enumerate(ctx.amounts):
            # the drug named right before the amount in the question ("on insulin aspart 12 units"), else its reading
            near = [d for d in ctx.in_sentence(ctx.drugs, b.sentence) if d.end <= b.start and b.start - d.end <= 20]
            mention = near[-1] if near else amount_mention(ctx, k)
            if not _plain(b) or b.info.dim != a.info.dim or b.is_range or mention is None \
                    or not same_drug(mention.canonical, scope.drug, book.lexicon):
                continue
            expected = b.canon[0] * (1 - p / 100 if way == "down" else 1 + p / 100)
            if abs(a.canon[0] - expected) <= 0.02 * expected:
                if (way, p) in changes:
                    results[i] = mine.model_copy(update={
                        "verdict": "grounded",
                        "message": f"{a.text.strip()} is the {b.text.strip()} the question gives, "
                                   f"{'reduced' if way == 'down' else 'increased'} by {fmt(p)}% as the cited passage "
                                   f"says."})
            else:
                results[i] = mine.model_copy(update={
                    "verdict": "out_of_range",
                    "message": f"Arithmetic does not hold: {b.text.strip()} {'reduced' if way == 'down' else 'increased'}"
                               f" by {fmt(p)}% is {fmt(expected / (a.info.factor or 1.0))} {a.unit}, not "
                               f"{a.text.strip()}."})
            break
