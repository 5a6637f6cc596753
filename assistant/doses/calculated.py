"""Statements guideqa calculated for the patient: each formula is recomputed here, independently of the code that
wrote it, against the rule it names. A dose in such a statement is verified only when the rule holds the formula's
per-kg value or factor and the arithmetic is right; anything else keeps the checker's own verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.doses.rules import RuleBook
from assistant.models import PASSING_VERDICTS, Calculation, DoseFinding

_N = r"(\d+(?:\.\d+)?)"
_SPAN = rf"{_N}(?:-{_N})?"
_PER_KG = re.compile(rf"^{_SPAN} (g/kg|mg/kg) × {_N} kg = {_SPAN} g$")
_GRAMS = {"g/kg": 1.0, "mg/kg": 0.001}
_SCIG = re.compile(rf"^{_N} g ÷ {_N} weeks × {_N} = {_N} g(?: × {_N} = {_N} g)?$")  # weekly, then every N weeks
# A single infusion's pump rate: the dose from the rule, its volume at the product's strength, over the hours asked.
_PUMP = re.compile(rf"^{_N} (g/kg|mg/kg) × {_N} kg = {_N} g; {_N} g at {_N}% = {_N} mL(?:; {_N} mL ÷ {_N} h = {_N} mL/h)?$")
_WEIGHT = re.compile(rf"^{_N} kg \+ {_N} × \({_N} kg − {_N} kg\) = {_N} kg$")
# The dose expected to bring a level to a target, by a rule's rise per unit of dose: the rise needed divided by the rise
# per unit, added to the dose the patient is on, then the patient's grams.
_FOR_LEVEL = re.compile(rf"^\({_N} (mg/dL|g/L) − {_N} (mg/dL|g/L)\) ÷ {_N} = {_N} (mg/kg|g/kg); {_N} (mg/kg|g/kg) \+ {_N} (mg/kg|g/kg) = {_N} (mg/kg|g/kg)"
                        rf"(?:; {_N} g/kg × {_N} kg = {_N} g)?$")
# A total of the patient's dose and the dose a rule adds for a period ("one additional dose in the first month"): the
# added dose is the rule's; the patient's is any dose rule's of the same indication.
_ADDED = re.compile(rf"^{_N} (g/kg|mg/kg) × {_N} kg \+ {_N} (g/kg|mg/kg) × {_N} kg = {_N} g$")
# A calculated dose rounded by the corpus's rounding rule: the step must be the rule's (or finer) and the result the
# nearest multiple of it.
_ROUNDED = re.compile(rf"^{_N} g to the nearest {_N} g = {_N} g$")
_RATE = re.compile(rf"^{_N} mL/kg/h × {_N} kg = {_N} mL/h$")
_LEVEL = re.compile(rf"^{_N} (mg/dL|g/L) = {_N} (g/L|mg/dL)$")
_COMPARED = re.compile(rf"^{_N} (mg/dL|g/L) ([<>=]) {_N} (mg/dL|g/L)$")  # the patient's level against a bound
# A level's expected rise from a change of dose, by a rule's rise per unit of dose, then the patient's level after it.
_RESPONSE = re.compile(rf"^\({_N} (mg/kg|g/kg) − {_N} (mg/kg|g/kg)\) × {_N} = {_N} (mg/dL|g/L)(?:; {_N} (mg/dL|g/L) \+ {_N} (mg/dL|g/L) = {_N} (mg/dL|g/L))?$")
# A rate in mg/kg/min restated in mL/kg/h for the product's concentration, and then in mL/h for the patient's weight.
_RATE_UNITS = re.compile(rf"^{_N} mg/kg/min × 60 ÷ {_N} mg/mL = {_N} mL/kg/h(?:; {_N} mL/kg/h × {_N} kg = {_N} mL/h)?$")


@dataclass(frozen=True)
class Checked:
    """A recomputed formula: the values a statement may show (operands, results, course totals)."""

    rule_id: str
    values: frozenset[float]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.051, 0.005 * abs(b))  # results are shown to one decimal


def recompute(calc: Calculation, book: RuleBook) -> Checked | None:
    """The formula's values when its rule holds it and its arithmetic is right, else None."""
    rule = next((r for r in book.rules if r.id == calc.rule_id), None)
    if rule is None:
        return None
    if m := _PER_KG.match(calc.formula):
        lo, hi, unit, w, rlo, rhi = m.groups()
        lo, w, rlo = float(lo), float(w), float(rlo)
        hi, rhi = float(hi) if hi else lo, float(rhi) if rhi else rlo
        if rule.unit != unit or rule.min is None or not (_close(lo, rule.min) and _close(hi, rule.max or rule.min)):
            return None
        g = _GRAMS[unit]
        if not (_close(rlo, lo * g * w) and _close(rhi, hi * g * w)):
            return None
        values = {lo, hi, w, rlo, rhi}
        days = rule.duration.value if rule.duration is not None and rule.duration.unit == "day" else None
        if rule.per == "day" and days:
            values |= {round(rlo * days, 1), round(rhi * days, 1)}
        if rule.per == "course" and days:  # a course divided over the days its rule allows: each day's share
            shortest = rule.min_duration.value if rule.min_duration is not None and rule.min_duration.unit == "day" else days
            for d in range(max(1, int(shortest)), int(days) + 1):
                values |= {round(rlo / d, 1), round(rhi / d, 1), float(d)}
        if unit == "mg/kg":  # a dose in mg/kg is checked per kg in g/kg too
            values |= {lo * g, hi * g}
        return Checked(rule.id, frozenset(values))
    if m := _SCIG.match(calc.formula):
        dose, weeks, factor, result = map(float, m.groups()[:4])
        if rule.kind != "conversion_factor" or not _close(factor, rule.min or -1) or not _close(result, dose / weeks * factor):
            return None
        values = {dose, weeks, factor, result}
        if m.group(5):  # the weekly dose given every N weeks instead
            every, total = float(m.group(5)), float(m.group(6))
            if not _close(total, dose / weeks * factor * every):
                return None
            values |= {every, total}
        return Checked(rule.id, frozenset(values))
    if m := _PUMP.match(calc.formula):
        per_kg, unit, w, grams, grams2, percent, ml, ml2, hours, rate = m.groups()
        timed = hours is not None  # a volume alone, or its pump rate over the hours given
        ml2, hours, rate = (ml2, hours, rate) if timed else (ml, "1", ml)
        per_kg, w, grams, grams2, percent, ml, ml2, hours, rate = map(float, (per_kg, w, grams, grams2, percent, ml, ml2, hours, rate))
        if rule.unit != unit or rule.min is None or not (_close(per_kg, rule.min) or _close(per_kg, rule.max or rule.min)):
            return None
        if grams != grams2 or ml != ml2 or percent <= 0 or hours <= 0 or not _close(grams, per_kg * _GRAMS[unit] * w) \
                or not _close(ml, grams * 100 / percent) or not _close(rate, ml / hours):
            return None
        return Checked(rule.id, frozenset({per_kg, w, grams, percent, ml} | ({hours, rate} if timed else set())))
    if m := _LEVEL.match(calc.formula):
        value, unit, result, other = m.groups()
        value, result = float(value), float(result)
        expected = value / 100 if unit == "mg/dL" else value * 100
        if unit == other or rule.kind != "conversion_factor" or not _close(rule.min or -1, 100) or not _close(result, expected):
            return None
        return Checked(rule.id, frozenset({value, result}))  # the patient's own level, restated
    if m := _COMPARED.match(calc.formula):
        value, unit, side, bound, unit2 = m.groups()
        value, bound = float(value), float(bound)
        if unit != unit2 or rule.kind not in ("threshold", "lab_target"):
            return None
        per = 100.0 if rule.unit == "mg/dL" and unit == "g/L" else 0.01 if rule.unit == "g/L" and unit == "mg/dL" else 1.0
        if not any(b is not None and _close(bound * per, b) for b in (rule.min, rule.max)):
            return None
        if side != ("<" if value < bound else ">" if value > bound else "="):
            return None
        return Checked(rule.id, frozenset({value, bound}))
    if m := _RESPONSE.match(calc.formula):
        new, unit, old, unit2, factor, rise, level_unit = m.groups()[:7]
        new, old, factor, rise = float(new), float(old), float(factor), float(rise)
        if unit != unit2 or rule.kind != "conversion_factor" or rule.unit != f"({level_unit})/({unit})" \
                or not _close(factor, rule.min or -1) or not _close(rise, (new - old) * factor):
            return None
        values = {new, old, factor, rise, round(rise * (0.01 if level_unit == "mg/dL" else 100), 2)}
        if m.group(8) is not None:  # the patient's level after it
            now, u1, rise2, u2, after, u3 = m.groups()[7:]
            if not (u1 == u2 == u3 == level_unit) or not _close(float(rise2), rise) \
                    or not _close(float(after), float(now) + rise):
                return None
            values |= {float(now), float(after)}
        return Checked(rule.id, frozenset(values))
    if m := _RATE_UNITS.match(calc.formula):
        rate, concentration, result = map(float, m.groups()[:3])
        if rule.unit != "(mL/kg/h)/(mg/kg/min)" or concentration <= 0 or not _close(result, rate * 60 / concentration):
            return None
        values = {rate, 60.0, concentration, result}
        if m.group(4) is not None:  # then for the patient's weight
            per_kg, weight, hourly = float(m.group(4)), float(m.group(5)), float(m.group(6))
            if not _close(per_kg, result) or not _close(hourly, per_kg * weight):
                return None
            values |= {weight, hourly}
        return Checked(rule.id, frozenset(values))
    if m := _RATE.match(calc.formula):
        per_kg, w, result = map(float, m.groups())
        if rule.unit != "mL/kg/h" or not any(v is not None and _close(per_kg, v) for v in (rule.min, rule.max)) \
                or not _close(result, per_kg * w):
            return None
        return Checked(rule.id, frozenset({per_kg, w, result}))
    if m := _FOR_LEVEL.match(calc.formula):
        goal, u1, now, u2, factor, extra, du1, old, du2, extra2, du3, dose, du4, per_kg, w, grams = m.groups()
        goal, now, factor, extra, old, extra2, dose = map(float, (goal, now, factor, extra, old, extra2, dose))
        if not (u1 == u2 and du1 == du2 == du3 == du4) or rule.kind != "conversion_factor" \
                or rule.unit != f"({u1})/({du1})" or not _close(factor, rule.min or -1) or factor <= 0 \
                or not _close(extra, (goal - now) / factor) or not _close(extra2, extra) or not _close(dose, old + extra):
            return None
        values = {goal, now, factor, extra, old, dose, round(dose * _GRAMS[du1], 3), round(dose * _GRAMS[du1], 2)}
        if per_kg is not None:
            per_kg, w, grams = float(per_kg), float(w), float(grams)
            if not _close(per_kg, dose * _GRAMS[du1]) or not _close(grams, per_kg * w):
                return None
            values |= {per_kg, w, grams}
        return Checked(rule.id, frozenset(values))
    if m := _ADDED.match(calc.formula):
        first, u1, w1, added, u2, w2, total = m.groups()
        first, w1, added, w2, total = map(float, (first, w1, added, w2, total))
        held = any(r.indication == rule.indication and r.unit == u1 and r.min is not None
                   and r.min - 1e-9 <= first <= (r.max if r.max is not None else r.min) + 1e-9 for r in book.rules if r.kind == "dose")
        if rule.kind != "dose" or rule.unit != u2 or rule.min is None or not _close(added, rule.min) or w1 != w2 or not held \
                or not _close(total, (first * _GRAMS[u1] + added * _GRAMS[u2]) * w1):
            return None
        return Checked(rule.id, frozenset({first, added, w1, total, round(first * _GRAMS[u1] * w1, 1), round(added * _GRAMS[u2] * w1, 1)}))
    if m := _ROUNDED.match(calc.formula):
        grams, step, result = map(float, m.groups())
        if rule.kind != "rounding" or rule.unit != "g" or not rule.max or step <= 0 or step > rule.max \
                or not _close(result, round(grams / step) * step):
            return None
        return Checked(rule.id, frozenset({grams, step, result}))
    if m := _WEIGHT.match(calc.formula):
        ideal, factor, actual, ideal2, result = map(float, m.groups())
        if rule.kind != "conversion_factor" or not _close(factor, rule.min or -1) or ideal != ideal2 \
                or not _close(result, ideal + factor * (actual - ideal)):
            return None
        return Checked(rule.id, frozenset({ideal, factor, actual, result}))
    return None


def _values(f: DoseFinding) -> list[float]:
    return list(f.value) if isinstance(f.value, list) else [f.value]


def confirm(text: str, findings: list[DoseFinding], calcs: list[Calculation], book: RuleBook) -> list[DoseFinding]:
    """Findings of a text holding calculated sentences: a failing dose inside a sentence with a recomputed formula whose
    values it shows is verified by that formula; every other finding is left as the checker gave it."""
    checked = [(c, r) for c in calcs if (r := recompute(c, book)) is not None and c.formula in text]
    if not checked:
        return findings
    out = []
    for f in findings:
        if f.verdict not in PASSING_VERDICTS:
            for calc, result in checked:
                start = text.find(calc.formula)
                sentence_end = text.find(". ", start)
                end = len(text) if sentence_end < 0 else sentence_end
                before = text.rfind(". ", 0, start)
                if before < f.start and f.end <= end and all(any(_close(v, x) for x in result.values) for v in _values(f)):
                    f = f.model_copy(update={"verdict": "verified", "rule_id": result.rule_id,
                                             "message": f"Calculated by guideqa for this patient: {calc.formula} "
                                                        f"(rule {result.rule_id}); recomputed and checked."})
                    break
        out.append(f)
    return out

