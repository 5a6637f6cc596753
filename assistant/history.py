"""A patient's clinical history as a question states it: infections, antimicrobial treatment, vaccine responses.

Criteria for starting a treatment (corpus/rules/criteria/) are judged against these facts. The words come from
data (assistant/data/patient-history.yaml), not from lists in code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import ConfigError
from assistant.text import phrase_alternation

HISTORY_FILE = Path(__file__).parent / "data" / "patient-history.yaml"

# How much infection the question reports, least to most. "recurrent" and "severe" meet a "recurrent or severe" criterion.
InfectionLevel = Literal["none", "minor", "single", "recurrent", "severe"]
_COUNT = re.compile(r"(?i)(?<![\d.])(\d{1,2})(?![\d.])|\b(zero|two|three|four|five|six|seven|eight|nine|ten|a few|few|a couple of|"
                    r"couple of|a couple|a number of|several|multiple|many)\b")
_WINDOW = 4  # words between a quality word and what it qualifies


class History(BaseModel):
    """What a question says about the patient's infections and antibody responses (None: not said)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    infections: InfectionLevel | None = Field(default=None, description="none, minor, single, recurrent or severe.")
    infections_said: str | None = Field(default=None, description="The words that said it ('3 pneumonias').")
    despite_antibiotics: bool | None = Field(default=None, description="Infections continued on antimicrobial treatment.")
    vaccine_response: Literal["normal", "impaired"] | None = Field(default=None, description="Specific antibody responses.")


class _Words(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    severe: list[str]
    bacterial: list[str]
    minor: list[str]
    recurrent: list[str]
    none: list[str]
    despite_antibiotics: list[str]
    subject: list[str]
    normal: list[str]
    impaired: list[str]


@lru_cache(maxsize=4)
def _words(path: Path = HISTORY_FILE) -> _Words:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return _Words(**data["infections"], despite_antibiotics=data["despite_antibiotics"], **data["vaccine_responses"])
    except (OSError, KeyError, TypeError, yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _phrases(phrases: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?i)(?<![\w-])(?:" + phrase_alternation({p.lower() for p in phrases}) + r")(?![\w-])")


@lru_cache(maxsize=4)
def _patterns(path: Path = HISTORY_FILE) -> dict[str, re.Pattern[str]]:
    w = _words(path)
    return {key: _phrases(getattr(w, key)) for key in _Words.model_fields}


def _word_index(text: str, at: int) -> int:
    return len(re.findall(r"\S+", text[:at]))


def _near(text: str, a: re.Match, pattern: re.Pattern[str], before: int = _WINDOW, after: int = _WINDOW) -> re.Match | None:
    """The match of `pattern` nearest to `a`, within `before` words before it and `after` words after it."""
    i = _word_index(text, a.start())
    found = [(abs(j - i), m) for m in pattern.finditer(text)
             if i - before <= (j := _word_index(text, m.start())) <= i + after and (m.start(), m.end()) != (a.start(), a.end())]
    return min(found, key=lambda x: x[0])[1] if found else None


def _distance(text: str, a: re.Match, b: re.Match | None) -> int:
    return abs(_word_index(text, a.start()) - _word_index(text, b.start())) if b is not None else 1 << 20


def history_of(text: str, path: Path = HISTORY_FILE) -> History:
    """The infections, antimicrobial treatment and vaccine responses a question reports."""
    p = _patterns(path)
    facts: dict = {}
    vaccine_subjects = list(p["subject"].finditer(text))
    # Vaccine responses first: "normal tetanus and pneumococcal responses" speaks of vaccines, not of infections.
    for subject in vaccine_subjects:
        impaired, normal = _near(text, subject, p["impaired"]), _near(text, subject, p["normal"])
        if impaired is not None or normal is not None:
            # The quality word nearest the response decides ("low IgG, normal vaccine titres" is a normal response).
            closer = _distance(text, subject, impaired) < _distance(text, subject, normal)
            facts["vaccine_response"] = "impaired" if closer else "normal"
            break
    response_spans = [(s.start(), s.end()) for s in vaccine_subjects]

    def outside_responses(m: re.Match) -> bool:
        return not any(s <= m.start() < e for s, e in response_spans)

    if none := p["none"].search(text):
        facts["infections"], facts["infections_said"] = "none", none.group(0)
    else:
        def count(m: re.Match) -> tuple[int, re.Match] | None:
            """The number said of them ('3 pneumonias', 'a few sinus infections'), within three words before, with the
            offset of the text it was found in."""
            start = max(0, m.start() - 40)
            head = text[start:m.start()]
            numbers = [c for c in _COUNT.finditer(head) if _word_index(head, c.start()) >= _word_index(head, len(head)) - 3]
            return (start, numbers[-1]) if numbers else None

        def zero(m: re.Match) -> bool:
            """Counted as none ('zero infections', '0 pneumonias')."""
            found = count(m)
            return found is not None and (found[1].group(1) == "0" or (found[1].group(2) or "").lower() == "zero")

        def said(m: re.Match) -> str:
            found = count(m)
            return text[found[0] + found[1].start():m.end()] if found else m.group(0)

        def several(m: re.Match) -> bool:
            """Several of them ('3 pneumonias', 'a few sinus infections', 'recurrent sinusitis', 'keeps getting otitis')."""
            found = count(m)
            if found is not None and (not (c := found[1]).group(1) or int(c.group(1)) >= 2):
                return True
            return _near(text, m, p["recurrent"], before=3, after=2) is not None

        severe = [m for m in p["severe"].finditer(text) if outside_responses(m) and not zero(m)]
        bacterial = [m for m in p["bacterial"].finditer(text) if outside_responses(m) and not zero(m)]
        minor = [m for m in p["minor"].finditer(text) if outside_responses(m)]
        counted_none = [m for m in p["bacterial"].finditer(text) if zero(m)]

        if severe:
            facts["infections"], facts["infections_said"] = "severe", said(severe[0])
        elif bacterial:
            many = [m for m in bacterial if several(m)]
            facts["infections"] = "recurrent" if many else "single"
            facts["infections_said"] = said((many or bacterial)[0])
        elif minor:
            facts["infections"], facts["infections_said"] = "minor", said(minor[0])
        elif counted_none:
            facts["infections"], facts["infections_said"] = "none", said(counted_none[0])
    if p["despite_antibiotics"].search(text):
        facts["despite_antibiotics"] = True
    return History(**facts)
