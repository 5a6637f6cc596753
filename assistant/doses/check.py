"""Verdicts for every dose in a text: rules, magnitude errors, arithmetic, notation flags and grounding."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

import pint

from assistant.doses.parse import Amount, Cadence, Lexicon, Mention, Scan, scan, scan_cadence
from assistant.doses.rules import (DISEASES, NormRule, RuleBook, Scope, Stated, cap_problem, fmt, is_cap, magnitude,
                                   nearest, problem, range_text, select, source_text)
from assistant.doses.units import ARITH_TAIL, display_unit, evaluate, quantity
from assistant.models import PASSING_VERDICTS, Answer, DoseFinding, DoseReport

_IGG = re.compile(r"(?i)\bIgG\b|\btrough|\blevels?\b|\bserum\b|gamma ?globulin|\bthreshold")
_IG_DRUG = re.compile(r"(?i)immunoglobulin|immune globulin|\bIVI[Gg]\b|\bSCI[Gg]\b")
_OTHER_ANALYTE = re.compile(r"(?i)\b(?:creatinine|glucose|sodium|potassium|h(?:a)?emoglobin|Hb|albumin|cholesterol|"
                            r"LDL|HDL|triglycerides?|bilirubin|urea|BUN|protein(?:uria)?|IgA|IgM|IgE|ferritin|CRP|"
                            r"lactate|calcium|magnesium|phosphate|fibrinogen|uric acid|viscosity)\b")
# Words that say a text converts IVIG to SCIG (listing both products side by side is not a conversion).
_SWITCH_CUE = re.compile(r"(?i)factor|conver|switch|transition|equivalent|changing\s+from|moving\s+from|\bfrom\s+IVI")
_CONVERSION_CUE = re.compile(r"(?i)factor|conver|switch|transition|SCIG|subcutaneous|adjusted|ideal|dosing weight|"
                             r"IBW|obes")
_OBESITY_CUE = re.compile(r"(?i)ideal|adjusted|dosing weight|IBW|obes|actual")
_DOSE_DIMS = {"mass", "mass/bw", "mass/bsa", "volume", "volume/bw", "iu", "iu/bw", "iu/bsa"}
# Serum IgG a measurement can report, in g/L: wide enough for myeloma paraprotein, narrow enough to catch a
# slipped mg/dL-for-g/L (600 "g/L").
OBSERVED_IGG_G_PER_L = (0.05, 100.0)
_SCIG_FACTOR_INDICATION = "ivig_to_scig"
_OBESITY_INDICATION = "obesity_dosing_weight"


@lru_cache(maxsize=2048)
def _scan(text: str, lex: Lexicon) -> Scan:
    return scan(text, lex)


def _unique(items) -> str | None:
    values = {i.canonical if isinstance(i, Mention) else i for i in items}
    return values.pop() if len(values) == 1 else None


def _drug_mention(sc: Scan, a: Amount, ctx: Scan | None, fits) -> Mention | None:
    in_sent = sc.in_sentence(sc.drugs, a.sentence)
    text = sc.text
    follow = [d for d in in_sent if a.end <= d.start <= a.end + 20
              and re.fullmatch(r"(?i)\s*(?:of\s+)?(?:(?:oral|iv|intravenous|subcutaneous)\s+)?", text[a.end:d.start])]
    before = [d for d in in_sent if d.end <= a.start]
    after = [d for d in in_sent if d.start >= a.end]
    for group in (follow, before[-1:], after[:1]):
        if group:
            return group[0]
    # Outside the sentence, the nearest drug that can be dosed this way (an infusion rate belongs to IVIG,
    # not to the acetaminophen of the sentence before).
    earlier = [d for d in sc.drugs if d.end <= sc.sentences[a.sentence][0]][::-1]
    for pool in (earlier, list(ctx.drugs) if ctx else []):
        if pool:
            fitting = [d for d in pool if fits(d.canonical)]
            if pool is earlier:
                return (fitting or pool)[0]
            if len({d.canonical for d in (fitting or pool)}) == 1:
                return (fitting or pool)[0]
    return None


def scope_for(sc: Scan, a: Amount, ctx: Scan | None, weight_kg: float | None, fits=lambda drug: True) -> Scope:
    """Drug, indications, population, route and weight for one amount: sentence, then text, then context."""
    mention = _drug_mention(sc, a, ctx, fits)
    layers = [sc.in_sentence(sc.indications, a.sentence), sc.indications, ctx.indications if ctx else ()]
    indications: set[str] = set()
    for k, layer in enumerate(layers):
        names = {m.canonical for m in layer}
        if not indications & DISEASES:
            indications |= names & DISEASES
        if k != 1:
            # Modifiers (thrombosis risk, premedication) hold for their own sentence, or for all if the question names them.
            indications |= names - DISEASES
    age = route = None
    for layer in ((sc.in_sentence(sc.ages, a.sentence), sc.ages, ctx.ages if ctx else ())):
        if layer:
            age = _unique(layer)
            break
    s_start, s_end = sc.sentences[a.sentence]
    # Only a route word right by the amount speaks for it ("650 mg PO"); otherwise the drug's own name does (IVIG).
    near = [r for r in sc.routes if s_start <= r.start < s_end and (0 <= r.start - a.end <= 25 or 0 <= a.start - r.end
                                                                     <= 25)]
    route = _unique(near) if near else (mention.route if mention else None)
    product = mention.product if mention and mention.product else {"iv": "ivig", "sc": "scig"}.get(route or "")
    products = {d.product for d in sc.in_sentence(sc.drugs, a.sentence) if d.product}
    attached = mention is not None and (0 <= a.start - mention.end <= 12 or 0 <= mention.start - a.end <= 12)
    if len(products) > 1 and not attached:
        product = route = None  # "on IVIG 30 g ... needs 10 g of SCIG weekly": the rules decide which product fits
    sentence = sc.text[s_start:s_end]
    # The body weight a dose is on: said right after it ("32 g on adjusted body weight"), or once in the sentence.
    kinds = {"adjusted": r"(?i)adjusted|dosing weight", "actual": r"(?i)actual (?:body )?weight"}
    near_text = sc.text[a.end:a.end + 35]
    basis = next((k for k, pat in kinds.items() if re.search(pat, near_text)), None)
    if basis is None:
        present = [k for k, pat in kinds.items() if re.search(pat, sentence)]
        basis = present[0] if len(present) == 1 else None
    weight = None
    for pool in (sc.in_sentence(sc.weights, a.sentence), sc.weights):
        if pool:
            preferred = [w for w in pool if w.kind == "adjusted"] or [w for w in pool if w.kind != "ideal"] or pool
            weight = preferred[-1].kg
            break
    if weight is None:
        weight = weight_kg if weight_kg else (ctx.weights[-1].kg if ctx and ctx.weights else None)
    return Scope(drug=mention.canonical if mention else None, indications=frozenset(indications), age=age,
                 route=route, product=product, weight_basis=basis, weight=weight)


_PREFIX_SWAP = {("g", 3): "mg", ("mg", -3): "g", ("mcg", 3): "mg", ("mg", 3): "mcg", ("mcg", -3): "mg"}


def suggestion(a: Amount, k: int) -> str:
    """What the writer probably meant, in the units they wrote."""
    head, _, tail = a.unit.partition("/")
    value = f"{fmt(a.low)}-{fmt(a.high)}" if a.is_range else fmt(a.low)
    if head in ("mg", "g", "mcg") and (head, k) in _PREFIX_SWAP:
        return f"{value} {_PREFIX_SWAP[head, k]}{'/' + tail if tail else ''}"
    if a.unit == "mg/dL" and k == -2:
        return f"{value} g/L"
    if a.unit == "g/L" and k == 2:
        return f"{value} mg/dL"
    f = 10.0 ** -k
    value = f"{fmt(a.low * f)}-{fmt(a.high * f)}" if a.is_range else fmt(a.low * f)
    return f"{value} {a.unit}"


def in_sources(a: Amount, sources: list[Scan] | None) -> bool:
    """True when the same value and unit (same dimension, value inside) stand in one of the passages."""
    if not sources or a.info is None:
        return False
    lo, hi = a.canon
    for src in sources:
        for b in src.amounts:
            if b.info is None or b.info.dim != a.info.dim or b.problem:
                continue
            blo, bhi = b.canon
            if not (blo * (1 - 1e-3) <= lo and hi <= bhi * (1 + 1e-3)):
                continue
            ta, tb = a.cadence.interval, b.cadence.interval
            if ta and tb and not (ta[0] >= tb[0] / 1.1 and ta[1] <= tb[1] * 1.1):
                continue
            if a.cadence.kind != b.cadence.kind and (ta or tb):
                continue
            if a.comparator and b.comparator and a.comparator[0] != b.comparator[0]:
                continue
            return True
    return False


def family_of(a: Amount, sc: Scan) -> str | None:
    """dose, rate, lab, concentration or other (a lab value of another analyte); None if unclear."""
    dim = a.info.dim
    if dim in _DOSE_DIMS:
        return "dose"
    if dim.endswith("/time"):
        return "rate"
    if dim != "conc":
        return None
    s_start, _ = sc.sentences[a.sentence]
    before = sc.text[s_start:a.start]
    hits = [(m.end(), "lab") for m in _IGG.finditer(before)] + [(m.end(), "other")
                                                                 for m in _OTHER_ANALYTE.finditer(before)]
    if hits:
        return max(hits)[1]
    after = sc.text[a.end:sc.sentences[a.sentence][1]]  # "the 650 mg/dL threshold", "6 g/L of IgG"
    hits = [(m.start(), "lab") for m in _IGG.finditer(after)] + [(m.start(), "other")
                                                                for m in _OTHER_ANALYTE.finditer(after)]
    if hits and a.unit not in ("mg/mL", "g/mL"):
        return min(hits)[1]
    if a.unit in ("mg/mL", "g/mL"):
        return "concentration"  # product strength (10% = 100 mg/mL), not a patient's level
    return "lab" if _IG_DRUG.search(before) else None


def finding(sc: Scan, a: Amount, scope: Scope | None, verdict: str, message: str,
            rule: NormRule | None = None) -> DoseFinding:
    """A DoseFinding for one amount, spans into the checked text."""
    return DoseFinding(text=sc.text[a.start:a.end], start=a.start, end=a.end, drug=scope.drug if scope else None,
                       value=[a.low, a.high] if a.is_range else a.low, unit=a.unit,
                       per_kg=bool(a.info and "/bw" in a.info.dim), frequency=a.cadence.text, verdict=verdict,
                       rule_id=rule.rule.id if rule else None, source=source_text(rule) if rule else None,
                       message=message, flags=list(dict.fromkeys(a.flags + a.cadence.flags)))


def _variants(book: RuleBook, a: Amount, scope: Scope, family: str) -> list[tuple[Stated, str]]:
    """The stated value as written, plus per-kg (or absolute) when a body weight is known."""
    lo, hi = a.canon
    dim = a.info.dim
    out = [(Stated(lo, hi, dim, a.cadence, a.comparator, a.is_max), "")]
    w = scope.weight
    if w and scope.drug:
        dims = {n.dim for n in book.for_drug(scope.drug, family)}
        if "/bw" not in dim and (per_kg := dim.replace("/", "/bw/", 1) if "/" in dim else dim + "/bw") in dims:
            out.append((Stated(lo / w, hi / w, per_kg, a.cadence, a.comparator, a.is_max),
                        f"{a.text.strip()} for {fmt(w)} kg is {fmt(lo / w)}{'' if lo == hi else '-' + fmt(hi / w)} "
                        f"{display_unit(per_kg)}; "))
        elif "/bw" in dim and (absolute := dim.replace("/bw", "")) in dims:
            out.append((Stated(lo * w, hi * w, absolute, a.cadence, a.comparator, a.is_max),
                        f"{a.text.strip()} for {fmt(w)} kg is {fmt(lo * w)}{'' if lo == hi else '-' + fmt(hi * w)} "
                        f"{display_unit(absolute)} in total; "))
    return out


def judge(book: RuleBook, sc: Scan, a: Amount, scope: Scope, family: str, sources: list[Scan] | None) -> DoseFinding:
    """Verdict for one amount against the rules and the cited passages."""
    if a.problem:
        return finding(sc, a, scope, "ambiguous", f"Cannot read this dose reliably: {a.problem}.")
    if scope.drug is None:
        return finding(sc, a, scope, "ambiguous", "A dose with no drug named near it; it cannot be checked.")
    grounded = in_sources(a, sources)
    variants = _variants(book, a, scope, family)
    base, caps, note = select(book, family, scope)
    note = f" ({note})" if note else ""
    usable = [(s, pre) for s, pre in variants if any(n.dim == s.dim for n in base + caps)]
    if not usable:
        # No rule in this unit: a slipped "/kg" (0.4 g for 0.4 g/kg) is a unit error, otherwise grounding decides.
        for s, _ in variants:
            for n in base:
                if n.dim.replace("/bw", "") == s.dim.replace("/bw", "") and problem(n, replace(s, dim=n.dim)) is None:
                    return finding(sc, a, scope, "unit_error",
                                   f"{a.text.strip()} matches {range_text(n)} of rule {n.rule.id} only if the unit "
                                   f"is {n.rule.unit}; check the unit.", n)
        if grounded:
            return finding(sc, a, scope, "grounded", f"No dose rule covers this; the cited passage states it{note}.")
        if "/bw" not in a.info.dim and any("/bw" in n.dim for n in base):
            return finding(sc, a, scope, "ungrounded", f"The rules for {scope.drug} are per kg and no body weight is "
                                                       f"given to check {a.text.strip()}; no cited passage states it.")
        return finding(sc, a, scope, "ungrounded",
                       f"No rule for {scope.drug} covers this dose, and no cited passage states it{note}.")
    limit = a.is_max or a.comparator in ("<", "<=")
    for s, pre in usable:
        broken = next((n for n in caps if cap_problem(n, s)), None)
        held = [n for n in base if n.dim == s.dim and problem(n, s) is None]
        if limit and not held:
            held = [n for n in caps if n.dim == s.dim]  # a stated limit within every cap is what the caps say
        if broken is not None and (held or limit):
            return finding(sc, a, scope, "out_of_range", f"{pre}{a.text.strip()} breaks the limit {range_text(broken)} "
                                                         f"(rule {broken.rule.id}, {broken.rule.indication}).", broken)
        if not held:
            continue
        strong = [n for n in held if n.rule.evidence != "weak"]
        if strong:
            n = strong[0]
            if sources is not None and not grounded:
                return finding(sc, a, scope, "ungrounded",
                               f"{pre}agrees with rule {n.rule.id}, but the cited passage does not state this dose.", n)
            within = f"within {range_text(n)}"
            if s.is_max and s.cadence.interval == (1.0, 1.0) and n.max_daily is not None:
                within = f"a daily limit no higher than the rule's {fmt(n.rule.max_daily.value)} {n.rule.max_daily.unit}"
            return finding(sc, a, scope, "verified", f"{pre}{within} (rule {n.rule.id}){note}.", n)
        weak = held[0]
        if grounded:
            return finding(sc, a, scope, "grounded", f"Stated in the cited passage; the only rule ({weak.rule.id}) "
                                                     f"is from a weak source.", weak)
        return finding(sc, a, scope, "ungrounded",
                       f"{pre}only a weak source (rule {weak.rule.id}: order sets or secondary pages) gives "
                       f"{range_text(weak)}; it cannot verify a dose.", weak)
    s, pre = usable[-1]
    failing = [n for n in base if n.dim == s.dim] or [n for n in caps if n.dim == s.dim]
    elsewhere = [n for n in book.for_drug(scope.drug, family) if n.dim == s.dim and n not in failing
                 and not is_cap(n) and problem(n, s) is None]
    if elsewhere and failing:
        # The number is plausible for this drug, just not here: a wrong indication or population, not a slip.
        n, other = nearest(failing, s), elsewhere[0]
        return finding(sc, a, scope, "out_of_range",
                       f"{pre}{a.text.strip()} fits rule {other.rule.id} ({other.rule.indication}) but not "
                       f"{range_text(n)} (rule {n.rule.id}, {n.rule.indication}): {problem(n, s)}{note}.", n)
    if (mag := magnitude(failing, s)) is not None:
        k, n = mag
        ratio = f"{fmt(10.0 ** abs(k))}x {'above' if k > 0 else 'below'}"
        return finding(sc, a, scope, "unit_error",
                       f"{pre}{a.text.strip()} is {ratio} the {range_text(n)} of rule {n.rule.id}; did you mean "
                       f"{suggestion(a, k)}?", n)
    if grounded and all(n.rule.evidence == "weak" for n in failing):
        return finding(sc, a, scope, "grounded", "Stated in the cited passage; only a weak-source rule disagrees.")
    if not failing:
        return finding(sc, a, scope, "ungrounded", f"No rule for {scope.drug} covers this dose{note}.")
    n = nearest(failing, s)
    why = problem(n, s) or "outside the rule"
    return finding(sc, a, scope, "out_of_range",
                   f"{pre}{a.text.strip()} does not fit {range_text(n)} (rule {n.rule.id}): {why}{note}.", n)


def judge_step(book: RuleBook, sc: Scan, a: Amount, scope: Scope, sources: list[Scan] | None) -> DoseFinding:
    """A step or slope ("each 100 mg/kg more", "per 100 mg/dL higher trough"): held by a conversion-factor rule."""
    lo, hi = a.canon
    rules = [n for n in book.norm if n.family == "factor" and n.dim == a.info.dim
             and (scope.drug is None or n.rule.drug == scope.drug)]
    held = [n for n in rules if n.lo is not None and n.hi is not None and n.lo * 0.999 <= lo and hi <= n.hi * 1.001]
    if held:
        return finding(sc, a, scope, "verified", f"A step of {a.text.strip()}, as rule {held[0].rule.id} gives.",
                       held[0])
    if in_sources(a, sources):
        return finding(sc, a, scope, "grounded", "A step size stated in the cited passage; no rule gives it.")
    return finding(sc, a, scope, "ungrounded", f"A step of {a.text.strip()} that no rule gives.")


# ---- cross-checks: stated equivalences, totals for a weight, arithmetic, conversions ----------------
def _tolerance(expected: float, decimals: int, written_factor: float, rel: float = 0.03) -> float:
    return max(rel * abs(expected), 0.5 * 10.0 ** -decimals * written_factor)


def _mismatch(sc: Scan, a: Amount, scope: Scope | None, expected_lo: float, expected_hi: float, how: str,
              rel: float = 0.03) -> DoseFinding | None:
    """A failing finding when a's canonical value is not within [expected_lo, expected_hi] (with rounding)."""
    lo, hi = a.canon
    tol_lo = _tolerance(expected_lo, a.decimals, a.info.factor, rel)
    tol_hi = _tolerance(expected_hi, a.decimals, a.info.factor, rel)
    if expected_lo - tol_lo <= lo and hi <= expected_hi + tol_hi:
        return None
    f = a.info.factor
    shown = fmt(expected_lo / f) + ("" if math.isclose(expected_lo, expected_hi) else f"-{fmt(expected_hi / f)}")
    ratio = (lo / expected_lo) if expected_lo else 0
    power = round(math.log10(ratio)) if ratio > 0 else 0
    verdict = "unit_error" if power and math.isclose(ratio, 10.0 ** power, rel_tol=0.06) else "out_of_range"
    return finding(sc, a, scope, verdict, f"{how} gives {shown} {a.unit}, not {a.text.strip()}.")


def _concentration(sc: Scan) -> float | None:
    """Product concentration in mg/mL stated in the text (10% = 100 mg/mL), if exactly one is."""
    values = {round(p[2] * 10, 6) for p in sc.percents
              if re.search(r"(?i)\b(?:product|solution|preparation|concentration|strength|IVI?G|SCIG|IgG|"
                           r"immun|formulation)", sc.text[max(0, p[0] - 30):p[1] + 30])
              or any(d.start - 3 <= p[0] <= d.end + 3 for d in sc.drugs)}  # "Privigen 10%"
    values |= {round(a.canon[0], 6) for a in sc.amounts if a.info and a.unit in ("mg/mL", "g/mL") and not a.is_range}
    return values.pop() if len(values) == 1 else None


def cross_checks(book: RuleBook, sc: Scan, scopes: dict[int, Scope], skip: set[int],
                 ctx: Scan | None = None) -> dict[int, DoseFinding]:
    """Findings that override an amount's own verdict: equivalences, weight totals and stated conversions."""
    out: dict[int, DoseFinding] = {}
    amounts = sc.amounts
    for i, a in enumerate(amounts):
        if a.problem or a.info is None or i in skip:
            continue
        scope = scopes.get(i)
        head = amounts[a.head] if a.head is not None else None
        if head is not None and head.info is not None and not head.problem:
            if head.info.dim == a.info.dim:
                if bad := _mismatch(sc, a, scope, *head.canon, f"{head.text.strip()} converted", rel=0.02):
                    out[i] = bad
            elif {head.info.dim, a.info.dim} == {"mass/bw/time", "volume/bw/time"}:
                conc = _concentration(sc) or (_concentration(ctx) if ctx else None)
                if conc is None:
                    out[i] = finding(sc, a, scope, "ambiguous", "A volume rate and a mass rate are given as equal, but "
                                     "no product concentration is stated; they cannot be compared.")
                else:
                    mass = head if head.info.dim == "mass/bw/time" else a
                    vol = a if mass is head else head
                    factor = conc / 60.0  # mL/kg/h x mg/mL / 60 = mg/kg/min
                    if vol is a:
                        expected = (mass.canon[0] / factor, mass.canon[1] / factor)
                    else:
                        expected = (vol.canon[0] * factor, vol.canon[1] * factor)
                    if bad := _mismatch(sc, a, scope, *expected, f"at {fmt(conc)} mg/mL, {head.text.strip()}"):
                        out[i] = bad
        pair = head
        if pair is None or "/bw" not in (pair.info.dim if pair.info else ""):
            pair = next((b for b in reversed(amounts[:i]) if b.sentence == a.sentence and b.info
                         and b.info.dim == a.info.dim + "/bw" and not b.problem), None)
        if pair is not None and pair.info and pair.info.dim == a.info.dim + "/bw" and i not in out:
            w = scope.weight if scope else None
            if w is None:
                if head is pair:
                    out[i] = finding(sc, a, scope, "ambiguous",
                                     f"A total is given for {pair.text.strip()} but no body weight is stated.")
            elif bad := _mismatch(sc, a, scope, pair.canon[0] * w, pair.canon[1] * w,
                                  f"{pair.text.strip()} x {fmt(w)} kg", rel=0.05):
                out[i] = bad
    return out


def arithmetic(sc: Scan) -> tuple[dict[tuple[str, int], str], set[int], dict[int, int]]:
    """Recompute 'A op B ... = C': problems keyed by ('amount'|'weight', index), operands, result -> LHS start."""
    problems: dict[tuple[str, int], str] = {}
    operands: set[int] = set()
    lhs_starts: dict[int, int] = {}
    for m in re.finditer(r"=|≈|\bequals\b", sc.text):
        s_start, _ = sc.sentences[sc.sentence_of(m.start())]
        lhs = ARITH_TAIL.search(sc.text[s_start:m.start()])
        gap = r"\s*(?:about|approximately|approx\.|~)?\s*"
        rhs = next((("amount", k, a.low, a.unit, a.decimals) for k, a in enumerate(sc.amounts)
                    if m.end() <= a.start <= m.end() + 16 and not a.is_range and a.info and not a.problem
                    and re.fullmatch(gap, sc.text[m.end():a.start])), None)
        rhs = rhs or next((("weight", k, w.kg, "kg", 0) for k, w in enumerate(sc.weights)
                           if m.end() <= w.start <= m.end() + 16 and re.fullmatch(gap, sc.text[m.end():w.start])), None)
        if lhs is None or rhs is None or (result := evaluate(lhs.group(0))) is None or not result[1]:
            continue  # "A = B" with no operator is a stated equivalence: cross_checks compares those
        value, ops = result
        lhs_start = s_start + lhs.start()
        if ops:
            operands |= {k for k, a in enumerate(sc.amounts) if lhs_start <= a.start and a.end <= m.start()}
        kind, idx, stated, unit, decimals = rhs
        if kind == "amount" and ops:
            lhs_starts[idx] = lhs_start
        if value.dimensionless:
            expected = float(value.magnitude)  # plain numbers: the result is in the unit the text gives
        else:
            try:
                target = quantity(1.0, unit)
                expected = float(value.to(target.units).magnitude) / target.magnitude
            except (pint.errors.DimensionalityError, ValueError):
                problems[kind, idx] = f"{lhs.group(0).strip()} is not in {unit}: the units do not match"
                continue
        if abs(expected - stated) > _tolerance(expected, decimals, 1.0, rel=0.02):
            problems[kind, idx] = f"{lhs.group(0).strip()} = {fmt(expected)} {unit}, not {fmt(stated)} {unit}"
    return problems, operands, lhs_starts


def _ratio_verdict(stated: float, expected: float) -> str:
    ratio = stated / expected if expected else 0
    power = round(math.log10(ratio)) if ratio > 0 else 0
    return "unit_error" if power and math.isclose(ratio, 10.0 ** power, rel_tol=0.06) else "out_of_range"


def scig_conversion(book: RuleBook, sc: Scan, scopes: dict[int, Scope]) -> dict[int, DoseFinding]:
    """IVIG every N weeks to weekly SCIG: SCIG = IVIG / N x factor (stated, or a conversion rule's)."""
    if not _SWITCH_CUE.search(sc.text):
        return {}
    out: dict[int, DoseFinding] = {}
    for i, a in enumerate(sc.amounts):
        sa = scopes.get(i)
        scig_named = any(d.product == "scig" for d in sc.in_sentence(sc.drugs, a.sentence))
        if not sa or sa.product not in ("scig", None) or not scig_named or a.problem \
                or a.cadence.interval != (7.0, 7.0):
            continue
        source = next((b for k, b in enumerate(sc.amounts) if k < i and scopes.get(k) and scopes[k].product == "ivig"
                       and b.info and a.info and b.info.dim == a.info.dim and b.cadence.interval
                       and b.cadence.interval[0] >= 14 and not b.problem), None)
        if source is None:
            continue
        stated = {f for _, _, f in sc.factors if 0.5 < f < 2}
        rules = [n for n in book.for_drug(sa.drug, "factor") if n.rule.indication == _SCIG_FACTOR_INDICATION]
        factors = stated or {v for n in rules for v in (n.lo, n.hi) if v is not None} or {1.0}
        weeks = (source.cadence.interval[0] / 7, source.cadence.interval[1] / 7)
        lo, hi = source.canon[0] / weeks[1] * min(factors), source.canon[1] / weeks[0] * max(factors)
        how = f"{source.text.strip()} every {fmt(weeks[0])}" + (
            "" if weeks[0] == weeks[1] else f"-{fmt(weeks[1])}") + f" weeks x {'/'.join(map(fmt, sorted(factors)))}"
        if bad := _mismatch(sc, a, sa, lo, hi, f"Converting to weekly SCIG, {how}", rel=0.03):
            out[i] = bad
    return out


def factor_findings(book: RuleBook, sc: Scan, ctx: Scan | None) -> list[DoseFinding]:
    """Conversion factors stated in a conversion context (x 1.37, 0.4 x (actual - ideal))."""
    out = []
    for start, end, value in sc.factors:
        s_start, s_end = sc.sentences[sc.sentence_of(start)]
        sentence = sc.text[s_start:s_end]
        if not _CONVERSION_CUE.search(sentence):
            continue
        # Which conversion the factor belongs to: obesity dosing weight, IVIG to SCIG, or a unit conversion.
        wanted = _OBESITY_INDICATION if _OBESITY_CUE.search(sentence) else (
            _SCIG_FACTOR_INDICATION if re.search(r"(?i)\bSCI?G|\bSC\b|subcut|Hizentra|Cuvitru", sentence) else "any")
        rules = [n for n in book.norm if n.family == "factor" and n.dim == "factor" and n.rule.indication == wanted]
        raw = sc.text[start:end]
        num = re.search(r"\d*\.?\d+", raw)
        span = (start + num.start(), start + num.end())
        base = dict(text=sc.text[span[0]:span[1]], start=span[0], end=span[1], value=value, unit="1", per_kg=False,
                    drug=rules[0].rule.drug if rules else None)
        held = [n for n in rules if n.lo is not None and n.hi is not None and n.lo - 1e-6 <= value <= n.hi + 1e-6]
        if held and held[0].rule.evidence != "weak":
            out.append(DoseFinding(**base, verdict="verified", rule_id=held[0].rule.id, source=source_text(held[0]),
                                   message=f"Conversion factor {fmt(value)} matches rule {held[0].rule.id}."))
        elif rules:
            n = min(rules, key=lambda r: abs((r.lo or 0) - value))
            out.append(DoseFinding(**base, verdict="out_of_range", rule_id=n.rule.id, source=source_text(n),
                                   message=f"Conversion factor {fmt(value)} is not one the rules give "
                                           f"({', '.join(fmt(r.lo) for r in rules if r.lo is not None)})."))
        else:
            out.append(DoseFinding(**base, verdict="ungrounded", message=f"No rule gives the factor {fmt(value)}."))
    return out


def obesity_weight(book: RuleBook, sc: Scan) -> list[DoseFinding]:
    """Ideal, actual and adjusted weights all stated: adjusted = ideal + factor x (actual - ideal)."""
    kinds = {w.kind: w for w in sc.weights}
    if not {"ideal", "actual", "adjusted"} <= set(kinds):
        return []
    ideal, actual, adjusted = kinds["ideal"].kg, kinds["actual"].kg, kinds["adjusted"]
    rules = [n for n in book.norm if n.family == "factor" and n.rule.indication == _OBESITY_INDICATION]
    factors = {f for _, _, f in sc.factors if f < 1} or {n.lo for n in rules if n.lo is not None}
    expected = [ideal + f * (actual - ideal) for f in factors]
    if not expected or any(abs(e - adjusted.kg) <= max(1.0, 0.02 * e) for e in expected):
        return []
    return [DoseFinding(text=sc.text[adjusted.start:adjusted.end], start=adjusted.start, end=adjusted.end,
                        value=adjusted.kg, unit="kg", per_kg=False, verdict=_ratio_verdict(adjusted.kg, expected[0]),
                        rule_id=rules[0].rule.id if rules else None, source=source_text(rules[0]) if rules else None,
                        message=f"Dosing weight {fmt(ideal)} + {'/'.join(map(fmt, sorted(factors)))} x "
                                f"({fmt(actual)} - {fmt(ideal)}) = {fmt(expected[0])} kg, not {fmt(adjusted.kg)} kg.")]


def _bare(c: Cadence) -> bool:
    return c.interval is None and c.duration is None and c.kind == "dose" and not c.single


def check_text(text: str, rulebook: RuleBook, *, weight_kg: float | None = None, sources: list[str] | None = None,
               context: str | None = None) -> list[DoseFinding]:
    """Every dose in text with its verdict; sources are the cited passages, context e.g. the question."""
    if not text or not text.strip():
        return []
    lex = rulebook.lexicon
    sc = _scan(text, lex)
    ctx = _scan(context, lex) if context else None
    srcs = [_scan(s, lex) for s in sources] if sources is not None else None
    problems, operands, lhs_starts = arithmetic(sc)
    scopes: dict[int, Scope] = {}
    results: dict[int, DoseFinding] = {}
    lab_drugs = {n.rule.drug for n in rulebook.norm if n.family == "lab"}
    for i, a in enumerate(sc.amounts):
        if i in operands or "rounding" in a.flags:
            continue  # intermediate numbers of a calculation (its result is checked); rounding steps
        fam = family_of(a, sc) if a.info else "dose"
        if fam in ("other", "concentration"):
            continue
        dims = {a.info.dim, a.info.dim.replace("/bw", "")} if a.info else set()
        scope = scope_for(sc, a, ctx, weight_kg, lambda d, f=fam, ds=dims: any(
            n.dim.replace("/bw", "") in ds or n.dim in ds for n in rulebook.for_drug(d, f)))
        if fam == "lab" and scope.drug not in lab_drugs:
            scope = replace(scope, drug=next(iter(lab_drugs)) if len(lab_drugs) == 1 else None)
        scopes[i] = scope
        if fam == "lab" and a.observed and not a.problem:
            # A measured level is patient data, not advice: only a physically impossible one is flagged.
            lo, hi = a.canon
            if not (OBSERVED_IGG_G_PER_L[0] <= lo and hi <= OBSERVED_IGG_G_PER_L[1]):
                results[i] = finding(sc, a, scope, "unit_error", f"An IgG level of {a.text.strip()} is not a level a "
                                                                 f"patient can have; check the unit (mg/dL or g/L).")
            continue
        if a.step and not a.problem:
            results[i] = judge_step(rulebook, sc, a, scope, srcs)
            continue
        if fam is None:
            results[i] = finding(sc, a, scope, "ambiguous", "A concentration with no analyte named (IgG trough? "
                                 "another lab value? a product strength?); it cannot be checked.")
            continue
        if _bare(a.cadence) and i in lhs_starts:
            s_start = sc.sentences[a.sentence][0]
            a = replace(a, cadence=scan_cadence(sc.text[s_start:lhs_starts[i]]))
        elif _bare(a.cadence) and a.info and "/bw" not in a.info.dim:
            pair = sc.amounts[a.head] if a.head is not None else next(
                (b for b in reversed(sc.amounts[:i]) if b.sentence == a.sentence and b.info
                 and b.info.dim == a.info.dim + "/bw"), None)
            if pair is not None:
                a = replace(a, cadence=pair.cadence)
        results[i] = judge(rulebook, sc, a, scope, fam, srcs)
    overrides = cross_checks(rulebook, sc, scopes, operands, ctx)
    overrides |= {i: f for i, f in scig_conversion(rulebook, sc, scopes).items() if i not in overrides}
    for (kind, idx), why in problems.items():
        if kind == "amount" and idx in results:
            a = sc.amounts[idx]
            expected = re.search(r"= (\S+)", why)
            verdict = "out_of_range"
            if expected:
                try:
                    verdict = _ratio_verdict(a.low, float(expected.group(1)))
                except ValueError:
                    verdict = "unit_error"
            overrides[idx] = finding(sc, a, scopes.get(idx), verdict if "units do not match" not in why
                                     else "unit_error", f"Arithmetic does not hold: {why}.")
    for i, f in overrides.items():
        if i in results:
            mine = results[i]
            merged = f.model_copy(update={"drug": mine.drug, "frequency": mine.frequency, "flags": mine.flags,
                                          "rule_id": f.rule_id or mine.rule_id, "source": f.source or mine.source})
            results[i] = merged
    findings = list(results.values()) + factor_findings(rulebook, sc, ctx) + obesity_weight(rulebook, sc)
    for (kind, idx), why in problems.items():
        if kind == "weight":
            w = sc.weights[idx]
            findings.append(DoseFinding(text=sc.text[w.start:w.end], start=w.start, end=w.end, value=w.kg, unit="kg",
                                        per_kg=False, verdict="out_of_range", message=f"Arithmetic does not hold: {why}."))
    return sorted(findings, key=lambda f: (f.start, f.end))


# ---- policy -----------------------------------------------------------------------------------------
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def check_report(text: str, rulebook: RuleBook, *, weight_kg: float | None = None) -> DoseReport:
    """`guideqa check-doses --json`: blocked when any finding is neither verified nor grounded."""
    findings = check_text(text, rulebook, weight_kg=weight_kg)
    return DoseReport(blocked=any(f.verdict not in PASSING_VERDICTS for f in findings), findings=findings)


def notice(failing: list[DoseFinding]) -> str:
    """The visible text that replaces a withheld statement."""
    parts = [f"{f.message} (rule source: {f.source or 'none'})" for f in failing]
    return "Dose withheld: " + "; ".join(parts)


def check_answer(answer: Answer, passages: Mapping[int, str], rulebook: RuleBook, *, weight_kg: float | None = None,
                 question: str | None = None) -> Answer:
    """Check the summary and every statement; withhold what fails, block the answer if the summary fails."""
    context = question or answer.standalone_question or answer.question
    checks: list[DoseFinding] = []
    cited = [int(n) for m in _MARKER.finditer(answer.summary) for n in m.group(1).split(",")]
    # A summary without markers summarises the whole answer: every passage may ground it.
    summary_sources = [passages[n] for n in dict.fromkeys(cited) if n in passages] if cited else list(passages.values())
    found = check_text(answer.summary, rulebook, weight_kg=weight_kg, sources=summary_sources, context=context)
    checks += found
    update: dict = {}
    if failing := [f for f in found if f.verdict not in PASSING_VERDICTS]:
        update |= {"summary": notice(failing), "status": "blocked"}
    sections = []
    for section in answer.sections:
        statements = []
        for statement in section.statements:
            sources = [passages[n] for n in statement.citations if n in passages]
            found = check_text(statement.text, rulebook, weight_kg=weight_kg, sources=sources,
                               context=f"{section.heading}\n{context}")
            checks += found
            if failing := [f for f in found if f.verdict not in PASSING_VERDICTS]:
                statement = statement.model_copy(update={"text": notice(failing), "withheld": True})
            statements.append(statement)
        sections.append(section.model_copy(update={"statements": statements}))
    return answer.model_copy(update=update | {"sections": sections, "dose_checks": checks})
