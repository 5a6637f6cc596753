"""Every number a text states, with its unit (doses, thresholds, percentages, durations, intervals), read into base
units with pint so that equivalent units compare equal (0.4 g/kg = 400 mg/kg, 500 mg/dL = 5 g/L, 2 weeks = 14 days).

Its own small registry (not the dose layer's): like the dose layer, the patient's kilogram in a denominator is body
weight and body surface is its own dimension, so g/kg never cancels to a bare number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pint

from assistant.doses.numbers import DIGNUM, WORDNUM, number

_UREG_DEFS = """
gram = [mass] = g = gm
liter = [volume] = L = l = litre
mole = [substance] = mol
equivalent = [charge] = Eq
second = [time] = s = sec
minute = 60 * second = min
hour = 60 * minute = h = hr
day = 24 * hour = d
week = 7 * day = wk
month = 30.4375 * day = mo
year = 365.25 * day = yr = y
kg_bw = [body_weight]
m2_bsa = [body_surface]
m173_bsa = 1.73 * m2_bsa
intl_unit = [intl_activity] = IU
mmHg = [pressure]
bpm = [rate]
percent = 0.01 = %
times = [times]
point = [score]
pound = 0.45359237 * kilogram = lb
dose = [dose]
"""


@lru_cache(maxsize=1)
def _ureg() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False)
    for p in ("milli- = 1e-3 = m-", "micro- = 1e-6 = µ- = u- = mc-", "nano- = 1e-9 = n-", "deci- = 1e-1 = d-", "kilo- = 1e3 = k-"):
        ureg.define(p)
    for line in _UREG_DEFS.strip().splitlines():
        ureg.define(line)
    return ureg


_ATOMS = [  # (pattern, pint name)
    (r"kilograms?|kgs?", "kg"), (r"milligrams?|mg", "mg"), (r"micrograms?|mcg|µg|μg|ug", "ug"), (r"nanograms?|ng", "ng"),
    (r"grams?|gm|g", "g"), (r"lbs?|pounds?", "lb"), (r"millilit(?:er|re)s?|mls?|cc", "mL"), (r"decilit(?:er|re)s?|dl", "dL"),
    (r"lit(?:er|re)s?|l", "L"), (r"mmol", "mmol"), (r"µmol|umol", "umol"), (r"mol", "mol"), (r"meq", "mEq"),
    (r"international\s+units?|iu|units?|u", "IU"), (r"mm\s?hg", "mmHg"), (r"bpm|beats?\s+per\s+minute", "bpm"),
    (r"seconds?|secs?", "s"), (r"minutes?|mins?", "min"), (r"hours?|hrs?|h", "h"), (r"days?|d", "d"),
    (r"weeks?|wks?", "wk"), (r"months?|mos?", "mo"), (r"years?|yrs?|y", "yr"), (r"%|percent|per\s+cent", "percent"),
    (r"times|[- ]?fold|x", "times"), (r"points?", "point"), (r"doses?|infusions?", "dose"), (r"1\.73\s?m(?:2|²|\^2)", "m173_bsa"), (r"m(?:2|²|\^2)", "m2_bsa"),
]
_ATOM_RE = [(re.compile(rf"(?:{p})", re.I), name) for p, name in _ATOMS]
_ATOM = "|".join(f"(?:{p})" for p, _ in _ATOMS)
_UNIT = rf"(?:{_ATOM})(?![A-Za-z])(?:\s*(?:/|\bper\b)\s*(?:{_ATOM})(?![A-Za-z]))*"
_NUM = rf"(?:{DIGNUM}|{WORDNUM})"
_QTY = re.compile(rf"(?<![A-Za-z0-9.])(?<![A-Za-z]-)(?P<a>{_NUM})(?:\s*(?P<ua>{_UNIT}))?"
                  rf"(?:(?P<sep>\s*[-–—−]\s*|\s+(?:to|through|or|and)\s+)(?P<b>{_NUM}))?(?:[\s-]*(?P<u>{_UNIT})(?:[a-d](?![A-Za-z]))?)?(?![A-Za-z0-9])", re.I)


@dataclass(frozen=True)
class Quantity:
    """A number or range as written and in base units (dim: pint dimensionality, None for a bare number)."""

    text: str
    low: float
    high: float
    dim: str | None
    raw: tuple[float, float] = (0.0, 0.0)
    head: tuple[float, float, str | None] | None = None  # without a trailing per-period ("4 g per day" -> 4 g)


def _unit(raw: str) -> tuple[float, str] | None:
    """Factor to base units and dimensionality of a written unit ('mg/kg/day', 'mL/min/1.73 m2'), or None."""
    parts = re.split(r"\s*/\s*|\s+per\s+", raw.strip())
    expr = []
    for i, part in enumerate(parts):
        name = next((n for rx, n in _ATOM_RE if rx.fullmatch(part.strip())), None)
        if name is None:
            return None
        expr.append(("kg_bw" if name == "kg" and i else name))
    try:
        q = _ureg().Quantity(1.0, "/".join(expr)).to_base_units()
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError):
        return None
    return float(q.magnitude), str(q.dimensionality)


_PER_PERIOD = re.compile(r"(?:\s*/\s*|\s+per\s+)(?:days?|d|weeks?|wks?|wk|months?|mo|doses?|infusions?|courses?)$", re.I)


def quantities(text: str) -> tuple[Quantity, ...]:
    """Every number the text states, with its unit in base units (number words too; bare 'one' is no quantity)."""
    out = []
    for m in _QTY.finditer(text):
        if m.group("ua") and m.group("u") and m.group("b") is None:  # "0.4 g/kg doses": the unit is the first one
            m = _QTY.match(text[:m.end("ua")], m.start())
            if m is None:
                continue
        unit = m.group("u") or m.group("ua")
        if not unit and m.group("b") is None and not m.group("a")[0].isdigit() and m.group("a").lower() in ("one", "zero"):
            continue
        a = number(m.group("a"))[0]
        b = number(m.group("b"))[0] if m.group("b") else a
        f, dim = (_unit(unit) if unit else None) or (1.0, None)
        hf, hdim = f, dim
        if unit and (cut := _PER_PERIOD.sub("", unit)) != unit:
            hf, hdim = _unit(cut) or (1.0, None)
        between = re.search(r"\bbetween\s+(?:about\s+|approximately\s+|roughly\s+)?$", text[max(0, m.start() - 30):m.start()], re.I)
        pairs = ([(a, a), (b, b)] if m.group("sep") and m.group("sep").strip().lower() in ("or", "and") and not between
                 else [(a, b)])  # "3 or 4 weeks" are two values, "between 110 and 180 mg/dL" a range
        out += [Quantity(m.group(0), lo * f, hi * f, dim, (lo, hi), (lo * hf, hi * hf, hdim)) for lo, hi in pairs]
    return tuple(out)


def _close(x: float, y: float, tol: float = 2e-3) -> bool:
    return math.isclose(x, y, rel_tol=tol, abs_tol=1e-12)


@lru_cache(maxsize=1)
def _dims() -> tuple[str, str]:
    return _unit("d")[1], _unit("times")[1]


_HEADER = re.compile(rf"\((?:in\s+)?(?P<u>{_ATOM})\)", re.I)


def header_dims(text: str) -> frozenset[tuple[float, str]]:
    """Units (factor to base units, dimension) a table's column headers give its bare numbers ("Half-life (in Hours)",
    "(hrs)")."""
    return frozenset(u for m in _HEADER.finditer(text) if (u := _unit(m.group("u"))))


_FREQUENCY = re.compile(r"\b(?:(\d+)\s+times\s+(?:a\s+|per\s+|each\s+|every\s+)?|(every|once)[\s-]+(?:a\s+|per\s+)?)?"
                        r"(daily|day|nightly|night|weekly|week|monthly|month)\b", re.I)
_PERIOD = {"daily": "day", "day": "day", "nightly": "day", "night": "day", "weekly": "week", "week": "week",
           "monthly": "month", "month": "month"}


def frequencies(text: str, explicit: bool = False) -> frozenset[tuple[int, str]]:
    """(times, period) of every frequency a text states in words ("5 mg daily": 1 a day, "3 times daily": 3 a day,
    "every month": 1 a month); a period after a number ("for 14 days", "every 2 weeks") is a quantity, not a frequency.
    `explicit`: a bare "daily" (which may be a daily total, "8 g daily") is left out, "once daily" is not."""
    out = set()
    for m in _FREQUENCY.finditer(text):
        word = m.group(3).lower()
        if explicit and not (m.group(1) or m.group(2)):
            continue
        before = text[max(0, m.start() - 12):m.start()]
        if m.group(1) is None and (word in ("day", "night", "week", "month") and not m.group(2)
                                   or re.search(r"(?:\d|\bper|\ba|/)\s*$", before) and word in ("day", "week", "month")):
            continue  # "14 days", "for a week", "per day" are no frequency words
        out.add((int(m.group(1)) if m.group(1) else 1, _PERIOD[word]))
    return frozenset(out)


def quantity_in(q: Quantity, found: Sequence[Quantity], headers: frozenset[tuple[float, str]] = frozenset()) -> bool:
    """The same value (or range) in equivalent units; a bare number matches the same number with any unit, and a
    number with a unit matches a bare one where a column header gives that unit (read in it) or the unit is a multiple
    ("100-fold").
    Durations agree within 1% (13 weeks is 3 months)."""
    time, times = _dims()
    tol = 1e-2 if q.dim == time else 2e-3
    for p in found:
        if q.dim is not None and p.dim is None and (
                any(d == q.dim and _close(q.low, p.raw[0] * f, tol) and _close(q.high, p.raw[1] * f, tol) for f, d in headers)
                or q.dim == times and "fold" in q.text.lower() and _close(q.raw[0], p.raw[0]) and _close(q.raw[1], p.raw[1])):
            return True
        if q.dim is not None and q.head and p.head and (q.dim != p.dim) and q.head[2] == p.head[2] and (
                q.head[2] in (q.dim, p.dim)) and _close(q.head[0], p.head[0]) and _close(q.head[1], p.head[1]):
            return True  # "4 g a day" and "4 g per day"
        if q.dim is not None and p.dim is not None and q.dim != p.dim:
            continue
        if q.dim is not None and p.dim is None:
            continue
        if _close(q.low, p.low, tol) and _close(q.high, p.high, tol):
            return True
        if q.dim is None and (_close(q.raw[0], p.raw[0]) and _close(q.raw[1], p.raw[1])
                              or any(_close(q.raw[0], v) and _close(q.raw[1], v) for v in p.raw)):
            return True
    return False
