"""Arithmetic stated in a text ("0.4 g/kg x 70 kg = 28 g", "30 g / 4 x 1.37 = 10.3 g"): evaluated and rechecked."""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

import pint

from assistant.doses.matching import Scope
from assistant.doses.numbers import fmt, span_text
from assistant.doses.parse import Amount, Scan
from assistant.doses.scope import finding
from assistant.doses.units import UREG, quantity, registry_units
from assistant.models import DoseFinding

_UNIT = r"(?:mcg|mg|g|kg|mL|dL|L|min(?=\s*/\s*h))(?:\s*/\s*(?:kg|dL|L|mL|min|h))*(?:\s*/\s*(?:week|wk|day))?(?![A-Za-z])"
_TOKEN = re.compile(
    rf"\s*(?:(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|\.\d+)\s*(?P<unit>{_UNIT}|(?:weeks?|wks?|days?)(?![A-Za-z]))?"
    r"|(?P<op>[-−–+×*/÷()]|(?<![A-Za-z])x(?![A-Za-z])|(?i:\btimes\b|\bmultiplied\s+by\b|\bdivided\s+by\b)))")
# Operators in words ("times 1.30", "divided by 4").
_WORD_OPS = {"times": "*", "multiplied by": "*", "divided by": "/"}
_TAIL = re.compile(rf"(?:{_TOKEN.pattern})+\s*$")


def evaluate(expr: str) -> tuple[pint.Quantity, int] | None:
    """Evaluate a small arithmetic expression with units; returns (quantity, operator count) or None."""
    tokens: list[tuple[str, object]] = []
    pos = 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            if expr[pos:].strip():
                return None
            break
        pos = m.end()
        if m.group("num"):
            unit = (m.group("unit") or "").replace(" ", "")
            # Weeks and days in a calculation only count doses ("30 g / 4 weeks"): keep the number.
            # "15 g/week x 1.3": the period names the dose's cadence, not a unit of the product.
            unit = "" if re.match(r"week|wk|day", unit) else registry_units(re.sub(r"/(?:week|wk|day)$", "", unit))
            tokens.append(("q", UREG.Quantity(float(m.group("num").replace(",", "")), unit or "dimensionless")))
        else:
            op = " ".join(m.group("op").lower().split())
            tokens.append(("op", {"×": "*", "x": "*", "÷": "/", "−": "-", "–": "-", **_WORD_OPS}.get(op, op)))
    while tokens and tokens[0] in (("op", "*"), ("op", "/"), ("op", "+"), ("op", "-"), ("op", ")")):
        tokens.pop(0)
    operators = sum(1 for kind, v in tokens if kind == "op" and v in "*/+-")
    try:
        value, rest = _expr(tokens)
    except (IndexError, ValueError, pint.errors.DimensionalityError, ZeroDivisionError):
        return None
    return (value, operators) if not rest and value is not None else None


_APPLY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _chain(tokens, ops: str, operand):
    """operand (op operand)* for the operators in ops, left to right."""
    value, tokens = operand(tokens)
    while tokens and tokens[0][0] == "op" and tokens[0][1] in ops:
        op = tokens[0][1]
        rhs, tokens = operand(tokens[1:])
        value = _APPLY[op](value, rhs)
    return value, tokens


def _expr(tokens):
    return _chain(tokens, "+-", _term)


def _term(tokens):
    return _chain(tokens, "*/", _atom)


def _atom(tokens):
    kind, val = tokens[0]
    if kind == "q":
        return val, tokens[1:]
    if val == "(":
        value, rest = _expr(tokens[1:])
        if not rest or rest[0] != ("op", ")"):
            raise ValueError("unbalanced parenthesis")
        return value, rest[1:]
    raise ValueError(f"unexpected {val!r}")


def ratio_verdict(stated: float, expected: float) -> str:
    """unit_error when stated is off from expected by a power of ten, otherwise out_of_range."""
    ratio = stated / expected if expected else 0
    power = round(math.log10(ratio)) if ratio > 0 else 0
    return "unit_error" if power and math.isclose(ratio, 10.0 ** power, rel_tol=0.06) else "out_of_range"


def _tolerance(expected: float, decimals: int, written_factor: float, rel: float = 0.03) -> float:
    """How far a written result may be from the exact one: rel, or half its last written digit."""
    return max(rel * abs(expected), 0.5 * 10.0 ** -decimals * written_factor)


def mismatch(sc: Scan, a: Amount, scope: Scope | None, expected_lo: float, expected_hi: float, how: str,
             rel: float = 0.03, slack: float = 0.0) -> DoseFinding | None:
    """A failing finding when a's canonical value is not within [expected_lo, expected_hi] (with rounding, and
    slack more either way when the text rounds to a step)."""
    lo, hi = a.canon
    f = a.info.factor
    if expected_lo - max(slack, _tolerance(expected_lo, a.decimals, f, rel)) <= lo \
            and hi <= expected_hi + max(slack, _tolerance(expected_hi, a.decimals, f, rel)):
        return None
    return finding(sc, a, scope, ratio_verdict(lo, expected_lo),
                   f"{how} gives {span_text(expected_lo / f, expected_hi / f)} {a.unit}, not {a.text.strip()}.")


@dataclass(frozen=True)
class Calculations:
    """What the calculations of a text say: wrong results, the numbers they use and where each result's sum starts."""

    problems: dict[tuple[str, int], tuple[str, str]]  # ('amount'|'weight', index) -> (verdict, why)
    operands: set[int]
    lhs_starts: dict[int, int]


def bare_weight(sc: Scan, expr: str) -> bool:
    """Whether a bare number of the expression is a body weight the text states ("for a 75 kg adult: 2 g/kg x 75")."""
    return any(abs(float(n) - w.kg) < 0.05 for n in re.findall(r"(?<![\d.])\d+(?:\.\d+)?(?!\s*(?:[a-zA-Z%]|\.\d))",
                                                           expr) for w in sc.weights)


_GAP = r"\s*(?:about|approximately|approx\.|~)?\s*"


def _other_weight(sc: Scan, start: int, end: int) -> str | None:
    """Why a calculation's body weight is not the patient's: the text states one plain body weight for the patient and
    the sum multiplies by another ("GBS in a 65 kg adult: 0.4 g/kg x 75 kg = 30 g"); None when they agree, or when the
    text names ideal, adjusted or actual weights (the sum may use any of those)."""
    if any(w.kind != "plain" for w in sc.weights):
        return None
    used = [w for w in sc.weights if start <= w.start and w.end <= end]
    stated = {round(w.kg, 1) for w in sc.weights if not (start <= w.start and w.end <= end)}
    for w in used:
        if len(stated) == 1 and not any(abs(w.kg - kg) <= 0.02 * kg for kg in stated):
            return f"the calculation uses {fmt(w.kg)} kg, but the patient weighs {fmt(stated.pop())} kg"
    return None


_OPENS_WITH_OPERATOR = re.compile(r"(?i)\s*(?:[×*/÷]|x(?![A-Za-z])|times\b|multiplied\s+by\b|divided\s+by\b)")
# Between a result and the operator that goes on from it: its cadence words and a comma ("9 g per week, times 1.30").
_CARRY_GAP = re.compile(r"(?i)^\s*(?:(?:per|a|each|every|/)\s*(?:week|wk|day|month)|weekly|daily|monthly)?\s*,?\s*"
                        r"(?:then|and)?\s*$")


def _carried(sc: Scan, lhs_start: int, results: dict[int, int]) -> int | None:
    """The result a sum opening with an operator goes on from: the amount right before it in its sentence that is
    itself a sum's result; None otherwise."""
    if not _OPENS_WITH_OPERATOR.match(sc.text, lhs_start):
        return None
    k = next((k for k in sorted(results, key=lambda j: -sc.amounts[j].end) if sc.amounts[k].end <= lhs_start), None)
    if k is None or sc.amounts[k].sentence != sc.sentence_of(lhs_start) or not _CARRY_GAP.match(
            sc.text[sc.amounts[k].end:lhs_start]):
        return None
    return k


def calculations(sc: Scan) -> Calculations:
    """Recompute every 'A op B ... = C' in the text."""
    problems: dict[tuple[str, int], tuple[str, str]] = {}
    operands: set[int] = set()
    lhs_starts: dict[int, int] = {}
    for m in re.finditer(r"=|≈|\bequals\b", sc.text):
        s_start, _ = sc.sentences[sc.sentence_of(m.start())]
        lhs = _TAIL.search(sc.text[s_start:m.start()])
        rhs = next((("amount", k, a.low, a.unit, a.decimals) for k, a in enumerate(sc.amounts)
                    if m.end() <= a.start <= m.end() + 16 and not a.is_range and a.info and not a.problem
                    and re.fullmatch(_GAP, sc.text[m.end():a.start])), None)
        rhs = rhs or next((("weight", k, w.kg, "kg", 0) for k, w in enumerate(sc.weights) if m.end() <= w.start
                           <= m.end() + 16 and re.fullmatch(_GAP, sc.text[m.end():w.start])), None)
        if lhs is None or rhs is None:
            continue
        expr, lhs_start = lhs.group(0), s_start + lhs.start()
        own = {k for k, a in enumerate(sc.amounts) if lhs_start <= a.start and a.end <= m.start()}
        if (prev := _carried(sc, lhs_start, lhs_starts)) is not None:
            # "36 g / 4 = 9 g per week, times 1.30 = 11.7 g": a sum that opens with an operator goes on from the
            # result before it, which stays a result of its own (its sum is its check).
            expr = f"{fmt(sc.amounts[prev].low)} {sc.amounts[prev].unit.split('/')[0]} " + expr.lstrip()
            lhs_start = sc.amounts[prev].start
        if (result := evaluate(expr)) is None or not result[1]:
            continue  # "A = B" with no operator is a stated equivalence: the conversions compare those
        operands |= own
        value = result[0]
        kind, idx, stated, unit, decimals = rhs
        if kind == "amount":
            lhs_starts[idx] = lhs_start
        written = expr.strip()
        if value.dimensionless:
            expected = float(value.magnitude)  # plain numbers: the result is in the unit the text gives
        else:
            try:
                target = quantity(1.0, unit)
                if value.check("[mass] / [body_weight]") and target.check("[mass]") and bare_weight(sc, lhs.group(0)):
                    value = value * UREG.Quantity(1.0, "kg_bw")  # "2 g/kg x 75 = 150 g": the 75 is the patient's kg
                elif value.check("[mass] / [body_weight]") and target.check("[mass]") and len(
                        {round(w.kg, 1) for w in sc.weights if w.kind == "plain"}) == 1 and not any(
                        w.kind != "plain" for w in sc.weights):
                    # "60 kg adult: 1 g/kg/day x 2 days = 120 g in total": the sum is for the one weight the text states
                    value = value * UREG.Quantity(next(w.kg for w in sc.weights), "kg_bw")
                expected = float(value.to(target.units).magnitude) / target.magnitude
            except (pint.errors.DimensionalityError, ValueError):
                problems[kind, idx] = ("unit_error", f"{written} is not in {unit}: the units do not match")
                continue
        if abs(expected - stated) > _tolerance(expected, decimals, 1.0, rel=0.02):
            verdict = ratio_verdict(stated, expected) if kind == "amount" else "out_of_range"
            problems[kind, idx] = (verdict, f"{written} = {fmt(expected)} {unit}, not {fmt(stated)} {unit}")
        elif kind == "amount" and (other := _other_weight(sc, lhs_start, m.start())):
            problems[kind, idx] = ("out_of_range", other)
    return Calculations(problems, operands, lhs_starts)
