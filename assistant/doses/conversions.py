"""Stated equivalences and conversions, rechecked: mg/kg = g/kg, totals for a weight, mass and volume rates,
IVIG to weekly SCIG, conversion factors and the dosing weight in obesity."""

from __future__ import annotations

import re

from assistant.doses.arithmetic import mismatch, ratio_verdict
from assistant.doses.matching import Scope, source_text
from assistant.doses.numbers import fmt
from assistant.doses.parse import Amount, Scan
from assistant.doses.rules import NormRule, RuleBook
from assistant.doses.scope import finding
from assistant.doses.units import per_kg_dim, volume_rate_to_mass_rate
from assistant.models import DoseFinding

# Words that say a text converts IVIG to SCIG (listing both products side by side is not a conversion).
_SWITCH_CUE = re.compile(r"(?i)factor|conver|switch|transition|equivalent|changing\s+from|moving\s+from|\bfrom\s+IVI")
# Words that say a stated factor is a conversion (not a risk ratio or a count).
_CONVERSION_CUE = re.compile(r"(?i)factor|conver|switch|transition|SCIG|subcutaneous|adjusted|ideal|dosing weight|"
                             r"IBW|obes|Hizentra|Cuvitru|Xembify|Cutaquig|HyQvia|weekly.equivalent")
_EU = re.compile(r"\bEU\b|\bEurop|\bSmPC\b")
_OBESITY_CUE = re.compile(r"(?i)ideal|adjusted|dosing weight|IBW|obes|actual")
_SCIG_FACTOR_INDICATION = "ivig_to_scig"
_EQUIVALENT = re.compile(r"(?i)\bequivalent\b|\bis\s+(?:about\s+)?$|=\s*$|\bequals\s+$|\bwhich\s+is\s+$")
_BEFORE_FACTOR = re.compile(r"(?i)^[^.;]{0,40}\bbefore\b[^.;]{0,30}\bfactor\b")
_OBESITY_INDICATION = "obesity_dosing_weight"


def concentration(sc: Scan) -> float | None:
    """Product concentration in mg/mL stated in the text (10% = 100 mg/mL), if exactly one is."""
    values = {round(p[2] * 10, 6) for p in sc.percents
              if re.search(r"(?i)\b(?:product|solution|preparation|concentration|strength|IVI?G|SCIG|IgG|"
                           r"immun|formulation)", sc.text[max(0, p[0] - 30):p[1] + 30])
              or any(d.start - 3 <= p[0] <= d.end + 3 for d in sc.drugs)  # "Privigen 10%"
              or re.search(r"(?i)\bmL\s+of\s+(?:a\s+|the\s+)?$", sc.text[max(0, p[0] - 12):p[0]])}  # "360 mL of 10%"
    values |= {round(a.canon[0], 6) for a in sc.amounts if a.info and a.unit in ("mg/mL", "g/mL") and not a.is_range}
    return values.pop() if len(values) == 1 else None


def same_cadence(a: Amount, b: Amount) -> bool:
    """Whether two amounts of a sentence can be the same dose: the same repeat, or one of them names none."""
    return a.cadence.interval == b.cadence.interval or a.cadence.bare or (b.cadence.bare and a.cadence.interval is None)


def rounding_step(book: RuleBook, sc: Scan, a: Amount) -> float | None:
    """The rounding step (g) stated in a's sentence ("rounded to the nearest 5 g"), if a rule allows that step."""
    if a.info is None or a.info.dim != "mass":
        return None
    steps = [b.canon[1] for b in sc.amounts if "rounding" in b.flags and b.sentence == a.sentence and b.info
             and b.info.dim == "mass"]
    allowed = max((n.hi for n in book.norm if n.family == "rounding" and n.hi is not None), default=0.0)
    return max(steps) if steps and max(steps) <= allowed * (1 + 1e-6) else None


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
                if bad := mismatch(sc, a, scope, *head.canon, f"{head.text.strip()} converted", rel=0.02):
                    out[i] = bad
            elif {head.info.dim.replace("volume", "mass"), a.info.dim.replace("volume", "mass")} == {
                    a.info.dim.replace("volume", "mass")} and "/time" not in a.info.dim and (
                    conc := concentration(sc) or (concentration(ctx) if ctx else None)):
                # "280 mL of 10% IVIG (28 g)": a volume and its mass at the stated concentration (mg/mL = g/L).
                scale = conc / 1000.0 if a.info.dim.startswith("mass") else 1000.0 / conc
                expected = (head.canon[0] * scale, head.canon[1] * scale)
                if bad := mismatch(sc, a, scope, *expected, f"at {fmt(conc)} mg/mL, {head.text.strip()}"):
                    out[i] = bad
            elif {head.info.dim, a.info.dim} == {"mass/bw/time", "volume/bw/time"}:
                conc = concentration(sc) or (concentration(ctx) if ctx else None)
                if conc is None:
                    out[i] = finding(sc, a, scope, "ambiguous", "A volume rate and a mass rate are given as equal, but "
                                     "no product concentration is stated; they cannot be compared.")
                else:
                    per_ml = volume_rate_to_mass_rate(1.0, conc)  # mg/kg/min for each mL/kg/h
                    scale = per_ml if a.info.dim == "mass/bw/time" else 1 / per_ml
                    expected = (head.canon[0] * scale, head.canon[1] * scale)
                    if bad := mismatch(sc, a, scope, *expected, f"at {fmt(conc)} mg/mL, {head.text.strip()}"):
                        out[i] = bad
        per_kg = per_kg_dim(a.info.dim)
        pair = head if head is not None and head.info and head.info.dim == per_kg else next(
            (b for b in reversed(amounts[:i]) if b.sentence == a.sentence and b.info and b.info.dim == per_kg
             and not b.problem and same_cadence(a, b)), None)
        w = scope.weight if scope else None
        if pair is not None and i not in out:
            if w is None:
                if head is pair:
                    out[i] = finding(sc, a, scope, "ambiguous",
                                     f"A total is given for {pair.text.strip()} but no body weight is stated.")
            elif bad := mismatch(sc, a, scope, pair.canon[0] * w, pair.canon[1] * w,
                                  f"{pair.text.strip()} x {fmt(w)} kg", rel=0.05,
                                  slack=(rounding_step(book, sc, a) or 0.0) / 2):
                out[i] = bad
        elif head is not None and head.info and per_kg_dim(head.info.dim) == a.info.dim and w and i not in out:
            # "56 g every 4 weeks (0.4 g/kg)": the per-kg companion of a total for this patient's weight.
            if bad := mismatch(sc, a, scope, head.canon[0] / w, head.canon[1] / w,
                               f"{head.text.strip()} / {fmt(w)} kg", rel=0.05):
                out[i] = bad
        elif a.info.dim == "volume/time" and w and i not in out and (conc := concentration(sc)) and (
                rate := next((b for b in reversed(amounts[:i]) if b.sentence == a.sentence and b.info
                              and b.info.dim == "mass/bw/time" and not b.problem), None)):
            # "60 kg at 8 mg/kg/min of a 10% product runs at 288 mL/h": mg/kg/min x kg / (mg/mL) x 60 = mL/h.
            scale = w / conc * 60.0
            if bad := mismatch(sc, a, scope, rate.canon[0] * scale, rate.canon[1] * scale,
                               f"{rate.text.strip()} x {fmt(w)} kg at {fmt(conc)} mg/mL", rel=0.05):
                out[i] = bad
    return out


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
        # A factor applies to the weekly doses written after it: the weekly equivalent named before it is not yet
        # multiplied ("30 g every 4 weeks is 7.5 g per week, and with the factor of 1.37 it is about 10.3 g").
        s_start, _ = sc.sentences[a.sentence]
        stated_all = {f for _, _, f in sc.factors if 0.5 < f < 2}
        stated = {f for start, _, f in sc.factors if 0.5 < f < 2 and start < a.start} or stated_all
        if stated_all and not {f for start, _, f in sc.factors if 0.5 < f < 2 and start < a.start} and (
                _EQUIVALENT.search(sc.text[s_start:a.start]) or _BEFORE_FACTOR.search(sc.text[a.end:a.end + 60])):
            stated = {1.0}
        rules = [n for n in book.for_drug(sa.drug, "factor") if n.rule.indication == _SCIG_FACTOR_INDICATION
                 and (sa.brand is None or n.rule.brand in (None, sa.brand))]
        factors = stated or {v for n in rules for v in (n.lo, n.hi) if v is not None} or {1.0}
        weeks = (source.cadence.interval[0] / 7, source.cadence.interval[1] / 7)
        lo, hi = source.canon[0] / weeks[1] * min(factors), source.canon[1] / weeks[0] * max(factors)
        how = f"{source.text.strip()} every {fmt(weeks[0])}" + (
            "" if weeks[0] == weeks[1] else f"-{fmt(weeks[1])}") + f" weeks x {'/'.join(map(fmt, sorted(factors)))}"
        if bad := mismatch(sc, a, sa, lo, hi, f"Converting to weekly SCIG, {how}", rel=0.03):
            out[i] = bad
    return out


# Which conversion a stated factor belongs to, by the words around it (the first kind whose cue is found).
_FACTOR_KINDS = (
    ("obesity", _OBESITY_CUE),
    ("scig", re.compile(r"(?i)\bSCI?G|\bSC\b|subcut|Hizentra|Cuvitru|Xembify|Cutaquig|HyQvia|weekly.equivalent")),
    ("rate", re.compile(r"(?i)mg/kg/min|mL/kg/h|infusion\s+rate")),
    ("unit", re.compile(r"(?i)\bmg/dL\b.*\bg/L\b|\bg/L\b.*\bmg/dL\b|\bmg/kg\b.*\bg/kg\b|\bg/kg\b.*\bmg/kg\b")),
)


def _factor_kind(n: NormRule) -> str | None:
    """The conversion a factor rule is for; None for rules that are steps in a dose or level, not factors."""
    if n.rule.indication == _OBESITY_INDICATION:
        return "obesity"
    if n.rule.indication == _SCIG_FACTOR_INDICATION:
        return "scig"
    return "unit" if n.dim == "factor" else "rate" if n.dim.startswith("other:") else None


def _conversion_of(texts: list[str]) -> str:
    """The conversion the nearest text with a cue names: the sentence, then the whole text, then the context."""
    for text in texts:
        for kind, cue in _FACTOR_KINDS:
            if cue.search(text):
                return kind
    return "unit"


def _brand_allows(n: NormRule, book: RuleBook, sentence: str, ctx: Scan | None) -> bool:
    """A product's own factor (Hizentra 1.37, Cuvitru 1.30) holds only where that product, or no product and no
    EU labelling, is named: under EU labelling the conversion is 1:1 whatever the brand."""
    if n.rule.brand is None:
        return True
    named = {b for b in book.brands if re.search(rf"(?i)\b{re.escape(b)}\b", sentence)} or (
        {b for b in book.brands if re.search(rf"(?i)\b{re.escape(b)}\b", ctx.text)} if ctx else set())
    if named:
        return n.rule.brand in named
    return not (_EU.search(sentence) and not re.search(r"\bUS\b|\bU\.S\.", sentence))


_ASKS_FACTOR = re.compile(r"(?i)\bfactor|\bmultipl|\bconver|\bratio\b")
_BARE_NUMBER = re.compile(r"(?<![\w.,/×*:])(\d*\.\d+)(?!\d|[.,]\d|\s*(?:mg|g|kg|mcg|µg|mL|L|dL|IU|units?|%|weeks?|days?"
                          r"|hours?|h|min|minutes?|months?|years?|x|×)\b|\s*[%×*/:])")


def bare_factors(sc: Scan) -> list[tuple[int, int, float]]:
    """Decimal numbers standing alone (no unit, no amount, no weight) in an answer to a question about a factor:
    "1.37, applied to the weekly equivalent" answers "What is the Hizentra factor?"."""
    taken = [(a.start, a.end) for a in sc.amounts] + [(w.start, w.end) for w in sc.weights] + [
        (s, e) for s, e, _ in sc.factors] + [(s, e) for s, e, _ in sc.percents]
    return [(m.start(1), m.end(1), float(m.group(1))) for m in _BARE_NUMBER.finditer(sc.text)
            if not any(m.start(1) < e and s < m.end(1) for s, e in taken)]


def factor_findings(book: RuleBook, sc: Scan, ctx: Scan | None) -> list[DoseFinding]:
    """Conversion factors stated in a conversion context (x 1.37, 0.4 x (actual - ideal), multiplying by 0.6)."""
    out = []
    asked = bare_factors(sc) if ctx is not None and _ASKS_FACTOR.search(ctx.text) else []
    for start, end, value in sorted(list(sc.factors) + asked):
        s_start, s_end = sc.sentences[sc.sentence_of(start)]
        sentence = sc.text[s_start:s_end]
        if not _CONVERSION_CUE.search(sentence) and (start, end, value) not in asked:
            continue
        wanted = _conversion_of([sentence, sc.text] + ([ctx.text] if ctx else []))
        rules = [n for n in book.norm if n.family == "factor" and _factor_kind(n) == wanted
                 and _brand_allows(n, book, sentence, ctx)]
        num = re.search(r"\d*\.?\d+", sc.text[start:end])
        span = (start + num.start(), start + num.end())
        base = dict(text=sc.text[span[0]:span[1]], start=span[0], end=span[1], value=value, unit="1", per_kg=False,
                    drug=rules[0].rule.drug if rules else None)
        # Factors are compared as written: a rate factor's unit, (mL/kg/h)/(mg/kg/min), is not a dose unit.
        held = [n for n in rules if n.rule.min is not None and n.rule.max is not None
                and n.rule.min - 1e-6 <= value <= n.rule.max + 1e-6]
        if held and held[0].rule.evidence != "weak":
            out.append(DoseFinding(**base, verdict="verified", rule_id=held[0].rule.id, source=source_text(held[0]),
                                   message=f"Conversion factor {fmt(value)} matches rule {held[0].rule.id}."))
        elif rules:
            n = min(rules, key=lambda r: abs((r.rule.min or 0) - value))
            given = ", ".join(fmt(r.rule.min) for r in rules if r.rule.min is not None)
            out.append(DoseFinding(**base, verdict="out_of_range", rule_id=n.rule.id, source=source_text(n),
                                   message=f"Conversion factor {fmt(value)} is not one the rules give ({given})."))
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
                        value=adjusted.kg, unit="kg", per_kg=False, verdict=ratio_verdict(adjusted.kg, expected[0]),
                        rule_id=rules[0].rule.id if rules else None, source=source_text(rules[0]) if rules else None,
                        message=f"Dosing weight {fmt(ideal)} + {'/'.join(map(fmt, sorted(factors)))} x "
                                f"({fmt(actual)} - {fmt(ideal)}) = {fmt(expected[0])} kg, not {fmt(adjusted.kg)} kg.")]
