"""Schema of the bundled corpus: guideline front matter and the reference list citations resolve to."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.models import SafeUrl

# "[@key]" or "[@key1; @key2]" after a statement names the published sources it rests on.
CITATION_MARK = re.compile(r"\[@([a-z0-9][a-z0-9-]*(?:\s*;\s*@[a-z0-9][a-z0-9-]*)*)\]")
# "[grade: ...]" after a statement gives its evidence grade as the source states it.
GRADE_MARK = re.compile(r"\[grade:\s*([^\]]+)\]", re.IGNORECASE)


class Reference(BaseModel):
    """A published source (guideline, paper, label) that corpus statements cite."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    authors: str = Field(description="Authors or issuing body.")
    title: str
    publisher: str = Field(description="Journal or publisher.")
    year: int
    doi: str | None = None
    url: SafeUrl = Field(default=None, description="An http(s) URL; any other scheme (javascript:, data:, ...) is dropped.")
    peer_reviewed: bool = Field(default=True, description="False for a secondary summary (a web page, not peer reviewed).")

    def cite(self) -> str:
        """One-line citation in a conventional style."""
        tail = f" doi:{self.doi}" if self.doi else (f" {self.url}" if self.url else "")
        return f"{self.authors.rstrip('.')}. {self.title.rstrip('.')}. {self.publisher}; {self.year}.{tail}"


class GuidelineMeta(BaseModel):
    """YAML front matter of corpus/guidelines/*.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    issuer: str = Field(description="Who wrote this summary (the guideqa editorial team for the bundled corpus).")
    basis: list[str] = Field(min_length=1, description="Reference keys of the published guidelines summarised.")
    year: int
    population: list[str] = Field(min_length=1, description="e.g. adult, child, pregnancy, transplant recipient.")
    topics: list[str] = Field(min_length=1)
    references: list[str] = Field(min_length=1, description="Reference keys this document cites.")
    grades: dict[str, str] = Field(default_factory=dict, description="Evidence grade per section heading.")
    url: SafeUrl = Field(default=None, description="An http(s) URL; any other scheme (javascript:, data:, ...) is dropped.")


def cited_keys(text: str) -> list[str]:
    """Reference keys named by [@key] markers in text, in order of first appearance."""
    keys: list[str] = []
    for match in CITATION_MARK.finditer(text):
        for key in match.group(1).split(";"):
            key = key.strip().lstrip("@")
            if key not in keys:
                keys.append(key)
    return keys


@lru_cache(maxsize=8)
def load_references(path: Path) -> dict[str, Reference]:
    """Read corpus/references.yaml: a mapping of key to reference."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {key: Reference.model_validate(value) for key, value in raw.items()}
