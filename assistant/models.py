"""Typed data that crosses boundaries: the Answer JSON of DESIGN.md and its parts."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

from assistant.question import WEIGHT_KG_MAX, WEIGHT_KG_MIN, QuestionFrame

Verdict = Literal["verified", "grounded", "out_of_range", "unit_error", "ungrounded", "ambiguous"]
Status = Literal["answered", "abstained", "blocked"]
PASSING_VERDICTS: frozenset[str] = frozenset({"verified", "grounded"})
# Chunk kinds that may back an answer statement; bibliography, search strategy, evidence tables, front matter, table of
# contents and superseded recommendations stay searchable but never become statements.
ANSWERABLE_KINDS: frozenset[str] = frozenset({"text", "recommendation", "table_row"})



def check_weight_kg(value: Any) -> float | None:
    """A patient weight in kg as a float, or ValueError (booleans, non-numbers, NaN, infinities, out of bounds)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("weight_kg must be a number of kilograms")
    weight = float(value)
    if not math.isfinite(weight) or not WEIGHT_KG_MIN <= weight <= WEIGHT_KG_MAX:
        raise ValueError(f"weight_kg must be between {WEIGHT_KG_MIN:g} and {WEIGHT_KG_MAX:g} kg")
    return weight


# For request models: strict (a JSON number; booleans and strings refused), finite, within the bounds (in the schema).
WeightKg = Annotated[float, Strict(), Field(ge=WEIGHT_KG_MIN, le=WEIGHT_KG_MAX, allow_inf_nan=False)]


def http_url(value: Any) -> str | None:
    """The URL when it is an absolute http(s) URL with a host, else None (javascript:, data:, file:, relative...)."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


# A URL that leaves guideqa (API output, front matter): only http and https; anything else becomes null.
SafeUrl = Annotated[str | None, AfterValidator(http_url)]


class DoseFinding(BaseModel):
    """One numeric dose found in a text, with the checker's verdict."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The dose expression as it stands in the text.")
    start: int = Field(description="Character offset where the expression starts.")
    end: int = Field(description="Character offset just past the expression.")
    drug: str | None = Field(default=None, description="Canonical drug the dose belongs to, if known.")
    value: float | list[float] = Field(description="The number, or [low, high] for a range.")
    unit: str = Field(description="Unit as normalised by the checker, e.g. 'g/kg'.")
    per_kg: bool = Field(description="True when the dose is per kilogram of body weight.")
    frequency: str | None = Field(default=None, description="Interval or frequency, e.g. 'every 3-4 weeks'.")
    verdict: Verdict
    rule_id: str | None = Field(default=None, description="The rule that decided the verdict.")
    source: str | None = Field(default=None, description="Citation of the rule's source.")
    message: str = Field(description="Plain explanation a clinician can read.")
    flags: list[str] = Field(default_factory=list, description="Error-prone notation found (ISMP).")


class Calculation(BaseModel):
    """How a calculated statement was worked out: the formula and the rule it applies."""

    formula: str
    rule_id: str


class Statement(BaseModel):
    """One sentence or bullet of an answer, with the citations that support it."""

    text: str
    citations: list[int] = Field(default_factory=list)
    grade: str | None = None
    withheld: bool = Field(default=False, description="True when the dose check withheld it.")
    calculated: Calculation | None = Field(default=None, description="Set when guideqa computed this statement for the patient.")
    references: list[str] = Field(default_factory=list, description="The published sources this statement's own line cites.")
    secondary_only: bool = Field(default=False, description="True when its only support is a secondary summary that is not "
                                                            "peer reviewed.")
    support_note: str | None = Field(default=None, description="'not supported by the cited source' when the claim-level "
                                     "support check found that its cited passages do not say it (shown only when the settings keep "
                                     "such statements; otherwise they are dropped).")


class Section(BaseModel):
    heading: str
    statements: list[Statement]


class Citation(BaseModel):
    """A numbered reference to one retrieved chunk, resolved to its source."""

    n: int
    chunk_id: str
    document_id: str
    title: str
    issuer: str | None = None
    year: int | None = None
    section: str | None = None
    page: int | None = None
    quote: str
    url: SafeUrl = Field(default=None, description="The source's http(s) URL (other schemes are never passed on).")
    references: list[str] = Field(default_factory=list, description="Published sources the passage cites.")


class Answer(BaseModel):
    """The Answer JSON of DESIGN.md."""

    question: str
    standalone_question: str
    session_id: str | None = None
    question_frame: QuestionFrame | None = Field(default=None, description="What the question was understood to ask about whom.")
    status: Status
    summary: str
    sections: list[Section] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    dose_checks: list[DoseFinding] = Field(default_factory=list)
    index_version: str
    generator: str
    latency_ms: float


class DoseReport(BaseModel):
    """Output of `guideqa check-doses --json`."""

    blocked: bool
    findings: list[DoseFinding]
