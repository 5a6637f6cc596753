"""Schema of the dose rules in corpus/rules/*.yaml (data, each row with its source)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["dose", "rate", "lab_target", "threshold", "conversion_factor", "rounding", "timing"]
Basis = Literal["absolute", "per_kg", "per_kg_dosing_weight"]
Per = Literal["dose", "day", "week", "course", "none"]
AgeBand = Literal["any", "adult", "child", "neonate"]
WeightBasis = Literal["actual", "adjusted", "ideal", "any"]
Route = Literal["iv", "sc", "po", "im", "any"]
Evidence = Literal["primary", "label", "weak"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Population(_Strict):
    age: AgeBand = Field(default="any", description="Age band the rule applies to.")
    weight_basis: WeightBasis = Field(default="any", description="Which body weight a per-kg dose uses.")
    note: str | None = Field(default=None, description="Further restriction, e.g. 'BMI > 30'.")


class Interval(_Strict):
    min: float = Field(description="Shortest interval between doses.")
    max: float = Field(description="Longest interval between doses.")
    unit: Literal["hour", "day", "week", "month"]


class Quantity(_Strict):
    value: float
    unit: str = Field(description="A unit pint understands in guideqa's registry, e.g. 'g/kg', 'mg/day'.")


class Source(_Strict):
    document: str = Field(description="id of the corpus guideline that states the dose.")
    reference: str = Field(description="Key in corpus/references.yaml of the published source.")


class TimingCue(_Strict):
    """Which stated length of time a timing rule speaks for: one next to a `near` word, in a sentence with a word of
    every `context` group (words match at a word start, case-insensitive: 'vaccin' matches 'vaccines')."""

    near: list[str] = Field(min_length=1, description="A word within a few words of the stated time.")
    context: list[list[str]] = Field(default_factory=list, description="Groups of alternatives; each group must match.")
    circumstance: list[list[str]] = Field(default_factory=list, description=(
        "Groups naming the circumstance the time is for (an active infection, a stable patient); each group must match. "
        "They carry over ';' into the next clause, but a clause opening with 'then', 'thereafter', 'once' ... is about "
        "the next circumstance, so there they must stand in the clause itself."))
    unless: list[str] = Field(default_factory=list, description=(
        "Words that, in the sentence, say it is about another circumstance than the rule's (a stable patient, not an "
        "active infection): the rule does not speak for its times."))
    elapsed: Literal["at_least", "at_most"] | None = Field(default=None, description=(
        "The rule's time is a wait that must have passed ('at_least': resistance is fever >= 36 h after the infusion) "
        "or may not have passed ('at_most': within 10 days of onset). Then a statement that acts on the rule now "
        "('counts as resistant already', 'give it now') is checked against the time the question says has passed "
        "('12 hours after', two clock times)."))


class DoseRule(_Strict):
    """One allowed range for one drug, indication, population, route and quantity kind."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable unique id.")
    drug: str = Field(description="Canonical drug name from corpus/rules/vocabulary.yaml.")
    product: str = Field(default="any", description="Product class: ivig, scig, or any.")
    brand: str | None = Field(default=None, description="A brand the rule is specific to (lower case), e.g. 'hizentra'.")
    brand_named: bool = Field(default=False, description=(
        "The rule speaks only for a text that names its brand: a product label's own range, wider than the guidelines' "
        "(a generic 'IVIG 300 mg/kg' is never verified by one product's label)."))
    jurisdiction: Literal["any", "us", "eu"] = Field(default="any", description=(
        "Labelling the rule is from, where labels differ (US Hizentra 1.37, EU 1:1): a text naming a jurisdiction "
        "is held by that jurisdiction's rules only."))
    stage: Literal["start", "loading", "maintenance", "any"] = Field(default="any", description=(
        "'start': a starting dose or rate only; 'loading' / 'maintenance': the loading (induction) or the maintenance "
        "phase of a regimen only, so that a text about one phase is never verified by the other's rule."))
    indication: str = Field(description="Canonical indication key from corpus/rules/vocabulary.yaml, or 'any'.")
    population: Population = Field(default_factory=Population)
    route: Route = "any"
    kind: Kind = "dose"
    basis: Basis = "absolute"
    min: float | None = Field(default=None, description="Lowest allowed value (inclusive).")
    max: float | None = Field(default=None, description="Highest allowed value (inclusive).")
    unit: str = Field(description="Unit of min/max, e.g. 'g/kg', 'mg', 'mg/dL', 'mL/kg/h', '1' for factors.")
    per: Per = Field(default="dose", description="What one value covers: a dose, a day, a week, a course.")
    interval: Interval | None = None
    scaled_interval: Interval | None = Field(default=None, description=(
        "For a rule per week (or per day): the doses of several periods may be given at once, every n periods for n "
        "within this interval, at n times the rule's amount (a label's every-2-weeks dosing doubles the weekly dose: "
        "{min: 1, max: 2, unit: week})."))
    duration: Quantity | None = Field(default=None, description="Length of a course (e.g. 5 day), or of a rate's stage.")
    min_duration: Quantity | None = Field(default=None, description="Shortest course, when a range ('over 2-5 days').")
    infusion: Interval | None = Field(default=None, description="How long one infusion runs, e.g. 10-12 hour.")
    max_single: Quantity | None = None
    timing: TimingCue | None = Field(default=None, description="For kind 'timing': which stated time it is about.")
    max_parts: int | None = Field(default=None, ge=1, description="A dose may be split into up to this many infusions "
                                  "(on consecutive days); each part is the dose divided by their number.")
    max_daily: Quantity | None = None
    max_course: Quantity | None = None
    comparator: Literal[">=", ">", "<=", "<", "range"] = Field(
        default="range", description="For lab targets and thresholds: how a stated value relates."
    )
    evidence: Evidence = Field(default="primary", description="'weak' rows never verify a dose.")
    source: Source
    note: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> "DoseRule":
        if self.min is None and self.max is None:
            raise ValueError("a rule needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if self.brand_named and not self.brand:
            raise ValueError("brand_named needs the brand the rule is specific to")
        if self.scaled_interval is not None and self.per not in ("day", "week"):
            raise ValueError("scaled_interval scales a rule per day or per week")
        if (self.kind == "timing") != (self.timing is not None):
            raise ValueError("a rule of kind 'timing' needs 'timing' cues, and only such a rule may have them")
        return self


class RuleFile(_Strict):
    """A corpus/rules/*.yaml file: a list of rules under the key 'rules'."""

    rules: list[DoseRule]


class VocabularyEntry(_Strict):
    canonical: str
    synonyms: list[str] = Field(default_factory=list)
    group: bool = False  # a row gathering several conditions: a question's mention is shown as written, not by the first synonym


class Vocabulary(_Strict):
    """corpus/rules/vocabulary.yaml: canonical drugs and indications with the words that name them."""

    drugs: list[VocabularyEntry]
    indications: list[VocabularyEntry]
    product_strengths: dict[str, float] = Field(default_factory=dict, description=(
        "Products made in one strength only, by name (lower case), in percent (w/v): 'privigen: 10' (100 mg/mL). A "
        "volume of a named product converts to a mass (or a mL/kg/h rate to mg/kg/min) at this strength when the text "
        "states none."))
    dose_qualifiers: list[VocabularyEntry] = Field(default_factory=list, description=(
        "Circumstances a dose can be stated for apart from the indication (renal or hepatic impairment, older adults, "
        "a co-medication): a dose stated for one is grounded only by a passage's dose for the same, and a passage's "
        "dose for one grounds no dose stated without it."))
    not_indications: list[str] = Field(default_factory=list, description=(
        "Condition words that name a risk, a finding or an adverse effect, not what a dose is for (renal impairment, "
        "aseptic meningitis, hypogammaglobulinemia): never read as an unlisted disease."))
