"""The clinical question as typed data: what is asked (aspects) about which drug, indication and population,
and the patient's own numbers.

`read_question` parses a question deterministically from the corpus vocabulary (typo- and
abbreviation-tolerant); `QuestionFrame.followed_by` applies a follow-up turn slot by slot: what the
follow-up names replaces the old value, the aspect belongs to the turn, patient facts persist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from assistant.answer_aspects import AMOUNT_CHECKED, AMOUNT_STATED, INTERVAL_PREFERRED
from assistant.history import InfectionLevel, history_of
from assistant.vocabulary import (Mention, Vocabulary, bare_age, dose_decision_spans, elapsed_spans, ends_in_phase_over, named_as_history,
                                  negated_condition_spans, put_forward)

# Body weight a dose may be computed for: finite, and between an extremely premature neonate and the heaviest
# recorded adult. Anything else is a typo or an attack, and never reaches the dose arithmetic.
WEIGHT_KG_MIN = 0.3
WEIGHT_KG_MAX = 700.0
_NUM = r"(\d+(?:[.,]\d+)?)"
_LB_PER_KG = 2.20462
_KG = r"(?:kg|kgs|kilos?|kilograms?)\b(?!\s*/)"


class Regimen(BaseModel):
    """A dose the patient is on now: amount, interval and product."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(description="Amount per dose.")
    unit: str = Field(description="'g' or 'g/kg'.")
    interval_weeks: float | None = Field(default=None, description="Weeks between doses.")
    product: str | None = Field(default=None, description="The product as the question names it (IVIG, Hizentra...).")


TURN_ONLY = ("target_interval_weeks", "course_days", "infusion_hours", "concentration_percent")


class Patient(BaseModel):
    """Facts about the patient that the question states."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight_kg: float | None = Field(default=None, description="Actual body weight.")
    height_cm: float | None = None
    ideal_weight_kg: float | None = None
    adjusted_weight_kg: float | None = None
    age_years: float | None = None
    sex: str | None = Field(default=None, description="'female' or 'male' when the question says so.")
    bmi_stated: float | None = Field(default=None, description="Body mass index as the question states it.")
    igg_g_per_l: float | None = Field(default=None, description="Serum IgG level stated, in g/L.")
    regimen: Regimen | None = None
    target_interval_weeks: float | None = Field(default=None, description="The interval asked for after a switch "
                                                "('Hizentra every 2 weeks'), in weeks.")
    course_days: float | None = Field(default=None, description="The days a course is to be divided over ('loading over 4 days').")
    infusion_hours: float | None = Field(default=None, description="The hours an infusion is to run ('over 12 h').")
    concentration_percent: float | None = Field(default=None, description="The product's strength ('10% product').")
    infections: InfectionLevel | None = Field(default=None, description="Infections reported: none, minor, single, "
                                              "recurrent or severe (assistant/history.py).")
    infections_said: str | None = Field(default=None, description="The words that reported them ('3 pneumonias').")
    despite_antibiotics: bool | None = Field(default=None, description="Infections continued on antimicrobial treatment.")
    vaccine_response: Literal["normal", "impaired"] | None = Field(default=None, description="Specific antibody responses.")
    days_since_event: float | None = Field(default=None, description="Time since the event the question dates the patient "
                                           "from ('day +45' after a transplant, '3 mo post CVA'), in days.")
    since_said: str | None = Field(default=None, description="The words that dated it ('day +45', '3 mo post').")

    def updated(self, newer: "Patient") -> "Patient":
        """These facts with every fact the newer turn states replacing the old one; what a turn asks to work out (an
        interval after a switch, the days or hours of this course) belongs to that turn."""
        return self.model_copy(update={k: None for k in TURN_ONLY} | newer.model_dump(exclude_none=True)
                               | ({"regimen": newer.regimen} if newer.regimen else {}))

    @property
    def bmi(self) -> float | None:
        if self.weight_kg and self.height_cm:
            return self.weight_kg / (self.height_cm / 100) ** 2
        return self.bmi_stated


class QuestionFrame(BaseModel):
    """What one turn asks about whom (DESIGN.md: the question frame)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    drug: str | None = Field(default=None, description="Canonical drug or product class.")
    product: str | None = Field(default=None, description="The product as named (IVIG, SCIG, a brand).")
    products: list[str] = Field(default_factory=list, description="Every product the question names, in order.")
    indication: str | None = Field(default=None, description="Canonical indication (condition) asked about.")
    indication_label: str | None = None
    other_indications: list[str] = Field(default_factory=list, description="Further indications named (comparisons).")
    population: list[str] = Field(default_factory=list, description="child, adult, pregnancy, obesity, ...")
    context: str | None = Field(default=None, description="A circumstance: rituximab, active infection, ...")
    patient: Patient = Field(default_factory=Patient)
    aspects: list[str] = Field(default_factory=list, description="dose, target, monitoring, switch, ...")
    comparison: bool = Field(default=False, description="The question compares indications or products.")

    def followed_by(self, newer: "QuestionFrame", *, same_subject: bool = True, keep_aspect: bool = True,
                    new_person: bool = False) -> "QuestionFrame":
        """The frame of a follow-up turn: what it names replaces, the rest carries (unless it changes subject). The
        aspect belongs to the turn: an earlier one carries only into a turn that names nothing else (`keep_aspect`,
        "and in children?") or that moves the same question to another condition ("and if it were GBS instead?").
        A turn about another person (`new_person`: "her 6yo daughter too?") keeps the subject but none of the earlier
        patient: their numbers, population and circumstances are the new person's own."""
        if not same_subject:
            return newer.model_copy(update={"patient": self.patient.updated(newer.patient)})
        if new_person:
            return self.model_copy(update={"patient": Patient(), "population": [], "context": None}).followed_by(
                newer, keep_aspect=keep_aspect)
        new_condition = newer.indication is not None and newer.indication != self.indication
        return QuestionFrame(
            drug=newer.drug or self.drug,
            product=newer.product or self.product,
            products=newer.products or self.products,
            indication=newer.indication or self.indication,
            indication_label=newer.indication_label if newer.indication else self.indication_label,
            other_indications=newer.other_indications,
            population=newer.population or self.population,
            context=newer.context or (None if new_condition else self.context),
            patient=self.patient.updated(newer.patient),
            aspects=newer.aspects or (self.aspects if keep_aspect or new_condition else []),
            comparison=newer.comparison,
        )

    @model_validator(mode="before")
    @classmethod
    def _computed_is_not_input(cls, data: Any) -> Any:
        """A frame read back from JSON (a session, an API client) carries its computed `description`: not a field."""
        if isinstance(data, dict) and "description" in data:
            data = {k: v for k, v in data.items() if k != "description"}
        return data

    @computed_field(description="One line saying what was understood, as the CLI and widget show it.")
    @property
    def description(self) -> str:
        return self.describe()

    def describe(self) -> str:
        """One line saying what was understood: 'immunoglobulin · Kawasaki disease · child · 18 kg · dose'."""
        parts = [self.product or self.drug, self.indication_label or self.indication, *self.population, self.context]
        p = self.patient
        if p.age_years is not None:
            parts.append(f"{_fmt(p.age_years)} y" if p.age_years >= 1 else f"{_fmt(p.age_years * 12)} months")
        if p.weight_kg:
            parts.append(f"{_fmt(p.weight_kg)} kg")
        if p.ideal_weight_kg:
            parts.append(f"IBW {_fmt(p.ideal_weight_kg)} kg")
        if p.igg_g_per_l is not None:
            parts.append(f"IgG {_fmt(p.igg_g_per_l)} g/L")
        if p.since_said:
            parts.append(p.since_said)
        if p.infections:
            parts.append(p.infections_said if p.infections != "none" else "no infections")
        if p.vaccine_response:
            parts.append(f"{p.vaccine_response} vaccine responses")
        if p.regimen:
            r = p.regimen
            every = f" every {_fmt(r.interval_weeks)} weeks" if r.interval_weeks else ""
            parts.append(f"on {_fmt(r.value)} {r.unit}{every}")
        if self.aspects:
            parts.append(", ".join(a.replace("_", " ") for a in self.aspects))
        return " · ".join(str(x) for x in parts if x)


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Mentions:
    """The concepts a question names, with the words it used (what follow-up rewriting edits)."""

    drug: Mention | None = None
    condition: Mention | None = None
    population: Mention | None = None
    context: Mention | None = None
    aspect: Mention | None = None
    conditions: tuple[Mention, ...] = ()
    contexts: tuple[Mention, ...] = ()
    drugs: tuple[Mention, ...] = ()
    populations: tuple[Mention, ...] = ()
    aspects: tuple[Mention, ...] = ()
    unknown: tuple[str, ...] = ()

    def subject(self) -> bool:
        """Whether the question names what it is about (a condition or a circumstance)."""
        return bool(self.condition or self.context)


_WORD = re.compile(r"[a-z][a-z0-9'-]*")
FILLER = frozenset(
    "a an and are as at be but by for from has have if in into is it its of on or such that the their then there these they "
    "this to was were will with what which who whom how when where why does do did can could should would i me my we our you "
    "your he she him her them about also same ok okay so patient patients had has having give given get case one ones "
    "is there any more need needed much many long tell please".split()
)


def mentions_of(text: str, vocab: Vocabulary, known: Callable[[str], bool] | None = None) -> Mentions:
    """Contexts, populations, drugs, conditions and aspects named in text (first mention of each, and all of them)."""
    # "On low-dose ICS" describes a treatment: its "dose" is no aspect asked about.
    taken: list[tuple[int, int]] = vocab.qualified_spans(text)
    found: dict[str, list[Mention]] = {}
    # Contexts and populations first, so "rituximab" is a circumstance and "obesity" a population, not conditions.
    for slot in ("contexts", "populations", "drugs", "indications", "aspects"):
        ms = []
        while (m := vocab.find(text, slot, taken)) is not None:
            taken.append((m.start, m.end))
            key = (lambda x: x.surface.lower()) if slot == "drugs" else (lambda x: x.name)  # products share one drug
            if all(key(o) != key(m) for o in ms):
                ms.append(m)
        found[slot] = sorted(ms, key=lambda m: m.start)
    # "recurrent infections", "3 pneumonias": a circumstance named only as the patient's history is none now.
    found["contexts"] = [c for c in found["contexts"] if not _only_past(text, c)]
    # "the day after cidp loading": a phase the question says is over dates the patient; it is no aspect asked about
    # when the question asks something else too.
    over = [a for a in found["aspects"] if ends_in_phase_over(text[:a.start])]
    if over and len(over) < len(found["aspects"]):
        found["aspects"] = [a for a in found["aspects"] if a not in over]
    unknown: tuple[str, ...] = ()
    if known is not None:
        rest = text.lower()
        for start, end in sorted(taken, reverse=True):
            rest = rest[:start] + " " + rest[end:]
        unknown = tuple(w for w in _WORD.findall(rest) if w not in FILLER and len(w) > 2 and not known(w))
    first = {slot: (ms[0] if ms else None) for slot, ms in found.items()}
    return Mentions(drug=first["drugs"], condition=first["indications"], population=first["populations"],
                    context=first["contexts"], aspect=first["aspects"], conditions=tuple(found["indications"]),
                    contexts=tuple(found["contexts"]),
                    drugs=tuple(found["drugs"]),
                    populations=tuple(found["populations"]), aspects=tuple(found["aspects"]), unknown=unknown)


def read_question(text: str, vocab: Vocabulary, known: Callable[[str], bool] | None = None,
                  weight_kg: float | None = None) -> QuestionFrame:
    """The frame of one question as typed (shorthand expanded, misspellings of vocabulary words corrected)."""
    normal = vocab.normalise(text, known)
    m = mentions_of(normal, vocab)
    patient = patient_facts(normal)
    if weight_kg is not None:
        patient = patient.model_copy(update={"weight_kg": weight_kg})
    # A population or condition the question says is absent ("no pregnancy issues", "not pregnant", "no DM/CKD") is not
    # the patient's.
    negated = negated_condition_spans(normal, vocab)

    def absent(mention: Mention) -> bool:
        return any(a <= mention.start < b for a, b in negated)

    population = [p.name for p in m.populations if not _NOT_BEFORE.search(normal[:p.start]) and not absent(p)]
    age = patient.age_years
    if age is not None and not ({"child", "adult", "elderly"} & set(population)):
        population.append("child" if age < 18 else "adult")
    if "obesity" not in population and patient.bmi is not None and patient.bmi >= 30:
        population.append("obesity")
    # A modifier word ("premed", "switch to SCIG") names the aspect asked about, not a condition.
    inside = [a for c in m.conditions if c.name in vocab.modifiers for a in vocab.find_all(c.surface, "aspects")]
    # "leave the dose alone?" puts up a decision about the dose, and asks no dose.
    deciding = dose_decision_spans(normal)
    # What a sentence asking a question names comes first; a sentence telling the story ("he wants to self-infuse sc.")
    # names its aspects as background ("Ontario weekly range, 72 kg?" asks the dose).
    asking = _asking_spans(normal)
    aspects = list(dict.fromkeys(a.name for a in sorted([*m.aspects, *inside], key=lambda a: (
        not any(x <= a.start < y for x, y in asking), a.start)) if not any(x <= a.start < y for x, y in deciding)))
    # The specific condition leads ("hypogammaglobulinemia in CLL" is about CLL); broad states follow,
    # and a setting of care yields to the condition treated in it ("kidney transplant with AMR" is about AMR).
    conditions = sorted((c for c in m.conditions if c.name not in vocab.modifiers and not absent(c)),
                        key=lambda c: 2 if c.name in vocab.broad else 1 if c.name in vocab.settings else 0)
    # A circumstance the vocabulary also files under a condition ("CD19 CAR-T 5 months ago, IgG 290": CAR-T is a
    # synonym of secondary immunodeficiency in rules/vocabulary.yaml) names that condition when the question names none.
    if not conditions:
        conditions = [Mention(filed.term, c.surface, c.start, c.end) for c in m.contexts if not _absent(normal, c)
                      and not absent(c) and (filed := vocab.find(c.surface, "indications")) is not None
                      and filed.name not in vocab.modifiers][:1]
    # A question that ends asking for a unit ("IVIG g?", "pump rate mL/h?") asks for that amount.
    if (unit := _ASKS_UNIT.search(normal)) and (asked := "administration" if "/h" in unit.group(1).lower() else "dose") not in aspects:
        aspects.append(asked)
    elif _ASKS_GRAMS.search(normal) and "dose" not in aspects:
        aspects.append("dose")
    if not aspects and patient.target_interval_weeks and patient.regimen is None:
        aspects = ["switch"]  # "she'd rather do it every 2 weeks": the switched dose at that interval
    if not aspects and AMOUNT_STATED.search(normal) and AMOUNT_CHECKED.search(normal):
        aspects = ["dose"]  # "pharmacy has drawn up 180 g as one bag. ok?": the amount put up is checked against the dose
    judged = (patient.igg_g_per_l, patient.infections, patient.days_since_event, patient.vaccine_response)
    if not aspects and (patient.weight_kg or patient.regimen) and (m.drug or conditions) and all(f is None for f in judged):
        aspects = ["dose"]  # "75 kg man with GBS, IVIG please": a patient's numbers and a treatment, nothing else, ask for the dose
    # A circumstance the question says is absent or over ("no infections for 3 years", "infections settled") is not one.
    context = next((c for c in m.contexts if not _absent(normal, c)), None)
    # Of several drugs, the one owning the dose asked for ("premed for IVIG: tylenol dose?") is the drug; then one put
    # forward ("on IVIG, if we have to use pred how much?"); then the first not named as the patient's history
    # ("already on pred, how much IVIG?").
    drug = next((d for d in m.drugs if re.search(DOSE_OF.format(re.escape(d.surface)), normal, re.I)), None)
    if drug is None and len(m.drugs) > 1:
        drug = next((d for d in m.drugs if put_forward(normal, d.start, d.end)), None) \
            or next((d for d in m.drugs if not named_as_history(normal, d.surface)), None)
    drug = drug or m.drug
    return QuestionFrame(
        drug=drug.name if drug else None,
        product=drug.surface if drug else None,
        products=[d.surface for d in m.drugs],
        indication=conditions[0].name if conditions else None,
        indication_label=conditions[0].label if conditions else None,
        other_indications=[c.name for c in conditions[1:]],
        population=population,
        context=context.name if context else None,
        patient=patient,
        aspects=aspects,
        comparison="comparison" in aspects,
    )


def _asking_spans(text: str) -> list[tuple[int, int]]:
    """The spans of a text's sentences that ask (end in "?"), when it also has sentences that do not; else the whole."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^.?!]+(?:[.?!]+|$)", text) if m.group(0).strip()]
    asking = [(a, b) for a, b in spans if text[a:b].rstrip().endswith("?")]
    return asking if asking and len(asking) < len(spans) else [(0, len(text))]


def only_in_story(text: str, *patterns: re.Pattern[str]) -> bool:
    """Whether what the patterns find stands only in the sentences telling the story, none of those asking ("headache +
    chills mid-infusion. do we stop the course?": the infusion is the story's, the course is asked about)."""
    spans = _asking_spans(text)
    if spans == [(0, len(text))] or not any(p.search(text) for p in patterns):
        return False
    return not any(p.search(text[a:b]) for p in patterns for a, b in spans)


# A drug named as the owner of the dose asked for: "aspirin dose", "the dose of aspirin", "aspirin dosing", "how much IVIG".
# (one word of the product's name may stand between: "the max advair diskus dose")
DOSE_OF = (r"(?<![\w-]){0}(?:\s+(?!(?:and|or|with|plus|vs|versus|then|\+)\b)[a-z][\w-]*)?\s+(?:dose|doses|dosing|dosage|regimen)\b"
           r"|\b(?:dose|dosing|dosage) (?:of|for)\s+{0}(?![\w-])|\bhow (?:much|many (?:grams|g|mg|ml) of)\s+(?:the\s+)?{0}(?![\w-])")

_ABSENT_BEFORE = re.compile(r"(?i)\b(?:no|zero|0|not|without|free of|nil|denies|never had|hasn't|hasnt|has not|haven't|have not|never|no sign of|no serious|no further)\W+(?:\w+\W+){0,2}$")
_ABSENT_AFTER = re.compile(r"(?i)^\W*(?:\w+\W+){0,1}(?:have |has |had )?(?:settled|resolved|cleared|gone|controlled|stopped)\b")


_NOT_BEFORE = re.compile(r"(?i)\b(?:no|not|non|never|isn't|isnt)[\s-]*$")  # "no pregnancy issues", "not pregnant", "non-obese"


def _only_past(text: str, mention: Mention) -> bool:
    """Whether every mention of a circumstance is the patient's history by its own term's words ("recurrent infxns
    despite abx", "3 pneumonias this year"), so none is the circumstance now."""
    words = mention.term.past_words
    if not words:
        return False
    # A count may stand a word or two before the term ("3 ear infections", "2 bad chest infections").
    past = re.compile(rf"(?i)(?:\b(?:{'|'.join(re.escape(w) for w in words)})|\b\d+\s*(?:x\s*)?(?:[a-z]+\s+){{0,2}})\W*$")
    low = text.lower()
    spans = [(m.start(), m.end()) for t in mention.term.terms
             for m in re.finditer(rf"(?<![a-z0-9]){re.escape(t)}(?![a-z0-9])", low)]
    return bool(spans) and all(past.search(text[max(0, start - 30):start]) or any(s <= start and end < e for s, e in spans)
                               for start, end in spans)


def _absent(text: str, mention: Mention) -> bool:
    """Whether the text says a mentioned circumstance is absent or over ("no serious infx", "infections settled")."""
    return bool(_ABSENT_BEFORE.search(text[:mention.start]) or _ABSENT_AFTER.search(text[mention.end:]))


# ---- patient facts --------------------------------------------------------------------------------------------

# "IBW 65" says kilograms without writing them: an ideal weight named right before its number needs no unit.
_IDEAL = re.compile(rf"(?i)\b(?:ideal(?: body)?(?: weight| wt)?|IBW)\b\D{{0,12}}?{_NUM}\s*{_KG}|{_NUM}\s*{_KG}\s*(?:ideal|IBW)\b|"
                    rf"\b(?:ideal(?: body)? weight|IBW)\s*(?:of|is|=|:)?\s*(\d{{2,3}}(?:[.,]\d+)?)\b(?!\s*(?:%|cm|lb|g\b|mg|/))")
_ADJUSTED = re.compile(rf"(?i)\b(?:adjusted(?: body)? weight|dosing weight|AjBW)\b\D{{0,12}}?{_NUM}\s*{_KG}")
_WEIGHT = re.compile(rf"(?i)(?<![\d./]){_NUM}\s*{_KG}")
_WEIGHT_LB = re.compile(r"(?i)(?<![\d./])(\d+(?:\.\d+)?)\s*(?:lb|lbs|pounds?)\b")
_WEIGHS = re.compile(r"(?i)\b(?:weighs|weighing|weight(?: is| of)?|wt)\s*:?\s*(\d+(?:\.\d+)?)(?!\s*(?:g|mg|%|cm|lb|kg|/))\b")
_HEIGHT = re.compile(r"(?i)(?<![\d.])(\d{2,3}(?:\.\d+)?)\s*cm\b|(?<![\d.])([12]\.\d{1,2})\s*m\b(?!\s*/|g)")
_FEET = re.compile(r"(?<!\d)([4-7])\s*(?:'|ft|feet)\s*(\d{1,2})?\s*(?:\"|in\b|inches)?")
_AGE_Y = re.compile(r"(?i)(?<![\d.])(\d{1,3})\s*-?\s*(?:years?|yrs?|y)\s*-?\s*(?:old|of age)|(?<![\d.])(\d{1,3})\s*yo\b|"
                    r"\b(?:aged?|age of)\s*(\d{1,3})\b|(?<![\d.])(\d{1,3})\s*y/o\b|(?<![\d.])(\d{1,3})\s*-year-old")
# Age and sex run together, as clinicians write them ("66F", "58 M", "XLA 19M"): upper-case M or F right after the age.
_AGE_SEX = re.compile(r"(?<![\w.])(\d{1,3})\s?([MF])\b")
_AGE_M = re.compile(r"(?i)(?<![\d.])(\d{1,2})\s*-?\s*(?:months?|mo|mos)\s*-?\s*old|(?<![\d.])(\d{1,2})\s*-month-old|"
                    r"^\W*(\d{1,2})\s*(?:months?|mo|mos)\b(?!\s+(?:ago|later|after|since|post|following))")
# The patient's IgG: "IgG 3.2 g/L", or a trough they report ("trough came back 480 mg/dL"; not "a trough target of 6 g/L").
_IGG = re.compile(r"(?i)(?:\bIgG\b|\btrough\b(?![^.;\d]{0,25}?\b(?:target|goal|aim|keep|above|below|at least|over|under)\b))"
                  r"[^.;\d]{0,25}?(\d+(?:[.,]\d+)?)\s*(g/l|mg/dl)?(?![\w/%])")
# A level written without its unit is read only right after the word ("IgG 380", "trough was 7.1"), not from another
# number nearby ("IgG subclass 2").
_BARE_LEVEL = re.compile(r"(?i)^\W*(?:IgG|trough)\b[\s:=]*(?:(?:level|lvl|is|was|of|at|now|only|came back)\b[\s:=]*)*$")
_REGIMEN = re.compile(
    r"(?i)(?:(?P<verb>\b(?:on|receiv\w*|gets?|getting|takes?|taking|current(?:ly)?(?: on)?|has been on|dose is)\s+)|^\W*|(?<=[,;:]\s))"
    r"(?:(?P<p1>[A-Za-z][\w-]*)\s+)?(?P<v>\d+(?:[.,]\d+)?)\s*(?P<u>g/kg|mg/kg|grams?|g)\b(?!/)\s*"
    r"(?:(?:of\s+)?(?!(?:weekly|monthly|every|a\s+(?:week|month)|q\s*\d+\s*(?:weeks?|wks?|w))\b)(?P<p2>[A-Za-z][\w-]*)\s*)?"
    r"(?:(?:every|q)\s*(?P<n>\d+)\s*(?:weeks?|wks?|w)\b|(?P<monthly>monthly|a month)|(?P<weekly>weekly|a week|every week))?")
_EVERY_WEEKS = re.compile(r"(?i)\b(?:every|q)\s*(\d+)\s*(?:weeks?|wks?|w)\b")
_OVER_DAYS = re.compile(r"(?i)\b(?:over|across|divided over|split over|in)\s+(\d+)\s*(?:consecutive\s+)?days?\b")
_OVER_HOURS = re.compile(r"(?i)\bover\s+(\d+(?:[.,]\d+)?)\s*(?:h|hr|hrs|hours?)\b")
_STRENGTH = re.compile(r"(?i)(?<![\d.])(\d+(?:[.,]\d+)?)\s*%\s*(?:product|solution|ivig|scig|igg|preparation|concentration|strength)\b|"
                       r"(?<![\d.])(\d+(?:[.,]\d+)?)\s*%(?=\s+(?:over|run over|infused over)\s+\d)")
# Time since the event the patient is dated from: transplant-day notation ("day +45", "D+100", "now day 120") or an
# amount of time before "post", "after", "since", "ago" ("3 mo post CVA", "6 wks after transplant", "6 wks ago").
_DAY_N = re.compile(r"(?i)\b(?:day|d)\s*\+\s*(\d{1,4})\b|\bd(\d{2,3})\b(?![%w])|\bday\s+(\d{2,4})\b(?!\s*(?:of|to|-)\b)")
_SINCE = re.compile(r"(?i)(?<![\d.])(\d{1,3}(?:\.\d)?)\s*-?\s*(days?|d|weeks?|wks?|wk|w|months?|mos?|m|years?|yrs?|y)\s+"
                    r"(?:post|after|since|following|out from|s/p|ago)\b")
_DAYS_IN = {"d": 1, "w": 7, "m": 30.4, "y": 365.25}
_ASKS_UNIT = re.compile(r"(?i)(?<![\w/])(g|gm|grams?|mg|mcg|ml|mL/h|ml/hr?|mL per hour)\s*\?*\s*$")
# Grams asked for anywhere in the question ("Ontario q4w range in g using adj wt?", "g per day?"), not a level's g/L.
_ASKS_GRAMS = re.compile(r"(?i)\b(?:in|how many)\s+(?:g|gm|grams?)\b(?!\s*/\s*(?:l|dl)\b)|(?<![\w/])(?:g|gm|grams?)\s*(?:per|a|/)\s*day\b")
_BMI = re.compile(r"(?i)\bBMI\D{0,8}?(\d{2}(?:[.,]\d)?)\b")
_FEMALE = re.compile(r"(?i)\b(she|her|woman|female|girl|lady|mother|mum|mom)\b")
_MALE = re.compile(r"(?i)\b(he|his|him|man|male|boy|gentleman|father)\b")


def _num(s: str) -> float:
    return float(s.replace(",", "."))


def _igg_level(value: float, unit: str | None) -> float | None:
    """An IgG level in g/L. Without a unit ("IgG 380") the number says which: serum IgG in g/L stays below about 25, and
    in mg/dL a level is in the tens or hundreds; a number between the two is not read."""
    if unit:
        return value / 100 if unit.lower() == "mg/dl" else value
    return value if value < 25 else value / 100 if value >= 50 else None


def _first(pattern: re.Pattern, text: str, skip: list[tuple[int, int]] = ()) -> tuple[float, re.Match] | None:
    m = next((m for m in pattern.finditer(text) if not any(m.start() < e and s < m.end() for s, e in skip)), None)
    if not m:
        return None
    value = next(g for g in m.groups() if g is not None)
    return _num(value), m


def patient_facts(text: str) -> Patient:
    """Weight, height, ideal and adjusted weight, age, sex, IgG level and current regimen stated in text."""
    spans: list[tuple[int, int]] = []
    facts: dict = {}
    for key, pattern in (("ideal_weight_kg", _IDEAL), ("adjusted_weight_kg", _ADJUSTED)):
        if found := _first(pattern, text):
            facts[key] = found[0]
            spans.append(found[1].span())
    regimen = _regimen(text)
    if regimen is not None:
        facts["regimen"] = regimen[0]
        spans.append(regimen[1])
    for m in _WEIGHT.finditer(text):
        if not any(s <= m.start() < e for s, e in spans):
            facts["weight_kg"] = _num(m.group(1))
            break
    else:
        if m := _WEIGHT_LB.search(text):
            facts["weight_kg"] = round(_num(m.group(1)) / _LB_PER_KG, 1)
        elif m := _WEIGHS.search(text):
            if 1 <= (w := _num(m.group(1))) <= 400:
                facts["weight_kg"] = w
    if m := _HEIGHT.search(text):
        facts["height_cm"] = _num(m.group(1)) if m.group(1) else _num(m.group(2)) * 100
    elif m := _FEET.search(text):
        facts["height_cm"] = round((int(m.group(1)) * 12 + int(m.group(2) or 0)) * 2.54, 1)
    elapsed = elapsed_spans(text)  # "3 mo post CVA", "2 yrs since injury": a time since an event, not an age
    if found := _first(_AGE_M, text, elapsed):
        facts["age_years"] = round(found[0] / 12, 2)
    elif found := _first(_AGE_Y, text, elapsed):
        facts["age_years"] = found[0]
    elif (aged := _AGE_SEX.search(text)) and 1 <= int(aged.group(1)) <= 110:
        facts["age_years"] = float(aged.group(1))
    elif (bare := bare_age(text)) is not None:  # "her husband, 70, ...", "if she were 31" (issue 13, round 6)
        facts["age_years"] = bare
    if regimen is not None:
        # The interval asked for, after the regimen or before it ("Hizentra every 2 weeks instead of weekly - on 32 g q4w").
        for part in (text[regimen[1][1]:], text[:regimen[1][0]]):
            if (m := _EVERY_WEEKS.search(part)) and float(m.group(1)) != regimen[0].interval_weeks:
                facts["target_interval_weeks"] = float(m.group(1))
                break
    elif (m := _EVERY_WEEKS.search(text)) and INTERVAL_PREFERRED.search(text):
        facts["target_interval_weeks"] = float(m.group(1))  # "she'd rather do it every 2 weeks": of the earlier regimen
    if m := _OVER_DAYS.search(text):
        facts["course_days"] = _num(m.group(1))
    if m := _OVER_HOURS.search(text):
        facts["infusion_hours"] = _num(m.group(1))
    if m := _STRENGTH.search(text):
        facts["concentration_percent"] = _num(m.group(1) or m.group(2))
    if m := _DAY_N.search(text):
        facts["days_since_event"] = _num(next(g for g in m.groups() if g))
        facts["since_said"] = " ".join(m.group(0).split())
    elif m := _SINCE.search(text):
        amount, unit = m.group(1), m.group(2).lower()
        unit_key = "m" if unit.startswith("mo") or unit == "m" else unit[0]
        facts["days_since_event"] = round(_num(amount) * _DAYS_IN[unit_key], 1)
        facts["since_said"] = " ".join(m.group(0).split())
    if found := _BMI.search(text):
        facts["bmi_stated"] = _num(found.group(1))
    if (found := _IGG.search(text)) and (found.group(2) or _BARE_LEVEL.match(found.group(0)[:found.start(1) - found.start()])) \
            and (level := _igg_level(_num(found.group(1)), found.group(2))) is not None:
        facts["igg_g_per_l"] = level
    said_sex = m.group(2) if (m := _AGE_SEX.search(text)) else ""
    female, male = bool(_FEMALE.search(text)) or said_sex == "F", bool(_MALE.search(text)) or said_sex == "M"
    if female != male:
        facts["sex"] = "female" if female else "male"
    for key in ("weight_kg", "ideal_weight_kg", "adjusted_weight_kg"):
        if key in facts and not WEIGHT_KG_MIN <= facts[key] <= WEIGHT_KG_MAX:
            del facts[key]  # not a body weight a dose can be worked out for
    facts |= history_of(text).model_dump(exclude_none=True)  # infections, antibiotics, vaccine responses
    return Patient(**facts)


# An amount with its interval anywhere ("if we end up at 48 g every 4 weeks", "switching from 35 g IVIG q4w"): a regimen
# however it is introduced.
# (the top of a range, "0.4-0.6 g/kg q4w" or "0.4 to 0.6 g/kg", is a dose range named, not the patient's regimen)
_REGIMEN_BARE = re.compile(r"(?i)(?<![\d.\-–])(?<!\bto\s)(?P<v>\d+(?:[.,]\d+)?)\s*(?P<u>g/kg|mg/kg|grams?|g)\b(?!/)\s*(?:(?:of\s+)?(?P<p2>[A-Za-z][\w-]*)\s*)?"
                           r"(?:every|q)\s*(?P<n>\d+)\s*(?:weeks?|wks?|w)\b")


def _amount(value: str, unit: str) -> tuple[float, str]:
    """A regimen's amount in g/kg or g ("400 mg/kg" is 0.4 g/kg)."""
    unit = unit.lower()
    return (_num(value) / 1000, "g/kg") if unit == "mg/kg" else (_num(value), "g/kg" if unit == "g/kg" else "g")


def _regimen(text: str) -> tuple[Regimen, tuple[int, int]] | None:
    m = _REGIMEN.search(text)
    if not m:
        if bare := _REGIMEN_BARE.search(text):
            value, unit = _amount(bare.group("v"), bare.group("u"))
            return Regimen(value=value, unit=unit, interval_weeks=float(bare.group("n")),
                           product=bare.group("p2")), bare.span()
        return None
    value, unit = _amount(m.group("v"), m.group("u"))
    weeks = float(m.group("n")) if m.group("n") else 4.0 if m.group("monthly") else 1.0 if m.group("weekly") else None
    if not m.group("verb") and weeks is None:
        return None  # "Kawasaki 2 g/kg" states a dose; a regimen the patient is on says "on ..." or how often
    product = next((p for p in (m.group("p1"), m.group("p2")) if p and p.lower() not in ("of", "every", "q", "and", "iv")), None)
    return Regimen(value=value, unit=unit, interval_weeks=weeks, product=product), m.span()
