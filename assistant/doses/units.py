"""Units for dose checks: a small pint registry where body weight and international units are dimensions.

A dose in g/kg is grams of drug per kilogram of patient. If "kg" were plain kilograms, g/kg would
cancel to a dimensionless number and 0.4 g/kg could silently compare equal to 0.4 mg/mg. So the
patient's kilogram is `kg_bw` ([body_weight]), body surface is `m2_bsa` ([body_surface]) and
international units are `intl_unit` ([intl_activity]): none of them converts to anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pint

_DEFINITIONS = """
milli- = 1e-3 = m-
micro- = 1e-6 = µ- = μ- = u- = mc-
deci- = 1e-1 = d-
kilo- = 1e3 = k-
gram = [mass] = g
liter = [volume] = L = l = litre
cc = 1e-3 * liter
second = [time] = s = sec
minute = 60 * second = min
hour = 60 * minute = h = hr
day = 24 * hour = d
week = 7 * day = wk
month = 30.4375 * day = mo
kg_bw = [body_weight]
lb_bw = 0.45359237 * kg_bw
m2_bsa = [body_surface]
intl_unit = [intl_activity] = IU
percent = 0.01 = %
"""


def _build() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False)
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line)
    return ureg


UREG = _build()

# Canonical unit per dimensionality: every comparison happens in these units.
# Keys are the dimensionality as pint reports it, written as sorted (dimension, exponent) pairs.
_CANONICAL: dict[str, tuple[str, str]] = {
    # key: (pint expression, display)
    "mass": ("g", "g"),
    "mass/bw": ("g/kg_bw", "g/kg"),
    "mass/bsa": ("g/m2_bsa", "g/m2"),
    "volume": ("mL", "mL"),
    "volume/bw": ("mL/kg_bw", "mL/kg"),
    "conc": ("g/L", "g/L"),
    "mass/bw/time": ("mg/kg_bw/min", "mg/kg/min"),
    "volume/bw/time": ("mL/kg_bw/h", "mL/kg/h"),
    "mass/time": ("mg/min", "mg/min"),
    "volume/time": ("mL/h", "mL/h"),
    "iu": ("IU", "IU"),
    "iu/bw": ("IU/kg_bw", "IU/kg"),
    "iu/bsa": ("IU/m2_bsa", "IU/m2"),
    "bw": ("kg_bw", "kg"),
    "time": ("day", "day"),
    "factor": ("dimensionless", "1"),
}

_DIM_NAMES = {
    "[mass]": "mass",
    "[volume]": "volume",
    "[body_weight]": "bw",
    "[body_surface]": "bsa",
    "[time]": "time",
    "[intl_activity]": "iu",
}


def _dim_key(dimensionality: pint.util.UnitsContainer) -> str | None:
    """Name a dimensionality the way _CANONICAL does, or None if doses never have it."""
    items = dict(dimensionality)
    if not items:
        return "factor"
    num = [_DIM_NAMES.get(d) for d, e in items.items() if e == 1]
    den = [_DIM_NAMES.get(d) for d, e in items.items() if e == -1]
    if None in num or None in den or len(num) + len(den) != len(items) or len(num) != 1:
        return None
    head = num[0]
    if head == "mass" and den == ["volume"]:
        return "conc"
    order = {"bw": 0, "bsa": 1, "volume": 2, "time": 3}
    key = "/".join([head] + sorted(den, key=lambda d: order.get(d, 9)))
    return key if key in _CANONICAL else None


# Text spellings of the patient's kilogram and body surface become the registry's own units.
_BW = re.compile(r"(?<![A-Za-z])kg(?![A-Za-z_])")
_BSA = re.compile(r"(?<![A-Za-z])m(?:2|²|\^2)(?![A-Za-z_])")
_PER_PERIOD = re.compile(r"/(day|d|week|wk|dose|course|month|mo)$")
_PER_NAMES = {"day": "day", "d": "day", "week": "week", "wk": "week", "dose": "dose", "course": "course",
              "month": "month", "mo": "month"}


@dataclass(frozen=True)
class UnitInfo:
    """A parsed unit: its dimension key, factor to the canonical unit, and the period it covers."""

    written: str
    dim: str
    factor: float
    canonical: str
    per: str | None


@lru_cache(maxsize=512)
def unit_info(unit: str) -> UnitInfo | None:
    """Parse a unit written like 'g/kg', 'mg/kg/day', 'mg/dL', 'mL/kg/h' or '1'; None if not a dose unit."""
    text = unit.strip().replace("μ", "µ").replace(" ", "")
    per = None
    # A trailing /day or /week on a dose is what the dose covers, not a rate: split it off.
    while (m := _PER_PERIOD.search(text)) and text.count("/") >= 1:
        per = _PER_NAMES[m.group(1)]
        text = text[: m.start()]
    if text in ("", "1"):
        text = "dimensionless"
    expr = _BSA.sub("m2_bsa", _BW.sub("kg_bw", text))
    try:
        quantity = UREG.Quantity(1.0, expr)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, TypeError,
            ValueError, AssertionError):
        return None
    key = _dim_key(quantity.dimensionality)
    if key is None:
        # Not a dose unit (e.g. a rule's conversion factor in (mL/kg/h)/(mg/kg/min)): keep it, in base units.
        base = quantity.to_base_units()
        return UnitInfo(written=unit, dim=f"other:{quantity.dimensionality}", factor=float(base.magnitude),
                        canonical=f"{base.units:~}", per=per)
    target, display = _CANONICAL[key]
    factor = float(quantity.to(target).magnitude)
    return UnitInfo(written=unit, dim=key, factor=factor, canonical=display, per=per)


def to_canonical(value: float, unit: str) -> float:
    """Value expressed in the canonical unit of its dimension (g, g/kg, g/L, mg/kg/min, ...)."""
    info = unit_info(unit)
    if info is None:
        raise ValueError(f"not a dose unit: {unit!r}")
    return value * info.factor


@lru_cache(maxsize=512)
def _factor(src: str, dst: str) -> float:
    a, b = unit_info(src), unit_info(dst)
    if a is None or b is None or a.dim != b.dim:
        raise pint.errors.DimensionalityError(src, dst)
    return a.factor / b.factor


def convert(value: float, src: str, dst: str) -> float:
    """Convert between two units of the same dimension; raises DimensionalityError otherwise."""
    return value * _factor(src, dst)


def volume_rate_to_mass_rate(ml_per_kg_h: float, mg_per_ml: float) -> float:
    """mL/kg/h to mg/kg/min, only possible with the product concentration (10% = 100 mg/mL)."""
    return ml_per_kg_h * mg_per_ml / 60.0


# ---- arithmetic stated in a text ("0.4 g/kg x 70 kg = 28 g", "30 g / 4 x 1.37 = 10.3 g") ----------
_ARITH_UNIT = r"(?:mcg|mg|g|kg|mL|dL|L)(?:\s*/\s*(?:kg|dL|L|mL|min|h))*(?![A-Za-z])"
ARITH_TOKEN = re.compile(
    rf"\s*(?:(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|\.\d+)\s*(?P<unit>{_ARITH_UNIT}|(?:weeks?|wks?|days?)(?![A-Za-z]))?"
    r"|(?P<op>[-−–+×*/÷()]|(?<![A-Za-z])x(?![A-Za-z])))")
ARITH_TAIL = re.compile(rf"(?:{ARITH_TOKEN.pattern})+\s*$")


def evaluate(expr: str) -> tuple[pint.Quantity, int] | None:
    """Evaluate a small arithmetic expression with units; returns (quantity, operator count) or None."""
    tokens: list[tuple[str, object]] = []
    pos = 0
    while pos < len(expr):
        m = ARITH_TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            if expr[pos:].strip():
                return None
            break
        pos = m.end()
        if m.group("num"):
            unit = (m.group("unit") or "").replace(" ", "")
            # Weeks and days in a calculation only count doses ("30 g / 4 weeks"): keep the number.
            unit = "" if re.match(r"week|wk|day", unit) else _BW.sub("kg_bw", unit)
            tokens.append(("q", UREG.Quantity(float(m.group("num").replace(",", "")), unit or "dimensionless")))
        else:
            op = m.group("op")
            tokens.append(("op", {"×": "*", "x": "*", "÷": "/", "−": "-", "–": "-"}.get(op, op)))
    while tokens and tokens[0] in (("op", "*"), ("op", "/"), ("op", "+"), ("op", "-"), ("op", ")")):
        tokens.pop(0)
    operators = sum(1 for kind, v in tokens if kind == "op" and v in "*/+-")
    try:
        value, rest = _expr(tokens)
    except (IndexError, ValueError, pint.errors.DimensionalityError, ZeroDivisionError):
        return None
    return (value, operators) if not rest and value is not None else None


def _expr(tokens):
    value, tokens = _term(tokens)
    while tokens and tokens[0] in (("op", "+"), ("op", "-")):
        op = tokens[0][1]
        rhs, tokens = _term(tokens[1:])
        value = value + rhs if op == "+" else value - rhs
    return value, tokens


def _term(tokens):
    value, tokens = _atom(tokens)
    while tokens and tokens[0] in (("op", "*"), ("op", "/")):
        op = tokens[0][1]
        rhs, tokens = _atom(tokens[1:])
        value = value * rhs if op == "*" else value / rhs
    return value, tokens


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


def quantity(value: float, unit: str) -> pint.Quantity:
    """A pint quantity for a unit as the checker writes it ('g/kg', 'kg', 'mg/dL')."""
    info = unit_info(unit)
    if info is None:
        raise ValueError(f"not a dose unit: {unit!r}")
    if info.dim not in _CANONICAL:
        raise ValueError(f"not a dose unit: {unit!r}")
    return UREG.Quantity(value * info.factor, _CANONICAL[info.dim][0])


def display_unit(dim: str) -> str:
    """How the checker writes the canonical unit of a dimension ('g/kg')."""
    return _CANONICAL[dim][1] if dim in _CANONICAL else dim
