"""Patient arithmetic: totals in grams from a per-kg rule for the frame's indication and population, the dosing
weight in obesity where the corpus's rule says so, and the patient's IVIG regimen converted to SCIG with the
product's factor. Deterministic; every result shows its formula, cites the passage that states the rule, and is
checked by the dose checker like any other statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant import routes
from assistant.answer_aspects import ADDED_DOSE, ASPECTS, CEILING_ASKED, TOTAL_ASKED, DOSE_FOR_LEVEL_ASKED, FLOOR_ASKED, RESPONSE_ASKED, ROUNDING_ASKED
from assistant.doses.numbers import fmt
from assistant.doses.rules import NormRule, RuleBook
from assistant.question import QuestionFrame, only_in_story
from assistant.retrieval import Hit
from assistant.vocabulary import phase_over_phrases, phases_over, same_phase

_PER_KG_UNITS = {"g/kg": 1.0, "mg/kg": 0.001}
# Words of a rule's note that name no circumstance of its own.
_PLAIN_WORDS = frozenset({"dose", "doses", "dosing", "with", "that", "this", "than", "from", "therapy", "treatment", "given"})
_AGE_OF = {"child": "child", "neonate": "neonate", "adult": "adult", "elderly": "adult", "pregnancy": "adult"}


# How a source marks a worked example: its numbers are about someone else, never the patient's.
WORKED_EXAMPLE = re.compile(r"(?i)\b(?:that patient|worked example|for example|e\.g\.|in the example)\b")


def _under_worked_example(hit: Hit) -> bool:
    """Whether a passage sits under a worked example's heading."""
    return bool(WORKED_EXAMPLE.search(" ".join(hit.heading_path)))


@dataclass(frozen=True)
class Calculated:
    """One calculated statement before it is numbered: text, formula, the rule and the passage that states it."""

    text: str
    formula: str
    rule_id: str
    hit: Hit
    # words of the sentence stating a rule that no quantity names ("rounds ... to the nearest multiple of five grams")
    cue: re.Pattern[str] | None = None
    # a further step the formula takes and the passage stating it ("doubles the calculated weekly dose" for every 2 weeks)
    step: tuple[Hit, str] | None = None

    def basis(self) -> str | None:
        """The sentence of the cited passage that states the rule the formula applies (a quantity of the formula with its
        unit, as the passage writes it), so the source's own words stand beside the patient's numbers."""
        from assistant.citations import passage_units
        from assistant.lexical import tokenize

        operands = self.formula.split("=")[0]
        stated = _quantities(operands)
        constants = {float(v) for v in _CONSTANT.findall(operands)}  # the 0.4 of an adjusted weight, a product's factor
        numbers = {float(v) for v in _NUMBER.findall(operands)}

        def states(u: str) -> bool:
            quantities = _quantities(u)
            if {q for q in quantities if "/" not in q[1]} - stated:
                return False  # an amount the formula does not use is about someone else ("7.5 g per week × 1.30")
            # the rule's dose in the sentence; or its constant, beside no other number ("1.37", not "1.37 ... Cuvitru 1.30")
            its_numbers = {float(v) for v in _NUMBER.findall(u)}
            # (or a slope the formula's constant restates: "each 100 mg/kg ... by about 73 mg/dL" for × 0.73)
            slope = any(b and abs(a / b - c) <= 1e-9 * max(1.0, c) for c in constants for a in its_numbers for b in its_numbers)
            return bool(stated & quantities) or bool(constants & its_numbers) and its_numbers <= numbers or slope

        units = [u for u in passage_units(self.hit.text) if (self.cue.search(u) if self.cue is not None else states(u))]
        wanted = set(tokenize(self.text))
        # of those as close to the formula's words, one giving no other dose than the formula's ("Adult: 1 g/kg once", not
        # "Child: 0.8-1 g/kg once")
        return max(units, key=lambda u: (len(wanted & set(tokenize(u))), -len(_quantities(u) - stated), -len(u))) if units else None


# A number with its unit, as formulas and passages write them ("1.2 mL/kg/h", "0.4 g/kg", "2 mg/kg/min").
_QUANTITY = re.compile(r"(?<![\d.])(?:(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*)?(\d+(?:\.\d+)?)\s*((?:mg|g|mL|ml)(?:/kg)?(?:/(?:min|h|day|d))?)(?![A-Za-z/])")


def _quantities(text: str) -> set[tuple[float, str]]:
    """The numbers with a dose unit in a text, both ends of a range ("400-600 mg/kg": 400 and 600 mg/kg)."""
    return {(float(v), unit.lower()) for lo, hi, unit in _QUANTITY.findall(text) for v in (lo, hi) if v}


# A formula's constant: a number no unit follows (the patient's weights and amounts all carry theirs).
_CONSTANT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?!\d|\.\d)(?!\s*(?:[A-Za-z%]|\())")
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?!\d|\.\d)")


def _g(x: float) -> str:
    return fmt(round(x, 1))


def _span(lo: float, hi: float) -> str:
    """A range of results, to one decimal."""
    return _g(lo) if abs(hi - lo) < 1e-9 else f"{_g(lo)}-{_g(hi)}"


def _stated_span(lo: float, hi: float) -> str:
    """A range as a rule states it (0.1-0.15 g/kg: never rounded to one decimal)."""
    return fmt(lo) if abs(hi - lo) < 1e-9 else f"{fmt(lo)}-{fmt(hi)}"


def _stated(hit: Hit, value: str, unit: str) -> bool:
    pattern = rf"(?<![\d.]){re.escape(value)}\s*{re.escape(unit)}(?![a-z])"
    return re.search(pattern, hit.text) is not None


def _source(rule: NormRule, hits: list[Hit], value: str, unit: str, names: tuple[str, ...] = ()) -> Hit | None:
    """The retrieved chunk that states the rule's value (what the calculation cites): one of the rule's own document,
    else one that names the indication (`names`) beside the same value."""
    # A worked example states the rule's value too, for someone else: the passage stating the rule itself comes first.
    own = sorted((h for h in hits if h.doc_id == rule.rule.source.document), key=_under_worked_example)
    found = next((h for h in own if _stated(h, value, unit)), None)
    if found is None and names:
        found = next((h for h in hits if _stated(h, value, unit) and _names(h.text, names)), None)
    return found


def _names(text: str, names: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(n)}(?![a-z0-9])", low) for n in names)


def _age(frame: QuestionFrame) -> str | None:
    for p in frame.population:
        if p in _AGE_OF:
            return _AGE_OF[p]
    if frame.patient.age_years is not None:
        return "child" if frame.patient.age_years < 18 else "adult"
    return None


def _primary_rules(book: RuleBook, frame: QuestionFrame, prefer: list[str] = (), words: tuple[str, ...] = (),
                   route: str | None = None) -> list[NormRule]:
    """Per-kg dose rules for the frame's drug, indication and age band (and `route`, for a switch to it): those the lead
    states first, then the strongest evidence, in file order."""
    age = _age(frame)
    if age is None:
        # An indication whose rules are all for one age band (Kawasaki: children; CIDP: adults) says the band itself.
        bands = {n.rule.population.age for n in book.norm if n.rule.indication == frame.indication} - {"any"}
        age = bands.pop() if len(bands) == 1 else None
    out = []
    for n in book.norm:
        r = n.rule
        if n.family != "dose" or r.unit not in _PER_KG_UNITS or r.evidence == "weak" or r.indication != frame.indication:
            continue
        if frame.drug and r.drug != frame.drug or "example" in (r.population.note or "") or route and r.route != route:
            continue
        # A rule for one age band is for patients known to be in it: a child's range is never offered for an adult, or
        # for a patient whose age the question does not give.
        if r.population.age != "any" and r.population.age != age:
            continue
        out.append(n)
    rank = {rule_id: i for i, rule_id in enumerate(dict.fromkeys(prefer))}
    asked = set(words)

    def named(n: NormRule) -> int:
        # What the question names of a rule: its source ("EU", "Ontario", "AAAAI"), product ("SCIG"), phase
        # ("loading", "maintenance"): the words of the rule's id.
        own = set(n.rule.id.split("-")) | {n.rule.product}
        return -len(asked & own)

    def unasked_circumstance(n: NormRule) -> bool:
        # A rule for a circumstance ("serum IgG markedly reduced at start": one extra dose) answers a question that
        # speaks of it; for any other, the rules without one come first.
        note = n.rule.population.note
        if not note:
            return False
        said = set(re.findall(r"[a-z]{4,}", f"{note} {n.rule.note or ''}".lower())) - _PLAIN_WORDS
        return not said & asked

    out.sort(key=lambda n: (named(n), unasked_circumstance(n), n.rule.evidence != "primary", rank.get(n.rule.id, len(rank)),
                            n.rule.population.age != age))
    plain = [n for n in out if not unasked_circumstance(n)]
    if plain:
        # The extra dose for a circumstance never asked about goes, unless the question names more of that rule ("Ontario
        # dose?") than of any rule without one.
        best = min(named(n) for n in plain)
        out = [n for n in out if not unasked_circumstance(n) or named(n) < best]
    if out and named(out[0]) < 0:  # the question names a phase or source: rules it does not name are not what it asks
        out = [n for n in out if named(n) == named(out[0])]
    return out


def _product(n: NormRule) -> str:
    """The product a rule doses, as clinicians write it (IVIG, SCIG), else the drug."""
    return n.rule.product.upper() if n.rule.product in ("ivig", "scig") else n.rule.drug


def _cadence(n: NormRule) -> str:
    r = n.rule
    parts = []
    if r.per == "day":
        parts.append("a day")
    if r.per == "course":
        parts.append("per course")
    if r.interval is not None:
        once = r.interval.min == r.interval.max == 1
        parts.append(f"every {r.interval.unit}" if once else f"every {_stated_span(r.interval.min, r.interval.max)} {r.interval.unit}s")
    if r.duration is not None:
        shortest = getattr(r, "min_duration", None)
        days = f"{fmt(shortest.value)}-{fmt(r.duration.value)}" if shortest and shortest.value != r.duration.value \
            else fmt(r.duration.value)
        parts.append(f"{'divided over' if r.per == 'course' else 'for'} {days} {r.duration.unit}s")
    return (" " + " ".join(parts)) if parts else ""


def dosing_weight(book: RuleBook, frame: QuestionFrame) -> tuple[float, str, NormRule] | None:
    """The adjusted dosing weight (ideal + factor x (actual - ideal)) when the patient is obese and the ideal weight is known."""
    p = frame.patient
    if not (p.weight_kg and p.ideal_weight_kg and p.weight_kg > p.ideal_weight_kg):
        return None
    # An ideal weight stated beside a heavier actual weight asks for the dosing weight; a BMI under 30 says it is not needed.
    if p.bmi is not None and p.bmi < 30 and "obesity" not in frame.population:
        return None
    factor = next((n for n in book.norm if n.family == "factor" and n.rule.population.weight_basis == "adjusted"
                   and n.lo is not None and n.rule.evidence != "weak"), None)
    if factor is None:
        return None
    f = factor.lo
    w = p.ideal_weight_kg + f * (p.weight_kg - p.ideal_weight_kg)
    formula = f"{_g(p.ideal_weight_kg)} kg + {fmt(f)} × ({_g(p.weight_kg)} kg − {_g(p.ideal_weight_kg)} kg) = {_g(w)} kg"
    return w, formula, factor


def calculations(book: RuleBook, frame: QuestionFrame | None, hits: list[Hit], prefer: list[str] = (),
                 question: str = "", names: tuple[str, ...] = ()) -> list[Calculated]:
    """The calculated statements this frame asks for (none without a weight, an indication or a citable rule);
    the rules whose wording the question uses ("maintenance"), then those the lead states (`prefer`), come first;
    `names` are the indication's words, for a passage of another document that states the rule's dose for it."""
    if frame is None:
        return []
    converted = unit_conversions(book, hits, question, frame.patient.weight_kg) + level_responses(book, frame, hits, question)
    own = [c for c in _patient_calculations(book, frame, hits, prefer, question, names)
           if all(c.formula != k.formula for k in converted)]
    if TOTAL_ASKED.search(question):
        own = own + _with_added(book, frame, hits, own, question)
    return converted + (_rounded(book, frame, hits, own) if ROUNDING_ASKED.search(question) else own)


def _with_added(book: RuleBook, frame: QuestionFrame, hits: list[Hit], calcs: list[Calculated],
                question: str) -> list[Calculated]:
    """Asked a total over a period, the patient's dose and the dose a rule of the indication adds for a circumstance the
    question speaks of ("one additional dose in the first month", "+ the extra early dose ... month 1 total"), summed."""
    asked = set(re.findall(r"[a-z]{4,}", question.lower())) - _PLAIN_WORDS
    out = []
    for c in calcs:
        m = _ONE_DOSE.match(c.formula)
        per = re.match(r"^(\d+(?:\.\d+)?) (g/kg|mg/kg) × (\d+(?:\.\d+)?) kg", c.formula)
        if m is None or per is None:
            continue
        weight = float(per.group(3))
        for n in book.norm:
            r = n.rule
            note = f"{r.population.note or ''} {r.note or ''}"
            if n.family != "dose" or r.indication != frame.indication or r.unit not in _PER_KG_UNITS or r.min is None \
                    or r.min != (r.max if r.max is not None else r.min) or not ADDED_DOSE.search(note) \
                    or r.id == c.rule_id and not (frame.patient.regimen and frame.patient.regimen.interval_weeks):
                # (the added dose's own rule may have worked out the patient's regular dose the question states: "0.4 g/kg
                # q4w + the extra early dose")
                continue
            if not set(re.findall(r"[a-z]{4,}", note.lower())) - _PLAIN_WORDS & asked:
                continue  # a circumstance the question does not speak of
            hit = _source(n, hits, fmt(r.min), r.unit)
            if hit is None:
                continue
            added = r.min * _PER_KG_UNITS[r.unit] * weight
            total = float(m.group(1)) + added
            formula = (f"{per.group(1)} {per.group(2)} × {_g(weight)} kg + {fmt(r.min)} {r.unit} × {_g(weight)} kg "
                       f"= {_g(total)} g")
            why = (r.note or r.population.note or "").strip().rstrip(".")
            out.append(Calculated(f"Calculated total for this patient with the added dose ({why[:1].lower()}{why[1:]}): "
                                  f"{formula}.", formula, r.id, hit))
            break
    return out


_ONE_DOSE = re.compile(r"^[^=]*\bkg = (\d+(?:\.\d+)?) g$")  # a per-kg formula's single amount (not a range)


def _rounded(book: RuleBook, frame: QuestionFrame, hits: list[Hit], calcs: list[Calculated]) -> list[Calculated]:
    """Each calculated single dose followed by the same dose rounded by the corpus's rounding rule ("nearest 5 g"),
    cited to the passage of the rule's document that states the rounding; unchanged without such a rule or passage."""
    rule = next((n for n in book.norm if n.family == "rounding" and n.rule.unit == "g" and n.rule.max
                 and (not frame.drug or n.rule.drug == frame.drug)), None)
    hit = None if rule is None else next((h for h in hits if h.doc_id == rule.rule.source.document
                                          and ROUNDING_ASKED.search(h.text)), None)
    if hit is None:
        return calcs
    out = []
    step = float(rule.rule.max)
    for c in calcs:
        out.append(c)
        if (m := _ONE_DOSE.match(c.formula)) is None:
            continue
        grams = float(m.group(1))
        result = round(grams / step) * step
        if result <= 0 or abs(result - grams) < 1e-9:
            continue
        formula = f"{_g(grams)} g to the nearest {fmt(step)} g = {_g(result)} g"
        out.append(Calculated(f"Calculated dose rounded to the nearest {fmt(step)} g (vial sizes), as the cited source "
                              f"rounds: {formula}.", formula, rule.rule.id, hit, cue=ROUNDING_ASKED))
    return out


_RESPONSE_UNIT = re.compile(r"^\((mg/dL|g/L)\)/\((mg/kg|g/kg)\)$")
_LEVEL_G_PER_L = {"mg/dL": 0.01, "g/L": 1.0}


def response_rules(book: RuleBook, frame: QuestionFrame, question: str) -> list[NormRule]:
    """The rules giving how far a level rises per unit of dose, for this indication, when the question asks how far the
    patient's level will move with a change of dose (or what dose would bring it to a target)."""
    if not (RESPONSE_ASKED.search(question) or DOSE_FOR_LEVEL_ASKED.search(question)):
        return []
    return [n for n in book.norm if n.family == "factor" and _RESPONSE_UNIT.match(n.rule.unit) and n.rule.min
            and n.rule.indication in ("any", frame.indication) and (frame.drug is None or n.rule.drug == frame.drug)]


def _new_per_kg(question: str, old: float | None) -> float | None:
    """The per-kg dose (g/kg) the question proposes: the last it states other than the one the patient is on."""
    # (not the step of a slope the question quotes: "~73 mg/dL per 100 mg/kg")
    said = [float(m.group(1)) * _PER_KG_UNITS[m.group(2).lower()] for m in _GIVEN_PER_KG.finditer(question)
            if not re.search(r"(?i)\b(?:per|each|every|for each)\s*(?:extra\s+|additional\s+)?$", question[:m.start()])]
    return next((v for v in reversed(said) if old is None or abs(v - old) > 1e-9), None)


def _stating_slope(hits: list[Hit], n: NormRule, level_unit: str, dose_unit: str) -> Hit | None:
    """A passage of the rule's document stating the rise per step of dose ("each 100 mg/kg ... by about 73 mg/dL")."""
    for h in hits:
        if h.doc_id != n.rule.source.document:
            continue
        doses = [float(v) for v in re.findall(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*{re.escape(dose_unit)}\b", h.text)]
        levels = [float(v) for v in re.findall(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*{re.escape(level_unit)}\b", h.text, re.I)]
        if any(d and abs(lv / d - n.rule.min) <= 0.005 * n.rule.min for d in doses for lv in levels):
            return h
    return None


def level_responses(book: RuleBook, frame: QuestionFrame, hits: list[Hit], question: str) -> list[Calculated]:
    """How far the patient's level is expected to move from the dose they are on to the dose the question proposes ("on
    400 mg/kg, if we go up to 600 mg/kg how much should the trough climb?"), by a rule's rise per unit of dose, cited to
    the passage stating that slope."""
    regimen = frame.patient.regimen
    weight = frame.patient.weight_kg
    if regimen is None or regimen.unit not in ("g/kg", "g") or regimen.unit == "g" and not weight:
        return []
    old = regimen.value if regimen.unit == "g/kg" else regimen.value / weight
    if DOSE_FOR_LEVEL_ASKED.search(question) and not RESPONSE_ASKED.search(question):
        return _dose_for_level(book, frame, hits, question, old)
    new = _new_per_kg(question, old)
    out = []
    for n in response_rules(book, frame, question) if new is not None else []:
        level_unit, dose_unit = _RESPONSE_UNIT.match(n.rule.unit).groups()
        hit = _stating_slope(hits, n, level_unit, dose_unit)
        if hit is None:
            continue
        per = _PER_KG_UNITS[dose_unit]  # g/kg per dose unit
        a, b = old / per, new / per
        rise = (b - a) * n.rule.min
        formula = f"({fmt(round(b, 3))} {dose_unit} − {fmt(round(a, 3))} {dose_unit}) × {fmt(n.rule.min)} = {_g(rise)} {level_unit}"
        if (level := frame.patient.igg_g_per_l) is not None:
            now = level / _LEVEL_G_PER_L[level_unit]
            formula += f"; {_g(now)} {level_unit} + {_g(rise)} {level_unit} = {_g(now + rise)} {level_unit}"
        other = "g/L" if level_unit == "mg/dL" else "mg/dL"
        in_other = round(rise * _LEVEL_G_PER_L[level_unit] / _LEVEL_G_PER_L[other], 2)
        text = (f"Expected rise in {_level_name(n)} for this patient (an estimate of the rise per unit of dose, not a "
                f"target): {formula} (a rise of {fmt(in_other)} {other})")
        out.append(Calculated(f"{text}.", formula, n.rule.id, hit))
    return out


def _dose_for_level(book: RuleBook, frame: QuestionFrame, hits: list[Hit], question: str, old: float) -> list[Calculated]:
    """The per-kg dose (and the patient's grams) expected to bring the patient's level to the target the question states,
    by a rule's rise per unit of dose: the rise needed divided by the rise per unit, added to the dose the patient is on."""
    level = frame.patient.igg_g_per_l
    if level is None:
        return []
    targets = [_num_level(m) for m in _LEVEL.finditer(question)]
    targets = [t for t in targets if t > level + 1e-9]  # the level to reach, above the patient's own
    if not targets:
        return []
    target = targets[-1]
    out = []
    for n in response_rules(book, frame, question):
        level_unit, dose_unit = _RESPONSE_UNIT.match(n.rule.unit).groups()
        hit = _stating_slope(hits, n, level_unit, dose_unit)
        if hit is None:
            continue
        per = _PER_KG_UNITS[dose_unit]
        now, goal = level / _LEVEL_G_PER_L[level_unit], target / _LEVEL_G_PER_L[level_unit]
        extra = (goal - now) / n.rule.min
        dose = old / per + extra
        formula = (f"({_g(goal)} {level_unit} − {_g(now)} {level_unit}) ÷ {fmt(n.rule.min)} = {_g(extra)} {dose_unit}; "
                   f"{fmt(round(old / per, 3))} {dose_unit} + {_g(extra)} {dose_unit} = {_g(dose)} {dose_unit}")
        grams = ""
        if frame.patient.weight_kg:
            per_kg = round(dose * per, 2)  # as a dose is prescribed, to the hundredth of a g/kg
            formula += f"; {fmt(per_kg)} g/kg × {_g(frame.patient.weight_kg)} kg = {_g(per_kg * frame.patient.weight_kg)} g"
            grams = " per dose"
        text = (f"Estimated dose to bring {_level_name(n)} to {fmt(target)} g/L for this patient (an estimate from the rise "
                f"per unit of dose, to be checked by the next trough): {formula}{grams}")
        out.append(Calculated(f"{text}.", formula, n.rule.id, hit))
    return out


def _num_level(m: re.Match) -> float:
    """A level as the question writes it, in g/L."""
    value = float(m.group(1).replace(",", "."))
    return value / 100 if m.group(2).lower() == "mg/dl" else value


def _level_name(n: NormRule) -> str:
    """What level a response rule moves, in its note's words ("trough IgG"), else "the level"."""
    m = re.search(r"(?i)\bof\s+((?:trough\s+)?[A-Za-z]+(?:\s+IgG)?)\s+per\b", n.rule.note or "")
    return m.group(1) if m else "the level"


def _asked_words(question: str) -> tuple[tuple[str, ...], set[str]]:
    """The question's words without a phase it says is over, and the words of that phase ("maintenance dose after
    loading": asked 'maintenance', over 'loading')."""
    low = question.lower()
    # (the phase is named by its treatment-phase word: "after loading dose" is over 'loading', not every rule's 'dose')
    return tuple(re.findall(r"[a-z]{2,}", phase_over_phrases().sub(" ", low))), phases_over(low)


def _names_phase(n: NormRule, over: set[str]) -> bool:
    """Whether a rule's id names a phase said to be over ('load' or 'loading' for a cidp-...-loading rule)."""
    return any(x == w or len(w) >= 4 and same_phase(x, w) for x in n.rule.id.split("-") for w in over)


def _patient_calculations(book: RuleBook, frame: QuestionFrame, hits: list[Hit], prefer, question: str,
                          names: tuple[str, ...]) -> list[Calculated]:
    words, over = _asked_words(question)
    # The brand the conversation is about ("on the privigen regimen", turns ago) names its label's rule as the question's
    # words do (a word of a rule's id that is no route product: 'privigen', not 'ivig').
    brand = {w for w in re.findall(r"[a-z]{3,}", (frame.product or "").lower())} - {n.rule.product for n in book.norm}
    words = (*words, *sorted(w for w in brand if w not in words and any(w in n.rule.id.split("-") for n in book.norm)))
    if frame.patient.concentration_percent and (pump := _pump_rate(book, frame, hits, prefer, words, names)):
        return pump
    # (a dose asked "for the first infusion" asks a dose, not how fast to run it)
    # (nor is a rate asked when only a sentence telling the story names the infusion: "headache + chills mid-infusion. do
    # we stop the course?")
    if "administration" in frame.aspects and frame.patient.weight_kg and ("dose" not in frame.aspects or _RATE_ASKED.search(question)) \
            and not only_in_story(question, ASPECTS["administration"][0], _RATE_ASKED):
        rates = _rates(book, frame, hits, words)
        if rates:
            return rates
    if not (set(frame.aspects) & {"dose", "switch"} or not frame.aspects):
        return []
    conversion = _conversion(book, frame, hits, words) if frame.patient.regimen is not None else []
    if conversion:
        return conversion
    weight = frame.patient.weight_kg or frame.patient.adjusted_weight_kg
    # A switch asked without a regimen to convert ("if she goes subcut, weekly range?") asks the new route's dose.
    switching = "switch" in frame.aspects
    if not weight or not frame.indication or switching and "dose" not in frame.aspects:
        return []
    weight, basis, out = _dosing_weight(book, frame, _factor_passage(hits))
    if weight is None:
        return []
    # A switch asks the new route's rules, whatever the words of the old route ("ontario ivig" before "sc instead?").
    rules = _rules_for_frame(book, frame, hits, prefer, words, names, route="sc" if switching else None)
    rules = [n for n in rules if not _names_phase(n, over)] or rules  # not the phase said to be over
    if (weeks := _asked_weeks(question)) is not None:  # "Ontario q4w range?": a weekly rule is not what is asked
        rules = [n for n in rules if _every(n, weeks)]
    for n, value, read in _given_dose(book, frame, words, question):
        if _names_phase(n, over):
            continue  # "done with the loading course (2 g/kg over 5 days)": the dose of the phase over, not one to give
        # The question states the per-kg dose to give ("Ontario 0.4 g/kg q4w - how many grams?"): that dose, held
        # against the indication's rule it lies within, for this patient.
        lo, hi = n.rule.min, n.rule.max if n.rule.max is not None else n.rule.min
        if (hit := _source(n, hits, _stated_span(lo, hi), n.rule.unit, names)) is not None:
            found = _dose_for(n, value, value, weight, basis, hit, frame.patient.course_days)
            return [*out, replace(found, text=f"{found.text[:-1]} ({read}).") if read else found]
    for n in rules[:2]:
        lo, hi = n.rule.min, n.rule.max if n.rule.max is not None else n.rule.min
        if lo is None:
            continue
        hit = _source(n, hits, _stated_span(lo, hi), n.rule.unit, names)
        if hit is None:
            continue
        if lo != hi and (floor := _source(n, hits, f"at least {fmt(lo)}", n.rule.unit)) is not None:
            # "followed by at least 0.2 g/kg": the floor first, alone when the question asks the minimum
            out.append(_floor_for(n, lo, hi, weight, basis, floor, alone=bool(FLOOR_ASKED.search(question))))
            continue
        out.append(_dose_for(n, lo, hi, weight, basis, hit, frame.patient.course_days))
    return out


_RATE_ASKED = re.compile(r"(?i)\brates?\b|\bml/(?:kg/)?h|mg/kg/min|how fast|\bspeed\b|\bpump\b")
_ASKED_EVERY = re.compile(r"(?i)\b(?:every|q)\s*(\d+)\s*(?:weeks?|wks?|w)\b|\b(monthly)\b|\b(weekly)\b")


def _asked_weeks(question: str) -> float | None:
    """The interval in weeks a question asks a dose for ("Ontario q4w range?"), when it states one."""
    m = _ASKED_EVERY.search(question)
    return None if m is None else float(m.group(1)) if m.group(1) else 4.0 if m.group(2) else 1.0


def _every(n: NormRule, weeks: float) -> bool:
    """Whether a rule is given at an interval of `weeks` (a rule with no interval in weeks is given at none)."""
    i = n.rule.interval
    if i is None and n.rule.per == "week":
        return weeks == 1.0
    if i is None or i.unit not in ("week", "month"):
        return False
    per = 1.0 if i.unit == "week" else 4.0
    return (i.min or 0) * per <= weeks <= (i.max or i.min or 0) * per


_GIVEN_PER_KG = re.compile(r"(?i)(?<![\d.\-–])(\d+(?:\.\d+)?)\s*(g/kg|mg/kg)\b(?!\s*(?:-|–|to)\s*\d)")


def _given_dose(book: RuleBook, frame: QuestionFrame, words: tuple[str, ...], question: str) -> list[tuple[NormRule, float, str]]:
    """The per-kg dose the question itself states ("Ontario 0.4 g/kg q4w", "dosing at 0.4 g/kg"), with the indication's
    rule it lies within (the interval the question states, when it states one, among the rule's); none when no rule of
    the indication allows it."""
    if "switch" in frame.aspects or not frame.indication:
        return []
    if CEILING_ASKED.search(question):
        return []  # "how high can we go?": the range's top, not the dose the patient is on
    r = frame.patient.regimen
    on = r.value * _PER_KG_UNITS[r.unit] if r is not None and r.unit in _PER_KG_UNITS else None
    m = _GIVEN_PER_KG.search(question)
    if (proposed := _new_per_kg(question, on)) is not None and on is not None:
        value, weeks = proposed, r.interval_weeks  # "if we go to 0.5 g/kg - grams?": the dose proposed, not the one she is on
    elif on is not None:
        value, weeks = on, r.interval_weeks
    elif m is not None and not _of_phase_over(question, m.start()):
        value, weeks = float(m.group(1)) * _PER_KG_UNITS[m.group(2).lower()], None
    else:
        return []
    found = _fitting(book, frame, words, value, weeks)
    if not found and r is None and m is not None:
        # A unit no rule allows, beside the unit the question says it means ("'IVIG 400 g/kg' - surely mg/kg?"): that one.
        said = {u for u in _PER_KG_UNITS if re.search(rf"(?i)(?<![a-z]){re.escape(u)}\b", question)} - {m.group(2).lower()}
        for unit in said:
            found = _fitting(book, frame, words, float(m.group(1)) * _PER_KG_UNITS[unit], None)
            if found:
                return [(n, v, f"the unit {m.group(2)} read as {unit}, as the question says") for n, v, _ in found]
    return found


def _of_phase_over(question: str, at: int) -> bool:
    """Whether a dose stated at `at` belongs to a phase the question says is over ("got the EU loading dose (0.8 g/kg)
    4 wks ago", "done with the loading course (2 g/kg over 5 days)"): it follows such a phrase in the same clause."""
    for p in phase_over_phrases().finditer(question):
        if phases_over(p.group(0)) and p.end() <= at and at - p.end() <= 40 and not re.search(r"[.;?!]", question[p.end():at]):
            return True
    return False


def _fitting(book: RuleBook, frame: QuestionFrame, words: tuple[str, ...], value: float,
             weeks: float | None) -> list[tuple[NormRule, float, str]]:
    """The indication's per-kg rules a dose of `value` g/kg (every `weeks`) lies within, the best first."""
    age = _age(frame)
    candidates = [*_primary_rules(book, frame, words=words),
                  *(m for m in book.norm if m.family == "dose" and m.rule.indication == frame.indication
                    and m.rule.unit in _PER_KG_UNITS and m.rule.evidence != "weak"
                    and (frame.drug is None or m.rule.drug == frame.drug) and m.rule.population.age in ("any", age or "adult"))]
    fitting = []
    for n in dict.fromkeys(candidates):
        lo, hi = n.rule.min, n.rule.max if n.rule.max is not None else n.rule.min
        if lo is None or not lo * _PER_KG_UNITS[n.rule.unit] <= value <= hi * _PER_KG_UNITS[n.rule.unit]:
            continue
        interval = n.rule.interval
        if weeks and interval is not None and interval.unit == "week" and \
                not (interval.min or 0) <= weeks <= (interval.max or interval.min or 0):
            continue
        fitting.append(n)
    asked = set(words)
    # The rule whose source the question names ("Ontario") first; on an adjusted dosing weight, a rule stated on that
    # weight; then one for no special circumstance, then the strongest.
    adjusted = dosing_weight(book, frame) is not None
    fitting.sort(key=lambda n: (-len(asked & (set(n.rule.id.split("-")) | {n.rule.product})),
                                adjusted and n.rule.population.weight_basis != "adjusted", bool(n.rule.population.note),
                                n.rule.evidence != "primary"))
    return [(n, value / _PER_KG_UNITS[n.rule.unit], "") for n in fitting]


def _rules_for_frame(book: RuleBook, frame: QuestionFrame, hits: list[Hit], prefer, words: tuple[str, ...],
                     names: tuple[str, ...], route: str | None = None) -> list[NormRule]:
    """The per-kg rules for this patient: those of a further condition the question names beside its indication (CVID
    with bronchiectasis: the higher dose for suppurative lung disease) first, when their own document is about the
    indication asked (`names`, its words), then the indication's own."""
    specific: list[NormRule] = []
    if not frame.comparison and names:
        about = {h.doc_id for h in hits if _names(str(h.meta.get("title", "")), names)}
        for other in frame.other_indications:
            specific += [n for n in _primary_rules(book, frame.model_copy(update={"indication": other}), prefer, words, route)
                         if n.rule.source.document in about]
    return specific + _primary_rules(book, frame, prefer, words, route)


def _dose_for(n: NormRule, lo: float, hi: float, weight: float, basis: str, hit: Hit, days_asked: float | None) -> Calculated:
    """The patient's grams from a per-kg rule's range: per dose, per course for a daily regimen, per day over the days asked."""
    grams = _PER_KG_UNITS[n.rule.unit]
    formula = f"{_stated_span(lo, hi)} {n.rule.unit} × {_g(weight)} kg = {_span(lo * grams * weight, hi * grams * weight)} g"
    course = ""
    if n.rule.per == "day" and n.rule.duration is not None and n.rule.duration.unit == "day":
        days = n.rule.duration.value
        course = f"; {_span(lo * grams * weight * days, hi * grams * weight * days)} g per course"
    split = _split(n, lo * grams * weight, hi * grams * weight, days_asked)
    text = f"Calculated {_product(n)} dose for this patient ({_g(weight)} kg {basis}): {formula}{_cadence(n)}{course}{split}."
    return Calculated(text, formula, n.rule.id, hit)


def _floor_for(n: NormRule, lo: float, hi: float, weight: float, basis: str, hit: Hit, *, alone: bool = False) -> Calculated:
    """The patient's grams from a rule whose passage states its lower bound as a floor ("at least 0.2 g/kg"): the floor,
    then the rule's usual range (the floor alone when the question asks the minimum)."""
    grams = _PER_KG_UNITS[n.rule.unit]
    formula = f"{fmt(lo)} {n.rule.unit} × {_g(weight)} kg = {_g(lo * grams * weight)} g"
    usual = "" if alone else (f"; the usual range of {_stated_span(lo, hi)} {n.rule.unit} is "
                              f"{_span(lo * grams * weight, hi * grams * weight)} g")
    text = (f"Calculated minimum {_product(n)} dose for this patient ({_g(weight)} kg {basis}): at least {formula}"
            f"{_cadence(n)}{usual}.")
    return Calculated(text, formula, n.rule.id, hit)


def _factor_passage(hits: list[Hit]):
    """How to pick the passage to cite for a weight factor's rule: one stating the factor, else one of its document."""
    return lambda factor: _source(factor, hits, fmt(factor.lo), "×") or next(
        (h for h in hits if h.doc_id == factor.rule.source.document), None)


def _dosing_weight(book: RuleBook, frame: QuestionFrame, pick) -> tuple[float | None, str, list[Calculated]]:
    """The weight doses are worked out on, what it is, and the statement working out an adjusted weight (`pick`: the
    passage to cite for the factor's rule)."""
    adjusted = dosing_weight(book, frame)
    if adjusted is not None:
        w, formula, factor = adjusted
        hit = pick(factor)
        if hit is None:
            return None, "", []  # the dosing weight applies but nothing cites it: no dose on the actual weight instead
        return w, "adjusted body weight", [Calculated(
            f"Calculated {factor.rule.drug} dosing weight for this patient (adjusted body weight): {formula}.",
            formula, factor.rule.id, hit)]
    if frame.patient.adjusted_weight_kg and not frame.patient.weight_kg:
        return frame.patient.adjusted_weight_kg, "dosing weight as given", []
    return frame.patient.weight_kg, "actual body weight", []


def _split(n: NormRule, lo: float, hi: float, days: float | None) -> str:
    """A course total divided over the days the question says, when its rule allows that many ("loading over 4 days")."""
    r = n.rule
    if r.per != "course" or not days or r.duration is None or r.duration.unit != "day":
        return ""
    shortest = r.min_duration.value if getattr(r, "min_duration", None) is not None else r.duration.value
    if not (shortest <= days <= r.duration.value and float(days).is_integer()):
        return ""
    return f"; over {fmt(days)} days, {_span(lo / days, hi / days)} g a day"


def _pump_rate(book: RuleBook, frame: QuestionFrame, hits: list[Hit], prefer, words, names) -> list[Calculated]:
    """The volume of a single infusion at the product's strength the question names ("10% product"), and its pump rate
    in mL/h over the hours asked ("over 12 h"): the patient's dose from the indication's rule first."""
    p = frame.patient
    if not (p.weight_kg and p.concentration_percent and frame.indication):
        return []
    for n in _primary_rules(book, frame, prefer, words):
        lo, hi = n.rule.min, n.rule.max if n.rule.max is not None else n.rule.min
        if lo is None or abs(hi - lo) > 1e-9 or n.rule.per not in ("dose", "course") or n.rule.duration is not None:
            continue  # one infusion of one amount
        hit = _source(n, hits, fmt(lo), n.rule.unit, names)
        if hit is None:
            continue
        grams = lo * _PER_KG_UNITS[n.rule.unit] * p.weight_kg
        ml = grams * 100 / p.concentration_percent
        formula = (f"{fmt(lo)} {n.rule.unit} × {_g(p.weight_kg)} kg = {_g(grams)} g; {_g(grams)} g at {fmt(p.concentration_percent)}% "
                   f"= {_g(ml)} mL")
        if not p.infusion_hours:  # the volume alone ("how many mL is that with a 10% product?")
            return [Calculated(f"Calculated {_product(n)} volume for this patient ({_g(p.weight_kg)} kg, "
                               f"{fmt(p.concentration_percent)}% product): {formula}.", formula, n.rule.id, hit)]
        rate = ml / p.infusion_hours
        formula += f"; {_g(ml)} mL ÷ {fmt(p.infusion_hours)} h = {_g(rate)} mL/h"
        return [Calculated(f"Calculated pump rate for this patient ({_g(p.weight_kg)} kg, {fmt(p.concentration_percent)}% product "
                           f"over {fmt(p.infusion_hours)} hours): {formula}.", formula, n.rule.id, hit)]
    return []


def stated_doses(book: RuleBook, frame: QuestionFrame, stated: list[tuple[float, float, str, str, Hit]]) -> list[Calculated]:
    """Grams for the patient from the per-kg doses the answer's own lead states and the checker verified for this frame
    (`stated`: low, high, unit, rule id, the passage cited): the same arithmetic as from the rules, for a lead whose
    indication the question did not name ("and the Ontario maintenance for him?")."""
    if not frame.patient.weight_kg or not stated:
        return []
    weight, basis, out = _dosing_weight(book, frame, lambda factor: next(
        (h for *_, h in stated if h.doc_id == factor.rule.source.document), stated[0][4]))
    worked_weight = len(out)
    rules = {n.rule.id: n for n in book.norm}
    seen: set[tuple[float, float, str]] = set()
    for lo, hi, unit, rule_id, hit in stated:
        n = rules.get(rule_id)
        if n is None or unit not in _PER_KG_UNITS or n.rule.unit != unit or (lo, hi, unit) in seen:
            continue
        seen.add((lo, hi, unit))
        out.append(_dose_for(n, lo, hi, weight, basis, hit, frame.patient.course_days))
    return out if len(out) > worked_weight else []


def worked_weight(book: RuleBook, frame: QuestionFrame, hits: list[Hit]) -> list[Calculated]:
    """The patient's adjusted dosing weight alone, worked out and cited, when no dose of theirs can be ("Ontario dosing
    weight for IVIG?" naming no condition)."""
    _, _, out = _dosing_weight(book, frame, _factor_passage(hits))
    return out


# An IgG level the question states ("trough 520 mg/dL"), and a rate with a product's concentration ("4 mg/kg/min ... 10%").
_LEVEL = re.compile(r"(?i)(?<![\d.])(\d+(?:[.,]\d+)?)\s*(g/l|mg/dl)\b")
_UNITS_ASKED = (re.compile(r"(?i)\bg/l\b"), re.compile(r"(?i)\bmg/dl\b"))  # a level in one unit, asked in the other
_RATE_MG = re.compile(r"(?i)(?<![\d.])(\d+(?:\.\d+)?)\s*mg/kg/min\b")
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*%")
_RATE_ASKED = re.compile(r"(?i)\bml/(?:kg/)?hr?\b|\bml\s+(?:per|an|a)\s+hour\b|\bpump rate\b")
_PER_KG_ASKED = re.compile(r"(?i)\bml/kg/hr?\b")


def _asked(question: str) -> tuple[re.Match | None, tuple[re.Match, re.Match] | None]:
    """What the question asks to restate in another unit: an IgG level given in one unit and asked in the other, and a
    rate in mg/kg/min with a product's concentration asked in mL/kg/h."""
    level = _LEVEL.search(question)
    rate, percent = _RATE_MG.search(question), _PERCENT.search(question)
    return (level if level and all(u.search(question) for u in _UNITS_ASKED) else None,
            (rate, percent) if rate and percent and _RATE_ASKED.search(question) else None)


def converts(question: str) -> bool:
    """Whether the question gives a number of its own to restate in another unit (an IgG level, a rate)."""
    return any(_asked(question))


def unit_conversions(book: RuleBook, hits: list[Hit], question: str, weight_kg: float | None = None) -> list[Calculated]:
    """The question's own numbers in the other unit it asks about: an IgG level between mg/dL and g/L (× 100), a rate
    from mg/kg/min to mL/kg/h for the product's concentration (× 60 ÷ mg/mL), each cited to the passage stating the rule."""
    out: list[Calculated] = []
    level, rated = _asked(question)
    if level:  # "520 mg/dL, what is that in g/L?"
        rule = next((n for n in book.norm if n.family == "factor" and n.rule.unit == "1" and n.lo == 100
                     and n.rule.source.document and "mg/dl" in (n.rule.note or "").lower()), None)
        hit = next((h for h in hits if rule and h.doc_id == rule.rule.source.document and "mg/dL" in h.text), None) if rule else None
        if rule is not None and hit is not None:
            value, unit = float(level.group(1).replace(",", ".")), level.group(2).lower()
            formula = (f"{fmt(value)} mg/dL = {_g(value / 100)} g/L" if unit == "mg/dl"
                       else f"{fmt(value)} g/L = {_g(value * 100)} mg/dL")
            out.append(Calculated(f"The patient's IgG in the other unit: {formula}.", formula, rule.rule.id, hit))
    if rated:
        rate, percent = rated
        rule = next((n for n in book.norm if n.family == "factor" and n.rule.unit == "(mL/kg/h)/(mg/kg/min)"), None)
        hit = next((h for h in hits if rule and h.doc_id == rule.rule.source.document and "mg/kg/min" in h.text
                    and "mL/kg/h" in h.text), None) if rule else None
        if rule is not None and hit is not None:
            mg_kg_min, concentration = float(rate.group(1)), float(percent.group(1)) * 10  # a 10% solution holds 100 mg/mL
            per_kg = mg_kg_min * 60 / concentration
            formula = f"{fmt(mg_kg_min)} mg/kg/min × 60 ÷ {fmt(concentration)} mg/mL = {_g(per_kg)} mL/kg/h"
            if weight_kg and not _PER_KG_ASKED.search(question):  # asked for the pump's mL/h: for this patient's weight
                formula += f"; {_g(per_kg)} mL/kg/h × {_g(weight_kg)} kg = {_g(per_kg * weight_kg)} mL/h"
            out.append(Calculated(f"The rate for a {fmt(float(percent.group(1)))}% product: {formula}.", formula, rule.rule.id, hit))
    return out


# Words asking for the first rate of an infusion, and for its ceiling.
_START_WORDS = frozenset({"start", "starting", "initial", "initially", "first", "begin"})
_MAX_WORDS = frozenset({"max", "maximum", "ceiling", "cap", "capped", "fastest", "highest", "limit", "most", "increase", "titrate"})


def _rates(book: RuleBook, frame: QuestionFrame, hits: list[Hit], words: tuple[str, ...]) -> list[Calculated]:
    """Infusion rates in mL/h for the patient's weight from the mL/kg/h rules of the indication (or of the risk named):
    the starting rate, the ceiling, or both, each cited to the passage stating the per-kg rate."""
    weight = frame.patient.weight_kg
    asked = set(words)
    products = {w.lower() for p in frame.products for w in re.findall(r"[A-Za-z]+", p)}
    wanted = {frame.context} if frame.context else set()
    wanted |= {frame.indication} if frame.indication else set()
    rules = [n for n in book.norm if n.family == "rate" and n.rule.unit == "mL/kg/h" and n.rule.indication in wanted
             and (not n.rule.brand or n.rule.brand in products or not products)]
    # A product named ("Privigen 10%") is run at its own label's rates: the rules whose source is that product's label.
    own = [n for n in book.norm if n.family == "rate" and n.rule.unit == "mL/kg/h" and products
           and (not wanted or n.rule.indication in wanted)
           and products & set(re.findall(r"[a-z]+", f"{n.rule.id} {n.rule.source.reference or ''}".lower()))]
    if own:
        rules = own
    if not rules:  # rates the sources give for every indication
        rules = [n for n in book.norm if n.family == "rate" and n.rule.unit == "mL/kg/h" and n.rule.indication == "any"]
    # A risk's own ceiling comes first, whatever the product's label allows ("Privigen, hx of DVT: the cap?").
    risk = [n for n in book.norm if n.family == "rate" and n.rule.unit == "mL/kg/h" and frame.context
            and n.rule.indication == frame.context]
    if risk:
        rules = risk
    general = [n for n in book.norm if n.family == "rate" and n.rule.unit == "mL/kg/h" and n.rule.indication == "any"]
    # The labelling the question names ("EU-licensed IVIG") decides among rules of several labellings.
    labelling = {j for j, said in _JURISDICTIONS.items() if said & asked}

    def of_labelling(found: list[NormRule], stage) -> list[NormRule]:
        """The rules of the labelling named: the indication's, else those for every indication (the EU label's
        starting rate for a PID patient on an EU-licensed product, not the US label's)."""
        if not labelling:
            return found
        return [n for n in [*found, *(g for g in general if stage(g))] if n.rule.jurisdiction in labelling] or found

    def starting(n: NormRule) -> bool:
        return n.rule.stage == "start"

    def capping(n: NormRule) -> bool:
        return n.rule.stage != "start" and n.rule.max is not None

    # A stage the indication's rules do not state (a starting rate) is the one the sources give for every indication.
    start = of_labelling([n for n in rules if starting(n)] or [n for n in general if starting(n) and asked & _START_WORDS],
                         starting)
    ceiling = of_labelling([n for n in rules if capping(n)], capping)
    picked = start[:1] if asked & _START_WORDS and not asked & _MAX_WORDS else \
        ceiling[:1] if asked & _MAX_WORDS and not asked & _START_WORDS else start[:1] + ceiling[:1]
    out = []
    for n in picked:
        per_kg = n.rule.min if n.rule.stage == "start" else n.rule.max
        if per_kg is None:
            continue
        hit = _source(n, hits, fmt(per_kg), "mL/kg/h")
        if hit is None:
            continue
        formula = f"{fmt(per_kg)} mL/kg/h × {_g(weight)} kg = {_g(per_kg * weight)} mL/h"
        what = "starting infusion rate" if n.rule.stage == "start" else "maximum infusion rate"
        brand = f"{n.rule.brand.capitalize()} " if n.rule.brand else ""
        # A starting rate the rule holds for a stated time ("for the first 30 minutes") says how long, as the source does.
        held = n.rule.duration if n.rule.stage == "start" else None
        lasting = f" for the first {fmt(held.value)} {held.unit}{'s' if held.value != 1 else ''}" if held else ""
        out.append(Calculated(f"Calculated {brand}{what} for this patient ({_g(weight)} kg): {formula}{lasting}.", formula,
                              n.rule.id, hit))
    return out


# The words that name a jurisdiction's labelling in a question.
_JURISDICTIONS = {"eu": frozenset({"eu", "european", "europe", "smpc", "ema"}), "us": frozenset({"us", "usa", "fda", "uspi"})}


def _conversion(book: RuleBook, frame: QuestionFrame, hits: list[Hit], words: tuple[str, ...] = ()) -> list[Calculated]:
    """Weekly SCIG grams from the patient's IVIG grams (or g/kg and weight) and interval, with the factor of the product
    named, or of the labelling named ("EU": 1:1)."""
    r = frame.patient.regimen
    if r is None or r.unit not in ("g", "g/kg") or not r.interval_weeks:
        return []
    grams, given = r.value, ""
    if r.unit == "g/kg":
        if not frame.patient.weight_kg:
            return []
        grams = r.value * frame.patient.weight_kg
        given = f" ({_g(grams)} g every {fmt(r.interval_weeks)} weeks at {_g(frame.patient.weight_kg)} kg)"
    names = {w.lower() for w in re.findall(r"[A-Za-z]+", " ".join(filter(None, [*frame.products, r.product])))}
    factors = [n for n in book.norm if n.family == "factor" and n.rule.indication != "obesity_dosing_weight"
               and n.rule.product == "scig" and n.lo is not None]
    named = [n for n in factors if n.rule.brand and n.rule.brand in names]
    asked = set(words) | names
    labelled = [n for n in factors if not n.rule.brand and _JURISDICTIONS.get(n.rule.jurisdiction, frozenset()) & asked]
    if labelled:
        # The labelling asked for ("Hizentra per EU SmPC") decides: a product's factor from another labelling gives way.
        named = [n for n in named if n.rule.jurisdiction in {m.rule.jurisdiction for m in labelled}]
    chosen = named or labelled
    # (a labelling named without a product or a switch asks no conversion: "the EU 6 g/L target" is a level)
    switch_words = set(routes.current().switch_words())
    if not chosen or not any(n.rule.brand and n.rule.brand in names for n in factors) and "switch" not in frame.aspects \
            and not switch_words & (asked | {p.lower() for p in frame.products}):
        return []
    n = chosen[0]
    f = n.lo
    weekly = grams / r.interval_weeks * f
    formula = f"{_g(grams)} g ÷ {fmt(r.interval_weeks)} weeks × {fmt(f)} = {_g(weekly)} g"
    every = frame.patient.target_interval_weeks
    if every and every != 1:  # "Hizentra every 2 weeks": the weekly dose times the weeks between doses
        formula = f"{formula} × {fmt(every)} = {_g(weekly * every)} g"
    hit = _source(n, hits, fmt(f), "") or next((h for h in hits if h.doc_id == n.rule.source.document), None)
    if hit is None:
        return []
    brand = next((b for b in (m.rule.brand for m in factors) if b and b in names), None)
    what = f"{n.rule.brand.capitalize()} dose" if n.rule.brand else \
        f"{brand.capitalize() if brand else 'SCIG'} dose ({n.rule.jurisdiction.upper()} labelling{', 1:1' if f == 1 else ''})"
    text = f"Calculated weekly {what} for this patient from IVIG{given}: {formula} weekly SCIG." if not (every and every != 1) \
        else f"Calculated {what} every {fmt(every)} weeks for this patient from IVIG{given}: {formula} every {fmt(every)} weeks."
    # Of the passages stating the factor, the one that states it as this product's rule is cited (its sentence shows beside).
    step = _interval_step(hits, hit.doc_id, every, n.rule.brand) if every and every != 1 else None
    stating = [Calculated(text, formula, n.rule.id, h, step=step) for h in hits if h.doc_id == hit.doc_id
               and _stated(h, fmt(f), "") and not _under_worked_example(h)]
    return [next((c for c in stating if c.basis()), Calculated(text, formula, n.rule.id, hit, step=step))]


def _interval_step(hits: list[Hit], doc_id: str, every: float, brand: str | None) -> tuple[Hit, str] | None:
    """The sentence of the conversion's document saying how a dose every `every` weeks follows from the weekly dose ("For
    dosing every 2 weeks with Hizentra, the US label doubles the calculated weekly dose"), the product's own first."""
    from assistant.citations import passage_units

    said = re.compile(rf"(?i)\bevery\s+{re.escape(fmt(every))}\s+weeks?\b")
    found = [(h, u) for h in hits if h.doc_id == doc_id and not _under_worked_example(h)
             for u in passage_units(h.text) if said.search(u) and not _quantities(u)]
    found.sort(key=lambda p: not (brand and brand.lower() in p[1].lower()))
    return found[0] if found else None


# A level a sentence holds a patient's to: "serum IgG below 4 g/L", "a trough of at least 6 g/L", "IgG < 400 mg/dL".
_BOUND = re.compile(r"(?i)\b(below|under|less than|lower than|at least|above|over|greater than|more than|of at least)\s+"
                    r"(\d+(?:[.,]\d+)?)\s*(g/l|mg/dl)\b|([<>≥≤])\s*(\d+(?:[.,]\d+)?)\s*(g/l|mg/dl)\b")
_UPPER = {"below", "under", "less than", "lower than", "<", "≤"}


def compared_level(book: RuleBook, frame: QuestionFrame, sentences: list[tuple[str, Hit]]) -> Calculated | None:
    """The patient's IgG against the first IgG threshold or target a lead sentence states: whether it meets it, in the
    sentence's own unit, cited to that sentence's passage ("IgG 2.5 g/L against 'IgG below 4 g/L': meets it")."""
    level = frame.patient.igg_g_per_l
    if level is None:
        return None
    for sentence, hit in sentences:
        if "igg" not in sentence.lower():
            continue
        m = _BOUND.search(sentence)
        if m is None:
            continue
        word = (m.group(1) or m.group(4)).lower()
        bound, unit = float((m.group(2) or m.group(5)).replace(",", ".")), (m.group(3) or m.group(6))
        in_g_per_l = bound / 100 if unit.lower() == "mg/dl" else bound
        mine = f"{_g(level * 100)} mg/dL" if unit.lower() == "mg/dl" else f"{_g(level)} g/L"
        stated = f"{word} {fmt(bound)} {unit}"
        if word in _UPPER:
            meets = level < in_g_per_l if word in ("below", "under", "less than", "lower than", "<") else level <= in_g_per_l
        else:
            meets = level >= in_g_per_l if word not in ("above", "over", "greater than", "more than", ">") else level > in_g_per_l
        rule = next((n for n in sorted(book.norm, key=lambda n: n.rule.source.document != hit.doc_id)
                     if n.family == "lab" and any(b is not None and abs(b - in_g_per_l) < 1e-9 for b in (n.lo, n.hi))), None)
        if rule is None:
            continue  # a level no rule states: nothing to check the comparison against
        verdict = "meets" if meets else "does not meet"
        side = "<" if level < in_g_per_l else ">" if level > in_g_per_l else "="
        formula = f"{mine} {side} {fmt(bound)} {unit}"
        where = {"<": "below", ">": "above", "=": "at"}[side]
        return Calculated(f"This patient's IgG: {formula} ({where} it), so it {verdict} the level stated here ({stated}).",
                          formula, rule.rule.id, hit)
    return None

