"""Quantities restated in another notation than the passage's, beyond equal values in equivalent units
(assistant/quantities.quantity_in): a run of whole numbers written as a range or as a list ("stage 3-4" and "stages 3
and 4"), a duration given in another calendar unit ("12 weeks" and "three months", "730 days" and "two years"), which a
calendar month's 30.4 days puts a few per cent apart, and a multiplier written "x" against one written "×". The limits are data (assistant/data/support-quantity.yaml)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.quantities import Quantity, quantities, quantity_in

QUANTITY_FILE = Path(__file__).parent / "data" / "support-quantity.yaml"


def located(text: str) -> list[tuple[Quantity, int, int]]:
    """Every quantity of a text with where it stands."""
    out, last = [], 0
    for q in quantities(text):
        hit = re.compile(rf"(?<![\w.]){re.escape(q.text)}").search(text, last)
        if hit is None:
            continue
        out.append((q, hit.start(), hit.end()))
        last = hit.end()
    return out



@lru_cache(maxsize=1)
def _limits() -> dict:
    data = yaml.safe_load(QUANTITY_FILE.read_text(encoding="utf-8")) or {}
    return {
        "run": int(data.get("longest_run", 4)),
        "listed": re.compile(data.get("listed", r"\s(?:and|or)\s"), re.I),
        "calendar": {name: re.compile(rx, re.I) for name, rx in (data.get("calendar_units") or {}).items()},
        "tolerance": float(data.get("calendar_tolerance", 0.09)),
        "multiplier": data.get("multiplier_dimension"),
        "noun": re.compile(data["count_noun"]) if data.get("count_noun") else None,
        "not_nouns": frozenset(str(w).lower() for w in data.get("count_not_nouns", ())),
    }


@lru_cache(maxsize=1)
def _ratio() -> tuple[re.Pattern, frozenset[int]] | None:
    from assistant.doses.numbers import NUM

    data = yaml.safe_load(QUANTITY_FILE.read_text(encoding="utf-8")) or {}
    if not data.get("ratio_between"):
        return None
    rx = re.compile(rf"(?<![\w.,/-])(?P<a>{NUM}){data['ratio_between']}(?P<b>{NUM})(?![\w.,/%-])(?!\s*(?:%|percent))", re.I)
    return rx, frozenset(int(d) for d in data.get("ratio_denominators", ()))


def ratios_as_percent(text: str) -> str:
    """A share said as a ratio of counts ("seven in ten patients") written as its percentage ("70% patients"), where
    the second count is one of the denominators support-quantity.yaml reads so, is followed by no unit, and the
    percentage has at most one decimal."""
    found = _ratio()
    if found is None:
        return text
    rx, denominators = found
    from assistant.doses.numbers import number

    def share(m: re.Match) -> str:
        a, b = number(m.group("a"))[0], number(m.group("b"))[0]
        if a is None or b is None or b not in denominators or not 0 < a <= b:
            return m.group(0)
        if (q := quantities(text[m.start("b"):m.start("b") + len(m.group("b")) + 12])) and q[0].dim is not None:
            return m.group(0)  # "2 in 10 mL": a count and a volume
        pct = 100 * a / b
        if abs(pct * 10 - round(pct * 10)) > 1e-9:
            return m.group(0)
        return f"{pct:g}%"

    return rx.sub(share, text)


@lru_cache(maxsize=1)
def _time_dim() -> str | None:
    found = quantities("1 day")
    return found[0].dim if found else None


def _whole(x: float) -> bool:
    return abs(x - round(x)) < 1e-9


def _points(found: Sequence[Quantity], dim: str | None) -> dict[int, Quantity]:
    return {round(p.raw[0]): p for p in found if p.raw[0] == p.raw[1] and p.dim == dim and _whole(p.raw[0])}


def _run_listed(q: Quantity, found: Sequence[Quantity]) -> bool:
    """A range of whole numbers whose every member the passage lists ("3-4" against "3 and 4", "2-4" against "2, 3 or
    4"), written together as a list."""
    low, high = q.raw
    if not (low < high and _whole(low) and _whole(high)) or high - low > _limits()["run"]:
        return False
    points = _points(found, q.dim)
    members = [points.get(v) for v in range(round(low), round(high) + 1)]
    return all(members) and any(_limits()["listed"].search(f" {p.text} ") for p in members)


def _listed_in_run(q: Quantity, found: Sequence[Quantity]) -> bool:
    """A member of a list of whole numbers ("stages 3 and 4") inside a range of the passage ("stage 3-4")."""
    low, high = q.raw
    if low != high or not _whole(low) or not _limits()["listed"].search(f" {q.text} "):
        return False
    return any(p.dim == q.dim and p.raw[0] < p.raw[1] and _whole(p.raw[0]) and _whole(p.raw[1])
               and p.raw[1] - p.raw[0] <= _limits()["run"] and p.raw[0] <= low <= p.raw[1] for p in found)


def _calendar_unit(text: str) -> str | None:
    return next((name for name, rx in _limits()["calendar"].items() if rx.search(text)), None)


def _calendar(q: Quantity, p: Quantity) -> bool:
    """Durations in two calendar units that agree within the tolerance ("12 weeks" and "three months", "730 days" and
    "two years")."""
    time = _time_dim()
    if time is None or q.dim != time or p.dim != time:
        return False
    mine, theirs = _calendar_unit(q.text), _calendar_unit(p.text)
    if mine is None or theirs is None or mine == theirs:
        return False
    tol = _limits()["tolerance"]
    return math.isclose(q.low, p.low, rel_tol=tol) and math.isclose(q.high, p.high, rel_tol=tol)


def _multiplier(q: Quantity, p: Quantity) -> bool:
    """A multiplier ("0.4 x") and the same bare number ("0.4 ×", whose sign is no unit)."""
    times = _limits()["multiplier"]
    return bool(times) and {q.dim, p.dim} == {times, None} and q.raw == p.raw


def held(q: Quantity, found: Sequence[Quantity], headers: frozenset[tuple[float, str]] = frozenset()) -> bool:
    """Whether the passage's quantities hold the statement's, as the same value or as the same value restated."""
    if quantity_in(q, found, headers):
        return True
    return _run_listed(q, found) or _listed_in_run(q, found) or any(_calendar(q, p) or _multiplier(q, p) for p in found)



def count_with_unit(q: Quantity, statement: str, found: Sequence[Quantity], light: frozenset[str] = frozenset()) -> bool:
    """A bare count the statement puts before a noun ("twelve follow-up contacts", in its normalised text) that the
    passage's quantities give only with a unit ("12 and 18 months"): a count of other things. `light`: words that are
    no noun."""
    lim = _limits()
    if q.dim is not None or lim["noun"] is None or q.raw[0] != q.raw[1]:
        return False
    at = statement.find(q.text)
    m = lim["noun"].match(statement[at + len(q.text):]) if at >= 0 else None
    if m is None:
        return False
    noun = m.group(1).lower().split("-")[-1]
    if noun in lim["not_nouns"] or noun in light or m.group(1).lower() in light:
        return False
    same = [p for p in found if p.raw == q.raw]
    return bool(same) and all(p.dim is not None for p in same)

