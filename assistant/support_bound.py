"""What each quantity of a text is bound to, as the support check compares it: the basis it is given per ("300 mg per
dose" against "300 mg per day", "2,300 mg a meal" against "2,300 mg/day", a table column headed "Max/Day"), the side of
a bound it stands on ("more than 15" against "below 15", "within 10 days" against "after day 10"), the route it is given
by ("325-650 mg intravenously" against "325-650 mg by mouth"); and multiplier words ("doubles" against "a fivefold
overdose", "by half" where the passage gives no share). The same value bound otherwise in every place the passage gives
it is not the passage's claim. The cues are data (assistant/data/support-bound.yaml)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.numbers import WORD_VALUES
from assistant.quantities import Quantity, quantity_in
from assistant.support_cues import cues, normal
from assistant.support_quantity import located
from assistant.text import phrase_alternation

BOUND_FILE = Path(__file__).parent / "data" / "support-bound.yaml"
_CLAUSE_END = re.compile(r"[;()\[\]]|\.(?!\d)(?=\s|$)|\b(?:and|or|then|but|while|whereas)\s+(?=[a-z]+\s+(?:at|to|of)\s+\d)")


@dataclass(frozen=True)
class _BoundCues:
    per: dict[str, str]  # word after per/a/each -> basis
    per_after: re.Pattern
    alone_after: re.Pattern
    before: re.Pattern
    alone: dict[str, str]
    compatible: frozenset[frozenset[str]]
    per_dose_after: re.Pattern
    once_daily_after: re.Pattern
    header: dict[str, re.Pattern]
    bound_before: dict[str, re.Pattern]
    bound_after: dict[str, re.Pattern]
    bound_reach: int
    route_reach: int
    route_products: frozenset[str]
    multipliers: dict[str, float]
    multiplier_rx: re.Pattern
    not_multiplier: re.Pattern
    fold: re.Pattern
    as_percent: dict[float, float]
    label_unit: re.Pattern
    label_tail: re.Pattern
    analytes: tuple[tuple[re.Pattern, float], ...] = ()
    analyte_tolerance: float = 0.03
    bound_flip: re.Pattern | None = None  # a bound the clause says to avoid is the other side's


@lru_cache(maxsize=1)
def bound_cues() -> _BoundCues:
    data = yaml.safe_load(BOUND_FILE.read_text(encoding="utf-8"))
    per = {str(w).lower(): basis for basis, words in data["per_words"].items() for w in words}
    alone = {str(w).lower(): basis for basis, words in data["alone_words"].items() for w in words}
    per_alt, alone_alt = phrase_alternation(list(per)), phrase_alternation(list(alone))
    quant = phrase_alternation([str(w) for w in data["before_quantifiers"]])
    heads = r"(?:dose|doses|total|amount|intake|maximum|max|limit|cap|ceiling|allowance)"
    multipliers = {str(w).lower(): float(v) for v, words in data["multipliers"].items() for w in words}
    return _BoundCues(
        per=per,
        per_after=re.compile(rf"^\s*(?:/|\bper\b|\ba\b|\ban\b|\beach\b|\bevery\b)\s*({per_alt})(?![a-z])", re.I),
        alone_after=re.compile(rf"^\s*(?:(?!(?:and|or|then|for|with|to|every|plus|but)\b)[a-z]+\s+){{0,2}}?({alone_alt})(?![a-z])", re.I),
        before=re.compile(rf"(?:\b(?:{quant})\s+(?:[a-z-]+\s+){{0,2}}?({per_alt})\b|(?<![a-z])({alone_alt})\s+(?:(?!(?:{alone_alt})\b)[a-z-]+\s+){{0,1}}?{heads}\b)", re.I),
        alone=alone,
        compatible=frozenset(frozenset(p) for p in data["compatible"]),
        per_dose_after=re.compile(data["per_dose_after"], re.I), once_daily_after=re.compile(data["once_daily_after"], re.I),
        header={k: re.compile(v, re.I) for k, v in data["header_basis"].items()},
        bound_before={k: re.compile(v, re.I) for k, v in data["bound_before"].items()},
        bound_after={k: re.compile(v, re.I) for k, v in data["bound_after"].items()},
        bound_reach=int(data["bound_reach"]), route_reach=int(data["route_reach"]),
        route_products=frozenset(str(w).lower() for w in data.get("route_products", ())),
        multipliers=multipliers,
        multiplier_rx=re.compile(rf"(?<![\w-])(?:{phrase_alternation(list(multipliers))})(?![\w-])", re.I),
        not_multiplier=re.compile(data["not_multiplier"], re.I), fold=re.compile(data["fold"], re.I),
        as_percent={float(k): float(v) for k, v in data["as_percent"].items()},
        label_unit=re.compile(data["label_unit"]), label_tail=re.compile(data["label_tail"]),
        bound_flip=re.compile(data["bound_flip"], re.I) if data.get("bound_flip") else None,
        analytes=tuple((re.compile(rf"(?<![\w-])(?:{phrase_alternation([str(n) for n in a['names']])})(?![\w-])", re.I),
                        float(a["molar_mass"])) for a in data.get("analytes", {}).values()),
        analyte_tolerance=float(data.get("analyte_tolerance", 0.03)),
    )


@dataclass(frozen=True)
class Bound:
    """A quantity with the basis it is given per, the side of a bound it stands on and the routes named beside it."""

    q: Quantity
    basis: frozenset[str]
    side: str | None
    routes: frozenset[str]
    cue: tuple[int, int] | None = None  # where the words of its bound stand in the normalised text


def strip_labels(text: str) -> str:
    """A passage unit without a list label or recommendation number ("15.", "Reviewed, Amended 8."): "" if only that."""
    c = bound_cues()
    if c.label_unit.fullmatch(text.strip()):
        return ""
    return c.label_tail.sub("", text)


def _last_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[-n:]) if n > 0 else ""


def _routes_in(text: str) -> list[tuple[int, str]]:
    routes = cues().routes
    products = bound_cues().route_products
    return [(m.start(), name) for m in cues().route_pattern.finditer(text) if m.group(0).lower() not in products
            for name, words in routes.items() if m.group(0).lower() in words]


@lru_cache(maxsize=4096)
def bound_quantities(text: str) -> tuple[Bound, ...]:
    """Every quantity of a text with what it is bound to (read on the normalised text, within the quantity's clause)."""
    c = bound_cues()
    flat = normal(text)
    found = located(flat)
    out = []
    for k, (q, start, end) in enumerate(found):
        prev_end = found[k - 1][2] if k else 0
        next_start = found[k + 1][1] if k + 1 < len(found) else len(flat)
        before = flat[prev_end:start]
        cuts = list(_CLAUSE_END.finditer(before))
        if cuts:
            before = before[cuts[-1].end():]
        clause = flat[end:]
        if (cut := _CLAUSE_END.search(clause)) is not None:
            clause = clause[:cut.start()]
        after = clause[:next_start - end]
        basis: set[str] = set()
        for m in re.finditer(r"(?:/|\bper\s+)([a-z]+)", q.text.lower()):
            if m.group(1) in c.per:
                basis = {c.per[m.group(1)]}
        if not basis:
            if c.once_daily_after.search(clause):
                basis = {"day", "dose"}
            elif c.per_dose_after.search(clause):
                basis = {"dose"}
            elif (m := c.per_after.search(after)) is not None:
                basis = {c.per[m.group(1).lower()]}
            elif (m := c.alone_after.search(after)) is not None:
                basis = {c.alone[" ".join(m.group(1).lower().split())]}
            else:
                hits = list(c.before.finditer(_last_words(before, 8)))
                if hits:
                    h = hits[-1]
                    basis = {c.per[" ".join(h.group(1).lower().split())]} if h.group(1) else \
                        {c.alone[" ".join(h.group(2).lower().split())]}
        side, cue = None, None
        near = _last_words(before, c.bound_reach)
        near_at = start - (len(before) - len(before.rstrip())) - len(near)
        hits = [(m.start(), m.end(), name) for name, rx in c.bound_before.items() if (m := rx.search(near)) is not None]
        if hits:
            a, b, side = min(hits)  # "no more than" (written "no above") is a maximum
            cue = (near_at + a, near_at + b)
        if side is None:
            for name, rx in c.bound_after.items():
                if (m := rx.search(after)) is not None:  # its words, not the ones before them ("a day or less")
                    core = re.search(r"(?:\S+|(?:or|and)\s+\S+)$", m.group(0))
                    side, cue = name, (end + m.start() + core.start(), end + m.end())
        if side is not None and c.bound_flip is not None and c.bound_flip.search(f"{near} {clause}"):
            side = "lower" if side == "upper" else "upper"  # "avoid doses above 150 mg/day": at most 150 mg a day
        window = [(len(before[p:].split()) - 1, r) for p, r in _routes_in(before)]
        window += [(len(after[:p].split()), r) for p, r in _routes_in(after)]
        window = [(d, r) for d, r in window if d <= c.route_reach]
        routes = {r for d, r in window if d == min(d for d, _ in window)} if window else set()
        out.append(Bound(q, frozenset(basis), side, frozenset(routes), cue))
    return tuple(out)


def header_basis(text: str) -> frozenset[str]:
    """The bases a table's column headers give its bare values ("Max/Day": day)."""
    return frozenset(name for name, rx in bound_cues().header.items() if rx.search(normal(text)))


def _compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    if a & b:
        return True
    return any(frozenset((x, y)) in bound_cues().compatible for x in a for y in b)


def binding_problems(statement: str, texts: Sequence[str], whole: str,
                     headers: frozenset[tuple[float, str]] = frozenset()) -> list[str]:
    """A statement's quantity that the span gives (the same value) only on another basis, on the other side of a bound or
    by another route; `whole` (the passage and its heading) gives the bases its table headers name."""
    theirs = [b for t in texts for b in bound_quantities(t)]
    head = None
    out = []
    for mine in bound_quantities(statement):
        if not (mine.basis or mine.side or mine.routes):
            continue
        same = [b for b in theirs if quantity_in(mine.q, [b.q], headers)]
        if not same:
            continue
        text = mine.q.text.strip()
        if mine.basis:
            if head is None:
                head = header_basis(whole)
            bases = [b.basis or head for b in same]
            if all(b for b in bases) and not any(_compatible(mine.basis, b) for b in bases):
                given = sorted(set().union(*bases))
                out.append(f"unit: '{text}' is per {'/'.join(sorted(mine.basis))} where the source gives it per {'/'.join(given)}")
        if mine.side and all(b.side and b.side != mine.side for b in same):
            out.append(f"number: '{text}' is {'a maximum' if mine.side == 'upper' else 'a minimum'} where the source gives "
                       f"it as {'a minimum' if mine.side == 'upper' else 'a maximum'}")
        if mine.routes and all(b.routes and not b.routes & mine.routes for b in same):
            out.append(f"route: '{text}' is given {'/'.join(sorted(mine.routes))} where the source gives it "
                       f"{'/'.join(sorted(set().union(*(b.routes for b in same))))}")
    return out


@lru_cache(maxsize=4096)
def multipliers(text: str) -> frozenset[float]:
    """The multipliers a text states in words ("twice", "doubles", "by half", "fivefold", "5-fold"), not counting
    "half-life", "double-blind" or "twice daily"."""
    c = bound_cues()
    flat = normal(text)
    flat = c.not_multiplier.sub(" ", flat)
    out = {c.multipliers[m.group(0).lower()] for m in c.multiplier_rx.finditer(flat)}
    for m in c.fold.finditer(flat):
        word = (m.group(1) or m.group(2)).lower()
        if word[0].isdigit():
            out.add(float(word))
        elif word in WORD_VALUES:
            out.add(float(WORD_VALUES[word]))
    return frozenset(out)


def multiplier_problems(statement: str, texts: Sequence[str]) -> list[str]:
    """A multiplier of the statement that the span states nowhere: as a word, "N-fold", "N times" or (a half) a share."""
    mine = multipliers(statement)
    if not mine:
        return []
    theirs = set().union(*(multipliers(t) for t in texts)) if texts else set()
    for t in texts:
        for m in _TIMES.finditer(normal(t)):
            theirs.add(float(m.group(1)))
        for m in re.finditer(r"(\d+(?:\.\d+)?)\s*(?:%|percent|per\s+cent)", normal(t)):
            theirs |= {v for v, p in bound_cues().as_percent.items() if abs(float(m.group(1)) - p) < 1e-9}
    return [f"number: the statement says {_times(m)} which the source does not" for m in sorted(mine - theirs)]


_TIMES = re.compile(r"(\d+(?:\.\d+)?)\s*(?:times|x)\b(?!\s+(?:daily|a\s+(?:day|week|month)|per\b|each|every|weekly|monthly|nightly))", re.I)


def _times(m: float) -> str:
    return "half" if m == 0.5 else f"{m:g}-fold"


def analyte_equal(q: Quantity, found: Sequence[Quantity], text: str) -> bool:
    """The same amount of an analyte the text names, written in moles on one side and in mass on the other ("6.1-10.0
    mmol/L" of glucose and "110-180 mg/dL"; "100 mmol" of sodium and "2,300 mg")."""
    if q.dim is None or "[substance]" not in q.dim and "[mass]" not in q.dim:
        return False
    c = bound_cues()
    masses = [mass for rx, mass in c.analytes if rx.search(text)]
    close = lambda x, y: abs(x - y) <= c.analyte_tolerance * max(abs(x), abs(y))  # noqa: E731
    for p in found:
        if p.dim is None:
            continue
        for mass in masses:
            if q.dim.replace("[substance]", "[mass]") == p.dim and "[substance]" in q.dim:
                factor = mass
            elif p.dim.replace("[substance]", "[mass]") == q.dim and "[substance]" in p.dim:
                factor = 1 / mass
            else:
                continue
            if close(q.low * factor, p.low) and close(q.high * factor, p.high):
                return True
    return False


def without_bounds(text: str) -> str:
    """The normalised text with the words that bound a quantity ("no more than", "or less", "within the first") blanked:
    the quantity's side is compared with the quantity (binding_problems), not as words of opposite meaning."""
    flat = normal(text)
    for b in sorted((b for b in bound_quantities(text) if b.cue), key=lambda b: -b.cue[0]):
        flat = flat[:b.cue[0]] + " " * (b.cue[1] - b.cue[0]) + flat[b.cue[1]:]
    return flat
