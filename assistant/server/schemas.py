"""What crosses HTTP: request and response bodies of the API (the Answer itself is assistant.models.Answer)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from assistant.models import SafeUrl, WeightKg
from assistant.retrieval import Filters


class FiltersIn(BaseModel):
    """Restrict retrieval: any of these documents, and every population and topic named."""

    model_config = ConfigDict(extra="forbid")

    documents: list[str] = Field(default_factory=list, max_length=100, description="Guideline ids (see GET /v1/documents).")
    population: list[str] = Field(default_factory=list, max_length=20, description="e.g. adult, child, pregnancy.")
    topics: list[str] = Field(default_factory=list, max_length=20)

    def to_filters(self) -> Filters:
        return Filters(documents=tuple(self.documents), population=tuple(self.population), topics=tuple(self.topics))


class AskRequest(BaseModel):
    """A question, optionally a follow-up within a session."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(max_length=100_000, description="Free text; the server's limit (settings.answer.max_question_chars) applies.")
    session_id: str | None = Field(default=None, max_length=200, description="Continue this session (one a `start_session` answer returned).")
    start_session: StrictBool = Field(
        default=False,
        description="Start a session for follow-ups: its id comes back in the answer's `session_id` and the turns are stored "
        "(until deleted or idle past the retention period). Without it nothing is stored and `session_id` is null.",
    )
    filters: FiltersIn | None = None
    weight_kg: WeightKg | None = Field(default=None, description="Patient weight in kg (0.3-700) for per-kg dose arithmetic.")


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Machine-readable, e.g. unauthorized, invalid_input, not_found, rate_limited.")
    message: str = Field(description="A message a user may see (never a traceback).")


class ErrorOut(BaseModel):
    """The one error shape of every non-2xx response."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail


class TurnOut(BaseModel):
    n: int
    question: str
    standalone_question: str
    answer: dict[str, Any] = Field(description="The Answer JSON of that turn.")
    created: float = Field(description="Unix time.")


class SessionOut(BaseModel):
    session_id: str
    turns: list[TurnOut]


class ReferenceOut(BaseModel):
    key: str
    citation: str = Field(description="One-line citation.")
    title: str
    year: int
    doi: str | None = None
    url: SafeUrl = None


class DocumentOut(BaseModel):
    id: str
    title: str
    issuer: str | None = None
    year: int | None = None
    topics: list[str] = Field(default_factory=list)
    population: list[str] = Field(default_factory=list)
    url: SafeUrl = None
    indexed: bool = Field(description="True when the current index holds this document.")
    references: list[ReferenceOut] = Field(default_factory=list)


class DocumentsOut(BaseModel):
    index_version: str | None
    documents: list[DocumentOut]


class IndexHealth(BaseModel):
    loaded: bool
    version: str | None = None
    chunks: int | None = None
    documents: int | None = None
    updated: str | None = None
    error: str | None = None


class StoreHealth(BaseModel):
    reachable: bool
    kind: Literal["embedded", "server"]
    error: str | None = None


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    ready: bool
    model_loaded: bool
    index: IndexHealth
    store: StoreHealth


class ReadyOut(BaseModel):
    status: Literal["ready"]
    index_version: str
