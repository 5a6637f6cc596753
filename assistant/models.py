"""Typed data that crosses boundaries: the Answer JSON of DESIGN.md and its parts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["verified", "grounded", "out_of_range", "unit_error", "ungrounded", "ambiguous"]
Status = Literal["answered", "abstained", "blocked"]
PASSING_VERDICTS: frozenset[str] = frozenset({"verified", "grounded"})


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


class Statement(BaseModel):
    """One sentence or bullet of an answer, with the citations that support it."""

    text: str
    citations: list[int] = Field(default_factory=list)
    grade: str | None = None
    withheld: bool = Field(default=False, description="True when the dose check withheld it.")


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
    url: str | None = None
    references: list[str] = Field(default_factory=list, description="Published sources the passage cites.")


class Answer(BaseModel):
    """The Answer JSON of DESIGN.md."""

    question: str
    standalone_question: str
    session_id: str | None = None
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
