"""Combination products: a strength pair written after a combination ("phentermine/topiramate ER 3.75/23 mg",
"Qsymia 3.75 mg/23 mg", "hydrocodone/acetaminophen 5/325 mg") is two doses, one of each component, in the order the
combination names them; both keep the cadence written after the pair."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.lexicon import Mention
from assistant.doses.numbers import DIGNUM, number
from assistant.doses.units import UNIT, normalise_unit, unit_info

COMBINATIONS_FILE = Path(__file__).parent / "data" / "combinations.yaml"
_SP = r"[ \t\u00a0\u2009\u202f]*"
# "3.75/23 mg", "3.75 mg/23 mg", "5 / 325 mg": two strengths in one unit (a ratio "120/80 mmHg" is no mass).
_PAIR = re.compile(rf"(?<![\d.,/])(?P<n1>{DIGNUM})(?:{_SP}(?P<u1>{UNIT}))?{_SP}/{_SP}(?:(?P<name>[A-Za-z][\w-]*){_SP})?"
                   rf"(?P<n2>{DIGNUM}){_SP}(?P<u2>{UNIT})")
_PAIRED_DIMS = {"mass", "iu"}


@lru_cache(maxsize=1)
def _data() -> tuple[tuple[tuple[re.Pattern, tuple[str, ...]], ...], re.Pattern]:
    data = yaml.safe_load(COMBINATIONS_FILE.read_text(encoding="utf-8"))
    brands = tuple((re.compile(rf"(?i)(?<![\w-]){re.escape(name)}(?![\w-])"), tuple(c.lower() for c in parts))
                   for name, parts in data["brands"].items())
    return brands, re.compile("|".join(f"(?:{j})" for j in data["joiners"]))


def brand_mentions(text: str) -> tuple[Mention, ...]:
    """The combination brands of the data file that a text names, each as its components joined by '/'."""
    brands, _ = _data()
    return tuple(Mention("/".join(parts), m.start(), m.end(), m.group(0))
                 for pattern, parts in brands for m in pattern.finditer(text))


def components(text: str, drugs: tuple[Mention, ...], start: int, s_start: int) -> tuple[str, ...] | None:
    """The components of the combination named last before a position in its sentence: one mention naming several
    drugs ("buprenorphine/naloxone", "Naltrexone and Bupropion"), or two names joined by a slash."""
    _, joiner = _data()
    before = [d for d in drugs if s_start <= d.start and d.end <= start]
    if not before:
        return None
    last = before[-1]
    parts = tuple(p.strip().lower() for p in joiner.split(last.canonical) if p.strip())
    if len(parts) >= 2:
        return parts
    if len(before) >= 2 and re.fullmatch(r"\s*/\s*", text[before[-2].end:last.start]):
        return before[-2].canonical, last.canonical  # "hydrocodone/acetaminophen": two names, one product
    return None


def split_pairs(text: str, amounts: list, drugs: tuple[Mention, ...], sentence_start) -> list:
    """The amounts with each strength pair after a combination read as one dose of each component (the first strength
    gets the second's unit when it is written bare: "3.75/23 mg")."""
    out = list(amounts)
    for m in _PAIR.finditer(text):
        parts = components(text, drugs, m.start(), sentence_start(m.start()))
        if parts is not None and m.group("name") and m.group("name").lower() != parts[1]:
            continue  # "3.75 mg/ topiramate 23 mg": the name between is the second part's, else no pair
        u2, _ = normalise_unit(m.group("u2"))
        info = unit_info(u2)
        if parts is None or len(parts) != 2 or info is None or info.dim not in _PAIRED_DIMS:
            continue
        if m.group("u1") and (first := unit_info(normalise_unit(m.group("u1"))[0])) is not None and first.dim != info.dim:
            continue
        second = next((a for a in out if a.start == m.start("n2")), None)
        if second is None:
            continue
        first_amount = next((a for a in out if a.start == m.start("n1")), None)
        if first_amount is None:
            value, problem = number(m.group("n1"))
            first_amount = replace(second, start=m.start("n1"), end=m.end("n1"), text=m.group("n1"), low=value,
                                   high=value, is_range=False, problem=problem or second.problem, flags=(),
                                   decimals=len(m.group("n1").split(".")[1]) if "." in m.group("n1") else 0)
            out.insert(out.index(second), first_amount)
        out[out.index(first_amount)] = replace(first_amount, component=parts[0], pair_end=second.end)
        out[out.index(second)] = replace(second, component=parts[1])
    return out


def share_cadence(amounts: list) -> list:
    """The first strength of a pair takes the cadence, limit and comparator written after the second."""
    out = list(amounts)
    for k, a in enumerate(out[:-1]):
        nxt = out[k + 1]
        if a.component and a.pair_end == nxt.end and nxt.component:
            out[k] = replace(a, cadence=nxt.cadence, is_max=a.is_max or nxt.is_max,
                             comparator=a.comparator or nxt.comparator)
            if a.is_max and not nxt.is_max:  # "Maximum dose: 7.5 mg/46 mg daily": the maximum of both parts
                out[k + 1] = replace(nxt, is_max=True)
            if a.raised_to and not nxt.raised_to:  # "then increase to 7.5 mg/46 mg": both parts are raised to
                out[k + 1] = replace(out[k + 1], raised_to=True)
    return out
