"""Stated equivalences and conversions, rechecked: mg/kg = g/kg, totals for a weight, mass and volume rates,
IVIG to weekly SCIG, conversion factors and the dosing weight in obesity."""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml

from assistant.doses.arithmetic import mismatch, ratio_verdict
from assistant.doses.matching import Scope, source_text
from assistant.doses.negation import describes_error
from assistant.doses.numbers import fmt
from assistant.doses.parse import Amount, Scan
from assistant.doses.rules import NormRule, RuleBook
from assistant.doses.scope import finding, jurisdiction
from assistant.doses.units import per_kg_dim, volume_rate_to_mass_rate
from assistant.models import PASSING_VERDICTS, DoseFinding

# Words that say a text converts IVIG to SCIG (listing both products side by side is not a conversion).
_SCIG_BRANDS = "|".join(re.escape(b) for b in yaml.safe_load(
    (Path(__file__).parent / "data" / "products.yaml").read_text(encoding="utf-8"))["scig_brands"])
_PRODUCTS = yaml.safe_load((Path(__file__).parent / "data" / "products.yaml").read_text(encoding="utf-8"))
SWITCH_TO_SCIG = re.compile("(?i)" + _PRODUCTS["switch_to_scig"].replace(
    "{SCIG}", r"SCIG|SCIg|subcutaneous\s+(?:IG|immunoglobulin)|" + _SCIG_BRANDS))
_SWITCH_CUE = re.compile(r"(?i)factor|conver|switch|transition|equivalent|\bturns?\s+(?:\w+\s+)?into|\b(?:chang|mov|go|transferr?|start)(?:e|es|ed|ing)?"
                         r"\s+(?:[\w.]+\s+){0,10}?(?:from|to|onto)\s+(?:\w+\s+){0,2}?(?:IVI|SCI|subcut|"
                         + _SCIG_BRANDS + r")|\bfrom\s+IVI|\bbecom(?:e|es|ing)\b|\bcomes?\s+to\b|\bworks?\s+out\b|\bratio\b"
                         r"|(?<![\d.:])1\s*:\s*1(?![\d:])|→|->|=>")
# Words that say a stated factor is a conversion (not a risk ratio or a count).
_CONVERSION_CUE = re.compile(r"(?i)factor|conver|switch|transition|SCIG|subcutaneous|adjusted|ideal|dosing weight|"
                             r"IBW|obes|" + _SCIG_BRANDS + r"|weekly.equivalent")
_EU = re.compile(r"\bEU\b|\bEurop|\bSmPC\b")
_OBESITY_CUE = re.compile(r"(?i)ideal|adjusted|dosing weight|IBW|obes|actual")
_SCIG_FACTOR_INDICATION = "ivig_to_scig"
_EQUIVALENT = re.compile(r"(?i)\bequivalent\b|\bis\s+(?:about\s+)?$|=\s*$|\bequals\s+$|\bwhich\s+is\s+$")
_BEFORE_FACTOR = re.compile(r"(?i)^[^.;]{0,40}\bbefore\b[^.;]{0,30}\bfactor\b")
_OBESITY_INDICATION = "obesity_dosing_weight"


def product_concentration(book: RuleBook | None, sc: Scan | None) -> float | None:
    """The concentration in mg/mL of the one single-strength product the text names (Privigen: 10% = 100 mg/mL)."""
    if book is None or sc is None:
        return None
    strengths = book.vocabulary.product_strengths
    named = {strengths[p] for p in strengths if re.search(rf"(?i)(?<![\w-]){re.escape(p)}(?![\w-])", sc.text)}
    return round(named.pop() * 10, 6) if len(named) == 1 else None


def concentration(sc: Scan, book: RuleBook | None = None, sentence: int | None = None) -> float | None:
    """Product concentration in mg/mL stated in the text (10% = 100 mg/mL), if exactly one is; else that of the one
    single-strength product the text names. With `sentence`, one that sentence states comes first ("For a 10%
    product, ..." beside a sentence about a 5% one)."""
    if sentence is not None:
        start, end = sc.sentences[sentence]
        own = _stated_concentrations(sc, lambda pos: start <= pos < end)
        if len(own) == 1:
            return own.pop()
    values = _stated_concentrations(sc, lambda pos: True)
    if not values:
        return product_concentration(book, sc)
    return values.pop() if len(values) == 1 else None


def _stated_concentrations(sc: Scan, where) -> set[float]:
    """Concentrations (mg/mL) the text states at the positions `where` accepts: a product's percent, or a mg/mL amount."""
    values = {round(p[2] * 10, 6) for p in sc.percents if where(p[0]) and (
              re.search(r"(?i)\b(?:product|solution|preparation|concentration|strength|IVI?G|SCIG|IgG|"
                           r"immun|formulation)", sc.text[max(0, p[0] - 30):p[1] + 30])
              or any(d.start - 3 <= p[0] <= d.end + 3 for d in sc.drugs)  # "Privigen 10%"
              or re.search(r"(?i)\bmL\s+of\s+(?:a\s+|the\s+)?$", sc.text[max(0, p[0] - 12):p[0]]))}  # "360 mL of 10%"
    values |= {round(a.canon[0], 6) for a in sc.amounts
               if a.info and a.unit in ("mg/mL", "g/mL") and not a.is_range and where(a.start)}
    return values


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
    if not steps and allowed:
        # "which the calculator rounds to 30 g", "rounded up to 35 g": a rounded dose, to a step no rule names here;
        # the largest step a rule allows is the most it may move.
        s_start, _ = sc.sentences[a.sentence]
        if _ROUNDED.search(sc.text[max(s_start, a.start - 45):a.start]):
            return allowed
    return max(steps) if steps and max(steps) <= allowed * (1 + 1e-6) else None


def rounding_findings(book: RuleBook, sc: Scan, drugs: set[str]) -> list[DoseFinding]:
    """A rounding step stated for a drug whose rules allow rounding only to a smaller step ("rounding to the nearest
    10 g" where the rule allows 5 g): the step itself is wrong, whatever the dose it rounds. Steps within the rule, and
    steps for a drug with no rounding rule, are left to the dose they round."""
    out = []
    for a in sc.amounts:
        if "rounding" not in a.flags or a.info is None:
            continue
        rules = [n for n in book.norm if n.family == "rounding" and n.rule.drug in drugs and n.dim == a.info.dim
                 and n.hi is not None]
        if not rules:
            continue
        n = max(rules, key=lambda r: r.hi)
        if a.canon[1] <= n.hi * (1 + 1e-6):
            continue
        out.append(finding(sc, a, None, "out_of_range",
                           f"A rounding step of {a.text.strip()} is larger than rule {n.rule.id} allows "
                           f"({fmt(n.rule.max)} {n.rule.unit}).", n).model_copy(update={"drug": n.rule.drug}))
    return out


def _rounded_result(sc: Scan, a: Amount) -> bool:
    """Whether the amount is the rounded dose: after the step it is rounded to, or right after "rounded to"."""
    s_start, _ = sc.sentences[a.sentence]
    return any("rounding" in b.flags and b.sentence == a.sentence and b.end <= a.start for b in sc.amounts) or bool(
        _ROUNDED.search(sc.text[max(s_start, a.start - 45):a.start]))


_ROUND_UP = re.compile(r"(?i)\bround(?:s|ed|ing)?\s+(?:it\s+|this\s+|that\s+|the\s+dose\s+)?up\b")
_ROUND_DOWN = re.compile(r"(?i)\bround(?:s|ed|ing)?\s+(?:it\s+|this\s+|that\s+|the\s+dose\s+)?down\b")


def _misrounded(book: RuleBook, sc: Scan, i: int) -> tuple[Amount, float] | None:
    """(the amount rounded, the step) when the i-th amount is a rounded dose ("28 g; rounding to the nearest 5 g gives
    30 g") that is not the amount before it in its statement rounded to that step: to the nearest multiple, or up or
    down where the text says so. None when it is, or when there is nothing to compare."""
    a = sc.amounts[i]
    if a.is_range or (step := rounding_step(book, sc, a)) is None or not step or not _rounded_result(sc, a):
        return None
    c_start, _ = sc.chain_span(a.sentence)
    before = next((b for b in reversed(sc.amounts[:i]) if b.start >= c_start and b.info and b.info.dim == a.info.dim
                   and "rounding" not in b.flags and not b.is_range and not b.problem), None)
    if before is None:
        return None
    x, words = before.canon[0], sc.text[before.end:a.start]
    if _ROUND_UP.search(words):
        allowed = {math.ceil(x / step - 1e-9) * step}
    elif _ROUND_DOWN.search(words):
        allowed = {math.floor(x / step + 1e-9) * step}
    else:  # the nearest multiple (either, at a tie)
        allowed = {math.floor(x / step + 1e-9) * step, math.ceil(x / step - 1e-9) * step}
        allowed = {v for v in allowed if abs(v - x) <= min(abs(w - x) for w in allowed) + 1e-9}
    if any(abs(a.canon[0] - v) <= 1e-6 * max(1.0, v) for v in allowed):
        return None
    return before, step


_ROUNDED = re.compile(r"(?i)\bround(?:s|ed|ing)?\b(?:\s+(?:it|this|that|the\s+dose))?(?:\s+(?:up|down))?\s+(?:to|at)\s+"
                      r"(?:about\s+)?$")


_THEN = re.compile(r"(?i)\bthen\b|\bfollowed\s+by\b|\bafter\s+that\b|\bincreas\w*\s+to\b|;")


def _doses_in_course(sc: Scan, b: Amount) -> int | None:
    """How many doses the course of a repeated dose holds: its own duration and interval, else those another dose of
    its sentence names ("0.4 g/kg = 32 g per day for 5 days")."""
    for c in [b] + [o for o in sc.amounts if o.sentence == b.sentence and o is not b]:
        t = c.cadence
        if t.interval and t.duration and t.kind != "course" and abs(t.duration[0] - t.duration[1]) < 1e-9:
            return max(1, int(t.duration[1] / t.interval[0] + 1e-6))
    return None


def _restated(sc: Scan, head: Amount, a: Amount) -> tuple[float | None, str]:
    """How a restatement of a dose scales it: a course total is the dose times the doses of its course ("0.5 g/kg per
    day (2 g/kg total)"), the same dose over another period is scaled by the periods ("28 g every 4 weeks, i.e. 7 g a
    week"). None when the course length is not known (nothing to compare)."""
    th, ta = head.cadence, a.cadence
    if ta.kind == "course" and th.kind != "course":
        if n := _doses_in_course(sc, head):
            return float(n), f"x {n} doses"
        if th.interval is None and not th.duration:
            return 1.0, "converted"  # a single dose is its own course
        return None, ""
    if ta.interval and th.interval and ta.interval != th.interval and ta.interval[0] == ta.interval[1] \
            and th.interval[0] == th.interval[1] and ta.kind == th.kind == "dose":
        k = ta.interval[0] / th.interval[0]
        return k, f"over {fmt(ta.interval[0])} instead of {fmt(th.interval[0])} days"
    return 1.0, "converted"


def cross_checks(book: RuleBook, sc: Scan, scopes: dict[int, Scope], skip: set[int],
                 ctx: Scan | None = None, totals: dict[int, int] | None = None) -> dict[int, DoseFinding]:
    """Findings that override an amount's own verdict: equivalences, weight totals and stated conversions. `totals`
    receives, for a total that is its per-kg dose times the patient's weight, the index of that per-kg dose."""
    out: dict[int, DoseFinding] = {}
    amounts = sc.amounts
    for i, a in enumerate(amounts):
        if a.problem or a.info is None or i in skip:
            continue
        scope = scopes.get(i)
        head = amounts[a.head] if a.head is not None else None
        if head is not None and head.info is not None and not head.problem:
            if head.info.dim == a.info.dim:
                scale, how = _restated(sc, head, a)
                if scale is not None and (bad := mismatch(sc, a, scope, head.canon[0] * scale, head.canon[1] * scale,
                                                          f"{head.text.strip()} {how}", rel=0.02)):
                    out[i] = bad
            elif {head.info.dim.replace("volume", "mass"), a.info.dim.replace("volume", "mass")} == {
                    a.info.dim.replace("volume", "mass")} and "/time" not in a.info.dim and (
                    conc := concentration(sc, book, a.sentence) or (concentration(ctx, book) if ctx else None)):
                # "280 mL of 10% IVIG (28 g)": a volume and its mass at the stated concentration (mg/mL = g/L).
                scale = conc / 1000.0 if a.info.dim.startswith("mass") else 1000.0 / conc
                expected = (head.canon[0] * scale, head.canon[1] * scale)
                if bad := mismatch(sc, a, scope, *expected, f"at {fmt(conc)} mg/mL, {head.text.strip()}"):
                    out[i] = bad
            elif {head.info.dim, a.info.dim} == {"mass/bw/time", "volume/bw/time"}:
                conc = concentration(sc, book, a.sentence) or (concentration(ctx, book) if ctx else None)
                if conc is None:
                    out[i] = finding(sc, a, scope, "ambiguous", "A volume rate and a mass rate are given as equal, but "
                                     "no product concentration is stated; they cannot be compared.")
                else:
                    per_ml = volume_rate_to_mass_rate(1.0, conc)  # mg/kg/min for each mL/kg/h
                    scale = per_ml if a.info.dim == "mass/bw/time" else 1 / per_ml
                    expected = (head.canon[0] * scale, head.canon[1] * scale)
                    if bad := mismatch(sc, a, scope, *expected, f"at {fmt(conc)} mg/mL, {head.text.strip()}"):
                        out[i] = bad
        if i not in out and (wrong := _misrounded(book, sc, i)):
            out[i] = finding(sc, a, scope, "out_of_range", f"{a.text.strip()} is not {wrong[0].text.strip()} rounded to "
                                                           f"the {fmt(wrong[1])} g step.")
            continue
        per_kg = per_kg_dim(a.info.dim)
        # The per-kg dose a total is for: its head, else its own companion ("360 mL/h (6 mL/kg/h)"), else the last one
        # before it in its sentence, not across "then" ("30 mL/h (0.5 mL/kg/h) ..., then up to 360 mL/h").
        companion = next((b for b in amounts[i + 1:] if b.head == i and b.info and b.info.dim == per_kg
                          and not b.problem), None)
        pair = head if head is not None and head.info and head.info.dim == per_kg else companion or next(
            (b for b in reversed(amounts[:i]) if b.sentence == a.sentence and b.info and b.info.dim == per_kg
             and not b.problem and same_cadence(a, b) and not _THEN.search(sc.text[b.end:a.start])), None)
        w = scope.weight if scope else None
        if pair is not None and i not in out:
            if w is None:
                if head is pair:
                    out[i] = finding(sc, a, scope, "ambiguous",
                                     f"A total is given for {pair.text.strip()} but no body weight is stated.")
            elif (scale := _restated(sc, pair, a)[0]) is not None and (bad := mismatch(
                    sc, a, scope, pair.canon[0] * w * scale, pair.canon[1] * w * scale,
                    f"{pair.text.strip()} x {fmt(w)} kg" + (f" x {fmt(scale)}" if scale != 1 else ""), rel=0.05,
                    slack=(rounding_step(book, sc, a) or 0.0) / 2)):
                out[i] = bad
            elif (step := rounding_step(book, sc, a)) and _rounded_result(sc, a) and any(
                    abs(v / step - round(v / step)) > 1e-6 for v in a.canon):
                out[i] = finding(sc, a, scope, "out_of_range", f"{a.text.strip()} is not a multiple of the "
                                                               f"{fmt(step)} g it is rounded to.")
            elif totals is not None and _restated(sc, pair, a)[0] == 1.0:
                totals[i] = amounts.index(pair)
        elif head is not None and head.info and per_kg_dim(head.info.dim) == a.info.dim and w and i not in out:
            # "56 g every 4 weeks (0.4 g/kg)": the per-kg companion of a total for this patient's weight.
            if bad := mismatch(sc, a, scope, head.canon[0] / w, head.canon[1] / w,
                               f"{head.text.strip()} / {fmt(w)} kg", rel=0.05):
                out[i] = bad
        elif a.info.dim == "volume/time" and w and i not in out and (conc := concentration(sc, book)) and (
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
    ("scig", re.compile(r"(?i)\bSCI?G|\bSC\b|subcut|" + _SCIG_BRANDS + r"|weekly.equivalent")),
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


def _conversion_of(texts: list[str], book: RuleBook | None = None) -> str:
    """The conversion the nearest text with a cue names: the sentence, then the whole text, then the context; with no
    cue, the one conversion whose factors differ by the labelling the text names ("EU labels ... 1.37")."""
    for text in texts:
        for kind, cue in _FACTOR_KINDS:
            if cue.search(text):
                return kind
    where = next((w for text in texts if (w := jurisdiction(text))), None)
    if book is not None and where:
        kinds = {_factor_kind(n) for n in book.norm if n.family == "factor" and n.rule.jurisdiction == where}
        if len(kinds) == 1 and None not in kinds:
            return kinds.pop()
    return "unit"




def _brand_allows(n: NormRule, book: RuleBook, sentence: str, ctx: Scan | None, clause: str = "", line: str = "",
                  earlier: str = "") -> bool:
    """A product's own factor (Hizentra 1.37, Cuvitru 1.30) holds only where that product is named (or no product and
    no other labelling); a factor of one labelling (EU 1:1) only where no other labelling is named, and where a product
    is named, only with its own labelling named too. The factor's own clause speaks first ("Hizentra 1.37 and Cuvitru
    1.30 under US labels, 1:1 for EU products"), then its sentence, then the question."""
    where = jurisdiction(clause) or jurisdiction(sentence) or jurisdiction(line) or jurisdiction(earlier) or (
        jurisdiction(ctx.text) if ctx else None)
    if where and n.rule.jurisdiction not in ("any", where):
        return False

    def brands(text: str) -> set[str]:
        return {b for b in book.factor_brands if re.search(rf"(?i)\b{re.escape(b)}\b", text)}
    # A clause that names no product is about the product its sentence (or the ';'-joined run, "Do not use the
    # Hizentra factor for Cuvitru; in the US, Cuvitru uses 1.53") names: "For Hizentra, the US factor is 1.30" is
    # Hizentra's factor, not Cuvitru's.
    # Else the product the answer was last about (the nearest earlier sentence naming one), then the question's.
    named = brands(clause) or brands(sentence) or brands(line) or brands(earlier) or (
        brands(ctx.text) if ctx else set())
    if n.rule.brand is None:
        # A factor for every product of a labelling (EU 1:1): beside a named product only when that labelling is named.
        return not named or n.rule.jurisdiction == "any" or where == n.rule.jurisdiction
    if named:
        return n.rule.brand in named
    return where != "eu"


_ASKS_FACTOR = re.compile(r"(?i)\bfactor|\bmultipl|\bconver|\bratio\b")
_BARE_NUMBER = re.compile(r"(?<![\w.,/×*:])(\d*\.\d+)(?!\d|[.,]\d|\s*(?:mg|g|kg|mcg|µg|mL|L|dL|IU|units?|%|weeks?|days?"
                          r"|hours?|h|min|minutes?|months?|years?|x|×)\b|\s*[%×*/:])")


def _names_brand(book: RuleBook, text: str) -> bool:
    """Whether the text names a product brand the rules have rules for."""
    return any(re.search(rf"(?i)\b{re.escape(b)}\b", text) for b in book.factor_brands)


def bare_factors(sc: Scan) -> list[tuple[int, int, float]]:
    """Decimal numbers standing alone (no unit, no amount, no weight) in an answer to a question about a factor:
    "1.37, applied to the weekly equivalent" answers "What is the Hizentra factor?"."""
    taken = [(a.start, a.end) for a in sc.amounts] + [(w.start, w.end) for w in sc.weights] + [
        (s, e) for s, e, _ in sc.factors] + [(s, e) for s, e, _ in sc.percents]
    found = [(m.start(1), m.end(1), float(m.group(1))) for m in _BARE_NUMBER.finditer(sc.text)]
    # "converts 1:1", "a 1:1 ratio": a factor of one, written as a ratio.
    found += [(m.start(), m.end(), 1.0) for m in re.finditer(r"(?<![\d.:])1\s*:\s*1(?![\d:]|\.\d)", sc.text)]
    return sorted(f for f in found if not any(f[0] < e and s < f[1] for s, e in taken))


def _clause(text: str, s_start: int, s_end: int, start: int, end: int) -> str:
    """The clause of a sentence holding a span: cut at commas, semicolons, colons, dashes and 'and'/'or'/'but'."""
    cuts = [s_start] + [s_start + m.end() for m in re.finditer(r"[,;:]|\s[-–—]\s|\b(?:and|or|but|whereas)\b",
                                                               text[s_start:s_end])] + [s_end]
    c_start = max(c for c in cuts if c <= start)
    c_end = min((c for c in cuts if c >= end), default=s_end)
    return text[c_start:c_end]


def _factor_sentence(sc: Scan, pos: int) -> bool:
    """Whether the sentence at pos is about an IVIG-to-SCIG factor: it names the factor or a SCIG product, and either a
    factor, a multiplication or a conversion."""
    k = sc.sentence_of(pos)
    s_start, s_end = sc.sentences[k]
    while k > 0 and sc.text[sc.sentences[k - 1][0]:sc.sentences[k - 1][1]].rstrip().endswith((";", ":")):
        k -= 1  # "Do not use the Hizentra factor for Cuvitru; Cuvitru uses 1.53 instead": one sentence of prose
    sentence = sc.text[sc.sentences[k][0]:s_end]
    return bool(_FACTOR_KINDS[1][1].search(sentence)) and bool(
        re.search(r"(?i)factor|multipl|conver|switch|\bappl(?:y|ies|ied|ying)\b|\bus(?:e|es|ed|ing)\b|ratio|1:1",
                  sentence))


# What a SCIG factor multiplies, written in words: the weekly equivalent, or the IVIG dose as a whole.
_WEEKLY_OPERAND = re.compile(r"(?i)(?<![\d-])weekly|\bper\s+week|\ba\s+week|/\s*w(?:ee)?k\b|÷|\bdivided\s+by|/\s*(?:the\s+)?"
                             r"(?:number\s+of\s+)?(?:weeks|interval)|\bequivalent|\bweeks?\s+between|\binterval")
_WHOLE_OPERAND = re.compile(r"(?i)\bIVIG\b|\bdose\b|\bgrams?\b|\bg\b|\btotal\b|\bmonthly\b|\bprevious\b|\bprior\b|\bwhole\b")


def _applied_to_whole(text: str, s_start: int, s_end: int, start: int, end: int) -> bool:
    """Whether a SCIG factor multiplies, in words, the IVIG dose as a whole rather than its weekly equivalent
    ("weekly dose = IVIG g x 1.37", "1.37 x the monthly IVIG dose"). Numbers multiplied are the arithmetic's to check."""
    before, after = text[s_start:start], text[end:s_end]
    if m := re.search(r"(?i)\bmultipl\w*\s+(.{1,80}?)\s+by\s*$", before):
        operand = m.group(1)
    elif re.search(r"[×x*]\s*$", before):
        operand = re.split(r"[=:;,→]|\bis\b", before[:re.search(r"[×x*]\s*$", before).start()])[-1]
    elif m := re.match(r"\s*[×x*]\s*([^=;,.→]{1,60})", after):
        operand = m.group(1)
    else:
        return False
    if re.search(r"\d", operand.replace("4-weekly", "")) or not operand.strip():
        return False
    return bool(_WHOLE_OPERAND.search(operand)) and not _WEEKLY_OPERAND.search(operand)


def _factor_words_start(words: str) -> int:
    """Where a factor written in words starts in its match ("multiplied by one point three seven": at "one")."""
    m = re.search(r"(?i)(?:\bby|\btimes|\bfactor(?:\s+for\s+[\w-]+)?(?:\s+of|\s+is|\s*=|\s*:)?)\s+(?=[a-z])", words)
    return m.end() if m else 0


def factor_findings(book: RuleBook, sc: Scan, ctx: Scan | None) -> list[DoseFinding]:
    """Conversion factors stated in a conversion context (x 1.37, 0.4 x (actual - ideal), multiplying by 0.6)."""
    out = []
    asked = bare_factors(sc) if ctx is not None and _ASKS_FACTOR.search(ctx.text) else []
    # A number standing alone beside a product's conversion ("rather than 1.30, use 1.37 for Cuvitru") is its factor.
    asked += [b for b in bare_factors(sc) if b not in asked and 0.5 <= b[2] < 2 and _factor_sentence(sc, b[0])]
    for start, end, value in sorted(list(sc.factors) + asked):
        k = sc.sentence_of(start)
        s_start, s_end = sc.sentences[k]
        sentence = sc.text[s_start:s_end]
        # "Under EU labels, do not convert 1:1; apply 1.37": a part after a semicolon goes on with its sentence.
        while k > 0 and sc.text[sc.sentences[k - 1][0]:sc.sentences[k - 1][1]].rstrip().endswith((";", ":")):
            k -= 1
        line = sc.text[sc.sentences[k][0]:s_end]
        if not _CONVERSION_CUE.search(line) and (start, end, value) not in asked:
            continue
        wanted = _conversion_of([sentence, line, sc.text] + ([ctx.text] if ctx else []), book)
        clause = _clause(sc.text, s_start, s_end, start, end)
        earlier = next((t for j in range(k - 1, -1, -1) if _names_brand(book, t := sc.text[
            sc.sentences[j][0]:sc.sentences[j][1]]) or jurisdiction(t)), "")
        rules = [n for n in book.norm if n.family == "factor" and _factor_kind(n) == wanted
                 and _brand_allows(n, book, sentence, ctx, clause, line, earlier)]
        # The factor's own number: the words before it may hold another ("multiply the whole 30 g by 1.37").
        nums = list(re.finditer(r"\d*\.?\d+", sc.text[start:end]))
        num = next((m for m in reversed(nums) if abs(float(m.group(0)) - value) < 1e-9), None)
        # (A factor in words, "by one point three seven": the words after the operation are its number.)
        span = (start + num.start(), start + num.end()) if num else (start + _factor_words_start(sc.text[start:end]), end)
        if any(f.start == span[0] and f.end == span[1] for f in out):
            continue
        base = dict(text=sc.text[span[0]:span[1]], start=span[0], end=span[1], value=value, unit="1", per_kg=False,
                    drug=rules[0].rule.drug if rules else None)
        # Factors are compared as written: a rate factor's unit, (mL/kg/h)/(mg/kg/min), is not a dose unit.
        held = [n for n in rules if n.rule.min is not None and n.rule.max is not None
                and n.rule.min - 1e-6 <= value <= n.rule.max + 1e-6]
        if held and held[0].rule.evidence != "weak" and wanted == "scig" and value != 1 and \
                _applied_to_whole(sc.text, s_start, s_end, span[0], span[1]) and not describes_error(sentence):
            out.append(DoseFinding(**base, verdict="out_of_range", rule_id=held[0].rule.id, source=source_text(held[0]),
                                   message=f"The factor {fmt(value)} is applied to the whole IVIG dose, not to its weekly "
                                           f"equivalent (the dose divided by the weeks between doses)."))
        elif held and held[0].rule.evidence != "weak":
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


def obesity_weight(book: RuleBook, sc: Scan, ctx: Scan | None = None) -> list[DoseFinding]:
    """Ideal, actual and adjusted weights all stated: adjusted = ideal + factor x (actual - ideal). The ideal and
    actual weights may be the question's ("IBW 60 kg, actual 120 kg" asked, "dosing weight 108 kg" answered)."""
    kinds = {w.kind: w for w in ctx.weights if w.kind in ("ideal", "actual")} if ctx is not None else {}
    kinds |= {w.kind: w for w in sc.weights}
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


# A plausible body weight for a dose given in grams with no weight stated (a neonate to a heavy adult).
PLAUSIBLE_KG = (3.0, 200.0)
_WEEKLY = (7.0, 7.0)


def _plausible(book: RuleBook, drug: str | None, a: Amount) -> bool:
    """Whether a total with no body weight stated is some patient's dose: a per-kg rule of the drug with the same
    repeat holds it for a weight between PLAUSIBLE_KG."""
    if a.info is None or a.cadence.interval is None or drug is None:
        return False
    lo, hi = a.canon
    t = a.cadence.interval
    for n in book.for_drug(drug, "dose"):
        if n.dim != per_kg_dim(a.info.dim) or n.lo is None or n.hi is None or n.interval is None:
            continue
        if not (t[0] >= n.interval[0] / 1.1 and t[1] <= n.interval[1] * 1.1):
            continue
        if lo / PLAUSIBLE_KG[1] <= n.hi * 1.001 and hi / PLAUSIBLE_KG[0] >= n.lo * 0.999:
            return True
    return False


def _scig_factors(book: RuleBook, sc: Scan, scope: Scope, extra: list[DoseFinding]) -> set[float]:
    """The factors a conversion may apply: those the text states and the rules verify, else the named product's
    (its jurisdiction's: EU labelling converts 1:1)."""
    stated = {float(f.value) for f in extra if f.unit == "1" and f.verdict == "verified" and f.rule_id and (
        (rule := book.rule(f.rule_id)) is not None and rule.indication == _SCIG_FACTOR_INDICATION)}
    if stated:
        return stated
    if any(f.unit == "1" and f.verdict not in ("verified", "grounded") for f in extra):
        return set()  # a wrong factor is stated: nothing converted with it is right
    where = jurisdiction(sc.text)
    rules = [n for n in book.for_drug(scope.drug, "factor") if n.rule.indication == _SCIG_FACTOR_INDICATION
             and (where is None or n.rule.jurisdiction in ("any", where))]
    if where == "eu":
        rules = [n for n in rules if n.rule.brand in (None, scope.brand)]
    elif scope.brand is not None:
        rules = [n for n in rules if n.rule.brand == scope.brand]
    else:
        return set()
    return {v for n in rules for v in (n.lo, n.hi) if v is not None}


def rule_failure(book: RuleBook, f: DoseFinding) -> bool:
    """Whether a finding fails only because no rule or passage holds the amount as a dose of its own (ungrounded, or out
    of range of a dose rule): not because arithmetic, a stated equivalence or a factor is wrong."""
    if f.verdict == "ungrounded":
        return True
    rule = book.rule(f.rule_id) if f.rule_id else None
    return f.verdict == "out_of_range" and rule is not None and rule.kind == "dose" and "Arithmetic" not in f.message


def _chain_source(sc: Scan, scopes: dict[int, Scope]) -> tuple[int, float, float, float] | None:
    """The input of a conversion: (index, grams low, grams high, weeks between doses). The first IVIG dose repeated
    every two weeks or more (in grams, or per kg for a stated weight); else a weekly equivalent named as such."""
    for k, b in enumerate(sc.amounts):
        scope = scopes.get(k)
        if scope is None or scope.product not in ("ivig", None) or b.info is None or b.problem or b.is_max \
                or b.info.dim not in ("mass", "mass/bw") or not b.cadence.interval or b.cadence.interval[0] < 14:
            continue
        t = b.cadence.interval
        if abs(t[0] - t[1]) > 1e-9:
            return None  # "every 3-4 weeks": no one weekly equivalent
        lo, hi = b.canon
        if b.info.dim == "mass/bw":
            if scope.weight is None:
                return None
            lo, hi = lo * scope.weight, hi * scope.weight
        return k, lo, hi, t[0] / 7
    for k, b in enumerate(sc.amounts):
        s_start, _ = sc.sentences[b.sentence]
        if k in scopes and b.info is not None and b.info.dim == "mass" and not b.problem \
                and b.cadence.interval == _WEEKLY and re.search(r"(?i)equivalent", sc.text[s_start:b.end + 25]):
            return k, *b.canon, 1.0
    return None


def _cadence_words(sc: Scan, b: Amount) -> str:
    """The cadence words written right after an amount ("every 4 weeks"), if its cadence was read from them."""
    words = b.cadence.text or ""
    rest = sc.text[b.end:b.end + len(words) + 3]
    i = rest.find(words) if words else -1
    return rest[:i + len(words)] if i >= 0 and i <= 2 else ""


def conversion_chain(book: RuleBook, sc: Scan, scopes: dict[int, Scope], results: dict[int, DoseFinding],
                     extra: list[DoseFinding]) -> None:
    """IVIG every N weeks converted to weekly SCIG, read as one chain: the IVIG dose the patient is on is its input
    (patient data, not advice: a dose some patient could be on is not withheld for want of a rule or passage that
    states it), the weekly equivalent is input / N, and the weekly SCIG dose is that times the product's factor. A
    weekly amount that the chain gives exactly is verified; one it does not give keeps its own verdict (the
    cross-checks flag wrong ones). A wrong input (implausible, or against the rules for a stated weight) stops the
    chain."""
    # A SCIG factor the rules verify, applied in the text ("Hizentra (US): 32 g every 4 weeks gives 8 g per week, x 1.37
    # = 11 g"), says as much as the words of a switch.
    if not _SWITCH_CUE.search(sc.text) and not any(
            f.unit == "1" and f.verdict == "verified" and f.rule_id and (rule := book.rule(f.rule_id)) is not None
            and rule.indication == _SCIG_FACTOR_INDICATION for f in extra):
        return
    amounts = sc.amounts
    found = _chain_source(sc, scopes)
    if found is None:
        return
    src, s_lo, s_hi, weeks = found
    s, scope = amounts[src], scopes[src]
    # The input and its restatements ("0.5 g/kg every 3 weeks = 30 g q3w"): the same amount at the same repeat.
    same = [src] + [k for k in range(src + 1, len(amounts)) if amounts[k].info is not None and not amounts[k].problem
                    and amounts[k].cadence.interval == s.cadence.interval and (
                        amounts[k].head == src or amounts[k].info.dim == "mass"
                        and mismatch(sc, amounts[k], scope, s_lo, s_hi, "", rel=0.03) is None)]
    for k in same:
        own = results.get(k)
        if own is None or own.verdict in PASSING_VERDICTS:
            continue
        if own.verdict != "ungrounded" or not (own.rule_id or _plausible(book, scope.drug, amounts[k])):
            return  # a wrong input: nothing converted from it is right
    inputs = {k: results[k] for k in same if k in results and results[k].verdict not in PASSING_VERDICTS}
    converted = False
    for i in range(src + 1, len(amounts)):
        a = amounts[i]
        if i in same or i not in results or results[i].verdict in PASSING_VERDICTS or a.problem or a.info is None \
                or a.info.dim != "mass" or a.is_max or not rule_failure(book, results[i]):
            continue
        sa = scopes.get(i) or scope
        if not (a.cadence.interval == _WEEKLY or a.cadence.bare):
            continue
        s_start, _ = sc.sentences[a.sentence]
        before = sc.text[s_start:a.start]
        factors = _scig_factors(book, sc, sa, extra)
        applied = any(s.end <= start < a.start and 0.5 < f < 2 for start, _, f in sc.factors)
        clause = re.split(r"[,;:]|→|->|=>", before)[-1]  # "... → 10.7 g/week equivalent → Hizentra 14.6 g": a new step
        after = sc.text[a.end:a.end + 60]
        # The weekly equivalent (the IVIG dose divided by its weeks, no factor yet) is named as such, or is the result
        # of the division itself ("40 g ÷ 4 = 10 g").
        named_equivalent = bool(re.search(r"(?i)equivalent", clause + " " + after[:25])) or bool(
            re.search(r"(?:÷|/|divided\s+by)\s*\d+(?:\.\d+)?(?:\s*weeks?)?\s*(?:=|≈|is|gives)\s*(?:about\s+)?$", before))
        if not applied and (re.search(r"(?i)\bequivalent\b", clause) or _BEFORE_FACTOR.search(after)):
            allowed = {1.0}  # "a weekly equivalent of 7.5 g before the factor is applied": not yet multiplied
        else:
            # A restatement of the input over a week ("32 g every 4 weeks, i.e. 8 g a week") is its weekly equivalent.
            restates = a.head in same or any(
                amounts[k].sentence == a.sentence and amounts[k].end <= a.start
                and re.fullmatch(r"(?i)[\s,(]*(?:i\.e\.,?|that\s+is,?|which\s+is|or|equivalent\s+to|=|≈|→|->|=>|is|gives|comes\s+to"
                                 r"|works\s+out\s+(?:at|to))\s*(?:about\s+)?",
                                 sc.text[amounts[k].end + len(_cadence_words(sc, amounts[k])):a.start]) for k in same)
            allowed = set(factors) | ({1.0} if (named_equivalent or restates) and not applied else set())
        hit = next((f for f in sorted(allowed) if mismatch(sc, a, sa, s_lo / weeks * f, s_hi / weeks * f, "",
                                                           rel=0.03) is None), None)
        if hit is None:
            continue
        what = "the weekly equivalent" if hit == 1.0 else f"the weekly equivalent x {fmt(hit)}"
        results[i] = results[i].model_copy(update={
            "verdict": "verified", "message": f"{a.text.strip()} is {what} of {s.text.strip()} every "
                                              f"{fmt(weeks)} weeks, converted as the rules for this product give."})
        converted = True
    if converted:
        for k in inputs:
            del results[k]  # the patient's current dose, the input of the conversion: patient data, not advice
