"""Criteria for starting a treatment, judged against the patient's stated facts ("does he qualify for IVIG?").

The criteria are data beside the dose rules (corpus/rules/criteria/*.yaml), each with the document passage that states
them. A judgement lists every criterion as met, not met or not stated in the question, with the patient's own words, and
the conclusion the data gives; it is cited to that passage. Nothing is concluded from a criterion the question does not
speak to: with one not stated and none failed, the judgement says what to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.doses.numbers import fmt
from assistant.errors import ConfigError
from assistant.question import Patient, QuestionFrame

Status = Literal["met", "not met", "not stated"]


class Criterion(BaseModel):
    """One fact the patient must have: `in` a set of values, or a number `below` / `at_least` a bound."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    fact: Literal["infections", "despite_antibiotics", "vaccine_response", "igg_g_per_l", "days_since_event"]
    values: list[Union[bool, str]] | None = Field(default=None, alias="in")
    below: float | None = None
    at_least: float | None = None
    label: str
    optional: bool = Field(default=False, description="Not stated does not hold the conclusion back (it is shown as "
                           "one to check); stated and not met, it does.")


class AnyOf(BaseModel):
    """A group met when any one of its criteria is met."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    any_of: list[Criterion] = Field(alias="any")

    @property
    def label(self) -> str:
        return " or ".join(c.label for c in self.any_of)


class Source(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    document: str
    cites: str = Field(description="Words of the passage that states the criteria: the judgement is cited to it.")


class Says(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    met: str
    not_met: str = ""


class CriteriaSet(BaseModel):
    """Criteria a document states for a decision about a drug in one indication (`any`: whatever the indication)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    decision: Literal["start", "switch"]
    drug: str
    product: str | None = Field(default=None, description="The product the criteria are for (a label's own rule): they "
                                "apply only when the question names it.")
    indication: str
    context: str | None = None
    against: bool = Field(default=False, description="All met means the treatment is not indicated.")
    label: str
    source: Source
    when: list[Criterion] = Field(default_factory=list, description="When these criteria apply (a period after an "
                                  "event, 'day 0-100'): a set one of whose `when` is stated and not met is not judged.")
    all: list[Union[Criterion, AnyOf]]
    says: Says


@dataclass(frozen=True)
class Judgement:
    criteria: CriteriaSet
    statuses: tuple[tuple[str, Status, str], ...]  # (label, status, the patient's fact as said)
    text: str
    formula: str


@lru_cache(maxsize=8)
def _load(folder: Path, stamp: tuple) -> tuple[CriteriaSet, ...]:
    found: list[CriteriaSet] = []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            rows = data["criteria"]
            found += [CriteriaSet.model_validate(row) for row in rows]
        except (OSError, KeyError, TypeError, yaml.YAMLError, ValidationError) as exc:
            raise ConfigError(f"{path}: not a criteria file ({exc})") from exc
    ids = [c.id for c in found]
    if len(ids) != len(set(ids)):
        raise ConfigError(f"{folder}: criteria ids repeat")
    return tuple(found)


def load_criteria(rules_dir: Path) -> tuple[CriteriaSet, ...]:
    """The criteria sets under `rules_dir/criteria` (none when the folder is absent)."""
    folder = rules_dir / "criteria"
    if not folder.is_dir():
        return ()
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.y*ml")))
    return _load(folder, stamp)


def _said(patient: Patient, fact: str) -> str | None:
    value = getattr(patient, fact)
    if value is None:
        return None
    if fact == "igg_g_per_l":
        return f"IgG {fmt(value)} g/L"
    if fact == "infections":
        return patient.infections_said or value
    if fact == "despite_antibiotics":
        return "despite antibiotics"
    if fact == "days_since_event":
        return patient.since_said or f"{fmt(value)} days"
    return f"{value} vaccine responses"


def _status(c: Criterion, patient: Patient) -> Status:
    value = getattr(patient, c.fact)
    if value is None:
        return "not stated"
    if c.values is not None:
        return "met" if value in c.values else "not met"
    if c.below is not None:
        return "met" if value < c.below else "not met"
    if c.at_least is not None:
        return "met" if value >= c.at_least else "not met"
    return "not stated"


def _judge_one(item: Union[Criterion, AnyOf], patient: Patient) -> tuple[str, Status, str]:
    if isinstance(item, Criterion):
        return item.label, _status(item, patient), _said(patient, item.fact) or ""
    parts = [(c, _status(c, patient)) for c in item.any_of]
    met = [c for c, s in parts if s == "met"]
    if met:
        return item.label, "met", _said(patient, met[0].fact) or ""
    if all(s == "not met" for _, s in parts):
        return item.label, "not met", "; ".join(filter(None, (_said(patient, c.fact) for c, _ in parts)))
    # "IgG 4.2 g/L, vaccine responses not given": the part the question rules out is said, so the IgG is seen as read.
    unmet = "; ".join(f"{c.label}: not met ({_said(patient, c.fact)})" for c, s in parts if s == "not met")
    return item.label, "not stated", unmet


def facts_read(patient: Patient) -> bool:
    """Whether the patient's facts speak to any criterion (infections, antibiotics, vaccine responses, IgG)."""
    return any(getattr(patient, f) is not None for f in ("infections", "despite_antibiotics", "vaccine_response", "igg_g_per_l",
                                                         "days_since_event"))


def applicable(sets: tuple[CriteriaSet, ...], frame: QuestionFrame) -> list[CriteriaSet]:
    """The criteria for the frame's drug and indication (the context's own first), then those for any indication."""
    drug = frame.drug or ""
    own = [c for c in sets if c.indication == frame.indication and not c.against and c.drug in (drug, "any")
           and c.context in (None, frame.context)]
    own.sort(key=lambda c: c.context != frame.context)  # stable: the file's order within each
    general = [c for c in sets if c.indication == "any" and c.drug in (drug, "any")]
    return own + general


def judge(sets: tuple[CriteriaSet, ...], frame: QuestionFrame, continuing: bool = False,
          decision: str = "start") -> list[Judgement]:
    """The patient judged against the criteria that apply: the indication's own first set, and every set against
    treatment whose criteria are all met. Nothing when the question states no fact any criterion reads. Asked whether
    to go on (`continuing`), only criteria for a period after an event (`when`) answer: criteria for starting do not."""
    if not facts_read(frame.patient):
        return []
    out: list[Judgement] = []
    for c in applicable(sets, frame):
        if continuing and not c.when or c.decision != decision:
            continue
        if c.product and not any(c.product in p.lower() for p in frame.products):
            continue  # a product's own criteria ("switching to Hizentra") for a question naming that product
        if any(_status(w, frame.patient) == "not met" for w in c.when):
            continue  # the patient is outside the period these criteria are for
        statuses = tuple(_judge_one(item, frame.patient) for item in c.all)
        kinds = {s for (_, s, _), item in zip(statuses, c.all) if not (s == "not stated" and getattr(item, "optional", False))}
        if c.against:
            if kinds != {"met"}:
                continue
        elif any(j.criteria.indication == c.indication and not j.criteria.against for j in out):
            continue  # one set of the indication's own criteria is enough for a lead
        if kinds == {"not stated"}:
            continue  # nothing of the patient's bears on these criteria
        out.append(_render(c, statuses, kinds))
    return out


def _render(c: CriteriaSet, statuses: tuple[tuple[str, Status, str], ...], kinds: set[str]) -> Judgement:
    items = "; ".join(f"{label}: {status}" + (f" ({said})" if said else "")
                      for label, status, said in statuses)
    missing = [label for label, s, _ in statuses if s == "not stated"]
    if "not met" in kinds and not c.against:
        conclusion = f"Not all are met: {c.says.not_met}." if c.says.not_met else "Not all are met."
    elif kinds == {"met"}:
        conclusion = f"All are met: {c.says.met}."
        if missing:
            conclusion += f" Not stated in the question: {', '.join(missing)}; check it."
    else:
        conclusion = f"Not stated in the question: {', '.join(missing)}; check before deciding."
    text = f"Criteria for {c.label}, for this patient: {items}. {conclusion}"
    formula = "; ".join(f"{label}: {status}" for label, status, _ in statuses)
    return Judgement(c, statuses, text, formula)
