"""A stated dose in every form the rules may hold it: as written, as a mass of a stated concentration, within a
rounding step, per kg or in total for the patient's weight; and what a slipped unit probably meant."""

from __future__ import annotations

from dataclasses import replace

from assistant.doses.conversions import concentration, rounding_step
from assistant.doses.matching import Scope, Stated
from assistant.doses.numbers import fmt, span_text
from assistant.doses.parse import Amount, Scan
from assistant.doses.rules import RuleBook
from assistant.doses.units import display_unit, per_kg_dim

_PREFIX_SWAP = {("g", 3): "mg", ("mg", -3): "g", ("mcg", 3): "mg", ("mg", 3): "mcg", ("mcg", -3): "mg"}


def suggestion(a: Amount, k: int) -> str:
    """What the writer probably meant, in the units they wrote."""
    head, _, tail = a.unit.partition("/")
    value = span_text(a.low, a.high)
    if head in ("mg", "g", "mcg") and (head, k) in _PREFIX_SWAP:
        return f"{value} {_PREFIX_SWAP[head, k]}{'/' + tail if tail else ''}"
    if a.unit == "mg/dL" and k == -2:
        return f"{value} g/L"
    if a.unit == "g/L" and k == 2:
        return f"{value} mg/dL"
    f = 10.0 ** -k
    return f"{span_text(a.low * f, a.high * f)} {a.unit}"


def variants(book: RuleBook, sc: Scan, a: Amount, scope: Scope, family: str) -> list[tuple[Stated, str]]:
    """The stated value as written, plus per-kg (or absolute) when a body weight is known."""
    lo, hi = a.canon
    dim = a.info.dim
    out = [(Stated(lo, hi, dim, a.cadence, a.comparator, a.is_max), "")]
    if dim in ("volume", "volume/bw") and (conc := concentration(sc, book)) is not None:
        # "20 mL/kg of a 10% solution": the volume of a stated concentration is a mass of drug (mg/mL x mL = mg).
        g = conc / 1000.0
        mass_dim = dim.replace("volume", "mass")
        out.append((Stated(lo * g, hi * g, mass_dim, a.cadence, a.comparator, a.is_max),
                    f"{a.text.strip()} at {fmt(conc)} mg/mL is {span_text(lo * g, hi * g)} {display_unit(mass_dim)}; "))
        lo, hi, dim = lo * g, hi * g, mass_dim
    if (step := rounding_step(book, sc, a)) is not None:
        # "rounded to the nearest 5 g: 30 g": the unrounded dose lies within half a step of the written one.
        for shift in (-step / 2, step / 2):
            out.append((Stated(lo + shift, hi + shift, dim, a.cadence, a.comparator, a.is_max),
                        f"{a.text.strip()} rounded to {fmt(step)} g; "))
    w = scope.weight
    if w and scope.drug:
        dims = {n.dim for n in book.for_drug(scope.drug, family)}
        for s, pre in list(out):
            if "/bw" not in s.dim and (per_kg := per_kg_dim(s.dim)) in dims:
                out.append((replace(s, lo=s.lo / w, hi=s.hi / w, dim=per_kg),
                            f"{pre}{a.text.strip()} for {fmt(w)} kg is {span_text(s.lo / w, s.hi / w)} "
                            f"{display_unit(per_kg)}; "))
            elif "/bw" in s.dim and (absolute := s.dim.replace("/bw", "")) in dims:
                out.append((replace(s, lo=s.lo * w, hi=s.hi * w, dim=absolute),
                            f"{pre}{a.text.strip()} for {fmt(w)} kg is {span_text(s.lo * w, s.hi * w)} "
                            f"{display_unit(absolute)} in total; "))
    return out
