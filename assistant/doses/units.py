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


def registry_units(written: str) -> str:
    """A unit as written ('g/kg', 'mg/m2') in the registry's names ('g/kg_bw', 'mg/m2_bsa')."""
    return _BSA.sub("m2_bsa", _BW.sub("kg_bw", written))


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
    try:
        quantity = UREG.Quantity(1.0, registry_units(text))
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


@lru_cache(maxsize=512)
def _factor(src: str, dst: str) -> float:
    a, b = unit_info(src), unit_info(dst)
    if a is None or b is None or a.dim != b.dim:
        raise pint.errors.DimensionalityError(src, dst)
    return a.factor / b.factor


def convert(value: float, src: str, dst: str) -> float:
    """Convert between two units of the same dimension; raises DimensionalityError otherwise."""
    return value * _factor(src, dst)


def per_kg_dim(dim: str) -> str:
    """The per-body-weight form of a dimension: 'mass' -> 'mass/bw', 'volume/time' -> 'volume/bw/time'."""
    return dim.replace("/", "/bw/", 1) if "/" in dim else dim + "/bw"


def volume_rate_to_mass_rate(ml_per_kg_h: float, mg_per_ml: float) -> float:
    """mL/kg/h to mg/kg/min, only possible with the product concentration (10% = 100 mg/mL)."""
    return ml_per_kg_h * mg_per_ml / 60.0


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


# ---- units as written in a text ("mg/kg per day", "grams per kilogram") -----------------------
_NUMER = {
    "mass": r"milligrams?|micrograms?|grams?|mcg|mg|µg|μg|ug|gm|g",
    "volume": r"millilit(?:er|re)s?|decilit(?:er|re)s?|lit(?:er|re)s?|mL|ml|cc|dL|dl|L",
    "iu": r"international\s+units?|IU|units?|U",
}
_DENOM = (r"kilograms?|kilos?|kg(?:\s+(?:of\s+)?(?:(?:ideal|adjusted|actual|lean)\s+)?body\s*weight|\s+bw\b)?|m2|m²|m\^2"
          r"|decilit(?:er|re)|dL|dl|lit(?:er|re)|millilit(?:er|re)|mL|ml|L|minutes?|min|hours?|hrs?|h"
          r"|days?|d|weeks?|wk|dose|infusion|course|months?|mo")
NUMERATORS = "|".join(_NUMER.values())
UNIT = rf"(?:{NUMERATORS})(?![A-Za-z])(?:(?:\s*/\s*|\s+per\s+)(?:{_DENOM})(?![A-Za-z²]))*"
_NORM = [(r"milligrams?|mg", "mg"), (r"micrograms?|mcg|µg|μg|ug", "mcg"), (r"grams?|gm|g", "g"),
         (r"millilit(?:er|re)s?|mL|ml|cc", "mL"), (r"decilit(?:er|re)s?|dL|dl", "dL"), (r"lit(?:er|re)s?|L", "L"),
         (r"international\s+units?|IU|units?|U", "IU"), (r"kilograms?|kilos?|kg.*", "kg"), (r"m2|m²|m\^2", "m2"),
         (r"minutes?|min", "min"), (r"hours?|hrs?|h", "h"), (r"days?|d", "day"), (r"weeks?|wk", "week"),
         (r"months?|mo", "month"), (r"dose|infusion", "dose"), (r"course", "course")]
_NORM_RE = [(re.compile(rf"(?:{p})$", re.I if n not in ("mL", "L", "dL") else 0), n) for p, n in _NORM]


def normalise_unit(raw: str) -> tuple[str, tuple[str, ...]]:
    """Spelling of a written unit as the checker reports it ('mg/kg/day') and the ISMP flags it raises."""
    parts = [p.strip() for p in re.split(r"\s*/\s*|\s+per\s+", raw.strip())]
    out, flags = [], []
    for part in parts:
        if part in ("U", "u"):
            flags.append("U")
        elif part == "IU":
            flags.append("IU")
        elif part == "ug":
            flags.append("ug")
        elif part in ("µg", "μg"):
            flags.append("µg")
        elif part.lower() == "cc":
            flags.append("cc")
        out.append(next((n for p, n in _NORM_RE if p.match(part)), part))
    return "/".join(out), tuple(flags)
