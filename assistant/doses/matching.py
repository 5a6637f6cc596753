"""Matching a stated value to rules: which rules apply to an amount, and whether one rule holds it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from assistant.doses.authorities import by_key
from assistant.doses.cadence import Cadence
from assistant.doses.numbers import fmt
from assistant.doses.indications import MODIFIERS, diseases, is_disease
from assistant.doses.rules import NormRule, RuleBook

# A one-sided rule ("IgG < 4 g/L", "at least 0.2 g/kg") holds values up to this factor from its bound;
# beyond that the text is saying something the rule does not (often a slipped unit).
ONE_SIDED_SPAN = 3.0
INTERVAL_TOLERANCE = 1.1  # "monthly" (30.4 days) is read as the 4-week interval guidelines mean
CEILING_TOLERANCE = 0.02  # a stated maximum ("up to 6 mL/kg/h") is the rule's own maximum, give or take rounding
_EPS = 1e-6


@dataclass(frozen=True)
class Scope:
    """What the text (or its context) says about the patient and the product for one amount."""

    drug: str | None
    indications: frozenset[str]
    age: str | None
    route: str | None
    product: str | None
    weight_basis: str | None
    weight: float | None
    lab_kind: str | None = None  # for a lab value: "threshold" (when to start) or "lab_target" (a trough to keep)
    conflict: bool = False  # the statement names another disease than the answer is about: no rule may verify
    start: bool = False  # a starting dose or rate ("start at", "initial rate"): only starting rules verify
    brand: str | None = None  # the product brand named with the dose (Hizentra, Cuvitru)
    phase: str | None = None  # "loading" or "maintenance" when the text (or question) names the phase of the regimen
    alongside: bool = True  # the text or question names a drug that the modifier rules go with (IVIG for premedication)
    jurisdiction: str | None = None  # "us" or "eu" when the sentence (or question) names a labelling
    authority: str | None = None  # the source the text attributes the dose to by name ("Ontario", "EU SmPC", "AAAAI")
    asked: frozenset[str] = frozenset()  # circumstances the question names (renal impairment): the patient's


# ---- does one rule hold a stated value? ----------------------------------------------------------
@dataclass(frozen=True)
class Stated:
    """A stated value in canonical units, with what the text says about it."""

    lo: float
    hi: float
    dim: str
    cadence: Cadence = field(default_factory=Cadence)
    comparator: str | None = None
    is_max: bool = False


def _cadence_problem(n: NormRule, s: Stated) -> str | None:
    t = s.cadence
    if t.duration and n.duration:
        # Courses are checked both ways: a course shorter than the rule's is as wrong as a longer one.
        shortest = n.min_duration or n.duration
        rule_span = _days_text((shortest, n.duration))
        if t.duration[1] > n.duration * INTERVAL_TOLERANCE:
            return f"a course of {_days_text(t.duration)} is longer than the rule's {rule_span}"
        if t.duration[0] < shortest / INTERVAL_TOLERANCE:
            return f"a course of {_days_text(t.duration)} is shorter than the rule's {rule_span}"
    if t.cycle and t.duration and t.cycle[1] < t.duration[1] - _EPS:
        return f"a course of {_days_text(t.duration)} cannot be repeated every {_days_text(t.cycle)}"
    if t.cycle and not (n.interval and n.interval[0] >= t.cycle[0] / INTERVAL_TOLERANCE - _EPS):
        return f"the rule's course is not repeated every {_days_text(t.cycle)}"
    if t.infusion and n.infusion and not (t.infusion[0] >= n.infusion[0] / INTERVAL_TOLERANCE - _EPS
                                          and t.infusion[1] <= n.infusion[1] * INTERVAL_TOLERANCE + _EPS):
        return f"an infusion over {_days_text(t.infusion)} is not the rule's {_days_text(n.infusion)}"
    if n.kind == "course":
        if t.kind == "course" or (t.interval is None and not t.duration):
            return None
        if t.interval and t.duration:
            return None  # a daily dose over N days: compared as a course total below
        return "the rule gives a total per course, the text a repeated dose"
    if t.kind == "course":
        if n.interval and n.duration:
            return None  # a daily dose for N days: compared as a course total below
        if n.interval is None and n.duration is None:
            if t.duration and t.duration[1] > 1:
                return "the rule gives a single dose, the text a course spread over days"
            return None  # a single dose is its own course
        return "the text gives a course total, the rule a repeated dose"
    if t.single:
        return None if n.interval is None else "the text gives a single dose, the rule a repeated one"
    if t.interval is not None:
        if n.interval is None:
            if n.max_daily is None:
                return "the rule gives no repeat interval"
        elif not (t.interval[0] >= n.interval[0] / INTERVAL_TOLERANCE - _EPS
                  and t.interval[1] <= n.interval[1] * INTERVAL_TOLERANCE + _EPS):
            return f"interval {_days_text(t.interval)} is outside the rule's {_days_text(n.interval)}"
    return None


def _days_text(span: tuple[float, float]) -> str:
    lo, hi = span
    for unit, step in (("week", 7.0), ("day", 1.0), ("hour", 1 / 24)) + ((("minute", 1 / 1440),) if lo < 1 / 24 else ()):
        if lo >= step - _EPS and abs(lo / step - round(lo / step)) < 0.05 and abs(hi / step - round(hi / step)) < 0.05:
            a, b = round(lo / step), round(hi / step)
            return f"{a}{'' if a == b else f'-{b}'} {unit}{'s' if b != 1 else ''}"
    return f"{lo:g}-{hi:g} days"


def course_total(s: Stated) -> float | None:
    """Total over the course for a repeated dose with a stated duration (highest end)."""
    t = s.cadence
    if t.kind == "course":
        return s.hi
    if t.interval and t.duration:
        return s.hi * max(1, int(t.duration[1] / t.interval[0] + _EPS))
    return None


def period_scaled(n: NormRule, s: Stated) -> Stated:
    """A dose given every n periods of a rule that allows it, as the amount per period ("20.6 g every 2 weeks" of a
    weekly rule that allows every 2 weeks at double the dose is 10.3 g a week); otherwise the dose as stated."""
    t = s.cadence
    if n.scaled is None or n.interval is None or t.interval is None or t.kind == "course" or t.single:
        return s
    period, (lo, hi) = n.interval[0], t.interval
    if not math.isclose(lo, hi, rel_tol=0.05) or math.isclose(lo, period, rel_tol=0.05) or not (
            n.scaled[0] / INTERVAL_TOLERANCE - _EPS <= lo <= n.scaled[1] * INTERVAL_TOLERANCE + _EPS):
        return s
    k = round(lo / period)
    if k < 1 or not math.isclose(lo, k * period, rel_tol=0.05):
        return s  # every 10 days is not a whole number of weeks
    return replace(s, lo=s.lo / k, hi=s.hi / k, cadence=replace(t, interval=n.interval))


def problem(n: NormRule, s: Stated) -> str | None:
    """None when the rule holds the stated value; otherwise why not, in words."""
    if n.dim != s.dim:
        return "different kind of unit"
    lo, hi = n.lo, n.hi
    if n.family == "lab":
        c = s.comparator
        if n.rule.comparator in (">", ">=") or hi is None:
            if c in ("<", "<="):
                return "the rule sets a lower bound"
            ok = s.lo >= lo * (1 - _EPS) and s.hi <= lo * ONE_SIDED_SPAN
        elif n.rule.comparator in ("<", "<=") or lo is None:
            if c in (">", ">="):
                return "the rule sets an upper bound"
            ok = s.hi <= hi * (1 + _EPS) and s.lo >= hi / ONE_SIDED_SPAN
        else:
            if c in ("<", "<=") and n.rule.kind == "lab_target":
                return "the rule gives a target range, not a ceiling"
            ok = s.lo >= lo * (1 - _EPS) and s.hi <= hi * (1 + _EPS)
        return None if ok else "outside the rule"
    if n.family == "dose":
        s = period_scaled(n, s)
    if n.family == "dose" and (why := _cadence_problem(n, s)):
        return why
    if n.family == "rate" and n.duration and s.cadence.infusion and \
            s.cadence.infusion[1] > n.duration * INTERVAL_TOLERANCE + _EPS:
        return f"held for {_days_text(s.cadence.infusion)}, longer than the rule's {_days_text((n.duration,) * 2)}"
    values = (s.lo, s.hi)
    if n.family == "dose" and n.kind == "course" and s.cadence.kind != "course" and s.cadence.interval \
            and s.cadence.duration:
        total = course_total(s)
        values = (total, total)
    elif n.family == "dose" and s.cadence.kind == "course" and n.interval and n.duration:
        doses = max(1, int(n.duration / n.interval[0] + _EPS))  # rule's course: dose x number of doses
        lo = None if lo is None else lo * doses
        hi = None if hi is None else hi * doses
    if s.is_max and s.cadence.interval == (1.0, 1.0) and n.max_daily is not None:
        if s.hi > n.max_daily * (1 + _EPS):
            return "above the rule's daily maximum"
        # A stricter daily ceiling is allowed (3 g for chronic use under a 4 g limit); a tenth of it is a slip.
        return None if s.hi >= n.max_daily / ONE_SIDED_SPAN else "a daily maximum far below the rule's"
    eff_lo = lo if lo is not None else 0.0
    eff_hi = hi if hi is not None else lo * ONE_SIDED_SPAN
    if s.is_max or s.comparator in ("<", "<="):
        if values[1] > eff_hi * (1 + _EPS):
            return "above the rule's maximum"
        if values[1] < eff_lo * (1 - _EPS):
            return "a limit below the rule's lowest dose"  # "up to 0.04 g/kg" is a slip, not a cautious cap
        if hi is not None and lo is not None and lo < hi and values[1] < hi * (1 - CEILING_TOLERANCE):
            return f"a stated maximum below the rule's maximum of {fmt(n.rule.max)} {n.rule.unit}"
    elif values[0] < eff_lo * (1 - _EPS) or values[1] > eff_hi * (1 + _EPS):
        return "outside the rule's range"
    elif s.comparator in (">", ">=") and not s.is_max and n.family in ("dose", "rate") and lo is not None and hi is not None \
            and lo < hi and values[0] > lo * (1 + CEILING_TOLERANCE):
        # "no less than 0.8 g/kg" states a floor: the rule's floor is its lowest dose, not any dose in its range.
        return f"a stated minimum above the rule's minimum of {fmt(n.rule.min)} {n.rule.unit}"
    if n.max_single is not None and s.hi > n.max_single * (1 + _EPS):
        return "above the rule's maximum single dose"
    t = s.cadence
    if n.max_daily is not None and t.interval and t.kind != "course":
        per_day = s.hi * max(1.0, 1.0 / t.interval[0]) if t.interval[0] < 1 else s.hi
        if per_day > n.max_daily * (1 + _EPS):
            return f"{per_day:g} per day is above the rule's daily maximum"
    if n.max_daily is not None and t.kind == "course" and t.duration and t.duration[1] >= 1 \
            and s.hi / t.duration[1] > n.max_daily * (1 + _EPS):
        return "divided over the days stated, the daily dose is above the rule's daily maximum"
    if n.max_course is not None and (total := course_total(s)) is not None and total > n.max_course * (1 + _EPS):
        return "the course total is above the rule's maximum per course"
    return None


def is_cap(n: NormRule) -> bool:
    """A dose or rate rule with only an upper bound: a limit that constrains, never a range that verifies."""
    return n.family in ("dose", "rate") and n.lo is None


def cap_problem(n: NormRule, s: Stated) -> str | None:
    """None when the stated dose stays within a cap rule ('< 2 mg/kg/min', 'at most 4 g per day')."""
    if n.dim != s.dim:
        return None
    value = s.hi
    if n.interval == (1.0, 1.0) and s.cadence.interval and s.cadence.interval[0] < 1:
        value = s.hi / s.cadence.interval[0]  # several doses a day: the cap is on their sum
    if value > n.hi * (1 + _EPS):
        return f"{value:g} is above the limit of rule {n.rule.id}"
    return None


@dataclass(frozen=True)
class Selection:
    """The rules for one amount: ranges that may verify, caps that must hold, and which ranges are borrowed."""

    base: list[NormRule]
    caps: list[NormRule]
    note: str
    borrowed: frozenset[str]  # ids of rules for another disease (or stage) than the amount's: they never verify


def select(book: RuleBook, family: str, sc: Scope) -> Selection:
    """Rules that apply to an amount of this scope."""
    rules = [n for n in book.for_drug(sc.drug, family)
             if (sc.age is None or n.rule.population.age in ("any", sc.age))
             and (sc.route is None or n.rule.route in ("any", sc.route))
             and (sc.product is None or n.rule.product in ("any", sc.product))
             and (sc.brand is None or n.rule.brand in (None, sc.brand))
             and (not n.rule.brand_named or n.rule.brand == sc.brand)
             and (sc.jurisdiction is None or n.rule.jurisdiction in ("any", sc.jurisdiction))
             and (sc.weight_basis is None or n.rule.population.weight_basis in ("any", sc.weight_basis))
             and (sc.lab_kind is None or n.family != "lab" or n.rule.kind == sc.lab_kind)]
    general = [n for n in rules if n.rule.indication not in MODIFIERS and not is_cap(n)]
    # Rules of a modifier (conversion examples, thrombosis risk) apply only where it is named, unless the
    # drug has no other rules (premedication drugs) and the text is about the drug it goes with (acetaminophen
    # before IVIG); acetaminophen for a headache is not a premedication.
    rules = [n for n in rules if n.rule.indication not in MODIFIERS or n.rule.indication in sc.indications
             or (not general and sc.alongside)]
    caps = [n for n in rules if is_cap(n)]
    ranges = [n for n in rules if not is_cap(n)]
    named = diseases(sc.indications)
    note, borrowed = "", set()
    if sc.conflict:
        borrowed = {n.rule.id for n in ranges if is_disease(n.rule.indication)}
        note = "the statement names another indication than the question"
    elif named - book.indications_of(sc.drug, family):
        # A disease this drug has no rule for ("kidney transplant with antibody-mediated rejection"): nothing verifies.
        borrowed = {n.rule.id for n in ranges if is_disease(n.rule.indication)}
        note = f"no rule for {', '.join(sorted(named - book.indications_of(sc.drug, family)))}"
    elif named:
        own = [n for n in ranges if n.rule.indication in named]
        borrowed = {n.rule.id for n in ranges if is_disease(n.rule.indication) and n.rule.indication not in named}
        if own:
            ranges = own + [n for n in ranges if not is_disease(n.rule.indication)]
            borrowed = set()
        else:
            note = f"no rule for {', '.join(sorted(named))}"
    if family == "rate":
        # A starting rate is verified by a starting rule only; a rate later in the titration by a range rule.
        borrowed |= {n.rule.id for n in ranges if (n.rule.stage == "start") != sc.start}
    named_source = by_key(sc.authority)
    if named_source is not None and any(named_source.owns(n.rule) and n.rule.indication in named for n in ranges):
        # "PID, Ontario maintenance: 0.3-0.6 g/kg": a dose a text attributes to a source that gives doses for the
        # indication is verified by that source's rules only; another source's range may show that it is wrong there,
        # but never verifies it.
        borrowed |= {n.rule.id for n in ranges if not named_source.owns(n.rule)}
    if sc.phase is not None:
        # A loading dose is never verified by a maintenance rule, nor the other way round.
        borrowed |= {n.rule.id for n in ranges if n.rule.stage in ("loading", "maintenance") and n.rule.stage != sc.phase}
    return Selection(ranges, caps, note, frozenset(borrowed))


def _sides(comparator: str | None) -> str:
    return {">": "lower", ">=": "lower", "<": "upper", "<=": "upper"}.get(comparator or "", "range")


def best(held: list[NormRule], s: Stated) -> NormRule:
    """Of the rules that hold a value, the one that says most nearly what the text says.

    Same comparator ("above 500 mg/dL" and a '>' rule), same cadence (a single dose and a rule with no
    repeat), a bound of the rule stated as such ("up to 4.8 mL/kg/h"), then the narrowest range: the most
    specific rule is the one a finding should cite.
    """
    def key(n: NormRule) -> tuple:
        comparator = 0 if n.family != "lab" or _sides(s.comparator) == _sides(n.rule.comparator) else 1
        t = s.cadence
        cadence = 0 if n.family != "dose" or ((n.interval is None) == (t.interval is None) and n.kind == t.kind) else 1
        bound = 0 if any(b is not None and math.isclose(b, v, rel_tol=1e-6) for b in (n.lo, n.hi)
                         for v in (s.lo, s.hi)) else 1
        if n.lo is not None and n.hi is not None and n.lo > 0:
            width = math.log(n.hi / n.lo)
        else:
            width = math.log(ONE_SIDED_SPAN)
        return comparator, cadence, bound, width
    return min(held, key=key)


def source_text(n: NormRule) -> str:
    """The rule's source as a finding cites it."""
    return f"{n.rule.source.reference} ({n.rule.source.document})"


def range_text(n: NormRule) -> str:
    """A rule's range and cadence as a clinician reads it ('400-600 mg/kg every 3-4 weeks')."""
    r = n.rule
    bound = {">": "> ", ">=": ">= ", "<": "< ", "<=": "<= "}.get(r.comparator, "")
    if r.min is not None and r.max is not None and r.min != r.max and not bound:
        value = f"{fmt(r.min)}-{fmt(r.max)}"
    else:
        value = bound + fmt(r.max if r.min is None else r.min)
    cadence = {"course": " per course", "day": " per day", "week": " per week"}.get(r.per, "")
    if r.interval and not (r.per in ("day", "week") and r.interval.min == r.interval.max == 1):
        span = fmt(r.interval.min) + ("" if r.interval.min == r.interval.max else f"-{fmt(r.interval.max)}")
        cadence += f" every {span} {r.interval.unit}{'' if r.interval.max == 1 else 's'}"
    if r.duration and r.min_duration and r.min_duration.unit == r.duration.unit:
        cadence += f" over {fmt(r.min_duration.value)}-{fmt(r.duration.value)} {r.duration.unit}s"
    elif r.duration:
        cadence += f" for {fmt(r.duration.value)} {r.duration.unit}{'' if r.duration.value == 1 else 's'}"
    return f"{value} {r.unit}{cadence}"


def _scaled(s: Stated, k: int) -> Stated:
    f = 10.0 ** -k
    return replace(s, lo=s.lo * f, hi=s.hi * f)


def magnitude(rules: list[NormRule], s: Stated) -> tuple[int, NormRule] | None:
    """The power of ten (1..3, either way) that would make some rule hold the value, with that rule."""
    for k in (1, -1, 2, -2, 3, -3):
        for n in rules:
            if problem(n, _scaled(s, k)) is None:
                return k, n
    return None


def nearest(rules: list[NormRule], s: Stated) -> NormRule:
    """The rule whose range is closest to the stated value (log distance)."""
    def distance(n: NormRule) -> float:
        lo = n.lo if n.lo is not None else 0.0
        hi = n.hi if n.hi is not None else n.lo * 3
        mid = max(s.hi, 1e-12)
        return abs(math.log(mid / max(hi, 1e-12))) if mid > hi else (
            abs(math.log(max(lo, 1e-12) / max(s.lo, 1e-12))) if s.lo < lo else 0.0)
    return min(rules, key=distance)
