"""The answer's context for the dose check: what the question is about (drug, indication, population, weight)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.doses.indications import is_disease

# Population words a frame may carry, and the age band of the rules each one falls under.
AGE_OF_POPULATION = {"child": "child", "adult": "adult", "neonate": "neonate", "elderly": "adult",
                     "pregnancy": "adult", "obesity": "adult"}
_POPULATIONS = (("neonate", r"neonat\w*|newborns?"), ("child", r"child(?:ren)?|p(?:a)?ediatric|infants?|adolescents?"
                                                        r"|toddlers?|kids?"),
                ("pregnancy", r"pregnan\w*"), ("elderly", r"elderly|older adults?|geriatric"),
                ("obesity", r"obes\w*|BMI (?:above|over|>) ?\d+"), ("adult", r"adults?"))
_AGE = re.compile(r"(?i)\b(?:(\d{1,2})[- ]?(?:years?|yrs?|y)[- ]?old|aged\s+(\d{1,2}))\b")
_COMPARE = re.compile(r"(?i)\b(?:compar\w*|versus|vs\.?|differ\w*|difference)\b|\bor\b[^?]*\?\s*$")
_WEIGHT = re.compile(r"(?i)(\d+(?:\.\d+)?)\s*(?:kg|kilograms?)\b(?!\s*/|\s+per\b)")


@dataclass(frozen=True)
class AnswerContext:
    """What the question frame says the answer is about; every statement inherits it."""

    drug: str | None = None
    indication: str | None = None
    population: str | None = None
    weight_kg: float | None = None
    comparison: bool = False

    @property
    def age(self) -> str | None:
        """The age band of the rules for this population (elderly and pregnancy are adults)."""
        return AGE_OF_POPULATION.get(self.population or "")


def population_of(text: str) -> str | None:
    """The population a text names first by priority (neonate, child, pregnancy, elderly, obesity, adult)."""
    if age := _AGE.search(text):  # "a 9-year-old", "aged 70"
        years = int(age.group(1) or age.group(2))
        return "child" if years < 12 else "elderly" if years >= 65 else "adult" if years >= 18 else None
    for name, pattern in _POPULATIONS:
        if re.search(rf"(?i)\b(?:{pattern})\b", text):
            return name
    return None


def frame_from_text(question: str, drugs: list[str], indications: list[str]) -> AnswerContext:
    """A frame built from a question's own words and the drugs and indications the lexicon found in it."""
    weight = _WEIGHT.search(question)
    unique_drugs = list(dict.fromkeys(drugs))
    named = list(dict.fromkeys(indications))
    disease = [i for i in named if is_disease(i)]
    chosen = disease or named
    return AnswerContext(drug=unique_drugs[0] if len(unique_drugs) == 1 else None,
                         indication=chosen[0] if len(chosen) == 1 else None,
                         population=population_of(question), weight_kg=float(weight.group(1)) if weight else None,
                         comparison=len(disease) > 1 or bool(_COMPARE.search(question)))
