"""A daily ceiling below a single dose the same statement gives ("Sumatriptan nasal spray 20 mg at onset, maximum 12 mg
per day"): the ceiling cannot be right for that dose, whatever passage or rule each number matches alone."""

from __future__ import annotations

from assistant.doses.matching import Scope
from assistant.doses.negation import is_negated
from assistant.doses.numbers import fmt
from assistant.doses.parse import Amount, Scan
from assistant.doses.scope import finding
from assistant.models import PASSING_VERDICTS, DoseFinding


def _chain(sc: Scan, k: int) -> int:
    """Where the run of ';'- or ':'-joined sentences holding sentence k starts (one statement)."""
    return sc.chain_span(k)[0]


def _daily_ceiling(a: Amount) -> bool:
    return (a.is_max or a.comparator in ("<", "<=")) and not a.step and (
        a.cadence.interval == (1.0, 1.0) or a.info is not None and a.info.per == "day")


def _one_dose(a: Amount) -> bool:
    """A dose given at one time: no limit, step or course, repeated at most daily (or not said)."""
    t = a.cadence
    return not (a.is_max or a.comparator or a.step or a.observed or a.problem) and t.kind == "dose" \
        and t.duration is None and (t.interval is None or t.interval[0] <= 1.0) and not (a.info and a.info.per == "day")


def stated_daily_ceiling(sc: Scan, a: Amount, drug: str | None) -> float | None:
    """The daily ceiling (canonical units) a dose repeated within the day has beside it in its statement ("1,000 mg
    every 4-6 hours, maximum 4 g a day"), else None. The ceiling, checked on its own, bounds the doses' sum, so the sum
    of the doses at their shortest interval is not held to a daily cap (a rule's, or a passage row's)."""
    t = a.cadence.interval
    if not t or t[0] >= 1 or a.info is None or not drug:
        return None
    chain = _chain(sc, a.sentence)
    found = [b.canon[1] for b in sc.amounts
             if b is not a and b.info is not None and b.info.dim == a.info.dim and _daily_ceiling(b)
             and _chain(sc, b.sentence) == chain and not is_negated(sc, b)
             and all(d.canonical == drug for d in sc.drugs if chain_start(sc, b) <= d.start < b.start)]
    return min(found) if found else None


def chain_start(sc: Scan, b: Amount) -> int:
    return sc.chain_span(b.sentence)[0]


def ceilings_below_doses(sc: Scan, results: dict[int, DoseFinding], scopes: dict[int, Scope]) -> None:
    """Withhold a passing daily ceiling lower than a single dose of the same drug in the same statement (an ungrounded
    one is said to be out of range for that reason, the plainer of the two)."""
    for i, a in enumerate(sc.amounts):
        mine, scope = results.get(i), scopes.get(i)
        if mine is None or mine.verdict not in (*PASSING_VERDICTS, "ungrounded") or scope is None or not scope.drug or a.info is None \
                or not _daily_ceiling(a) or is_negated(sc, a):
            continue
        chain = _chain(sc, a.sentence)
        for j, b in enumerate(sc.amounts):
            if j == i or j not in results or j not in scopes or scopes[j].drug != scope.drug or b.info is None \
                    or b.info.dim != a.info.dim or _chain(sc, b.sentence) != chain or not _one_dose(b) \
                    or is_negated(sc, b):
                continue
            if b.canon[0] > a.canon[1] * (1 + 1e-6):
                results[i] = mine.model_copy(update={
                    "verdict": "out_of_range",
                    "message": f"A daily maximum of {a.text.strip()} is below the {b.text.strip()} the same statement "
                               f"gives as one dose ({fmt(b.low)} {b.unit} at once)."})
                break
