"""Who a conversation's turn is about: the same patient, another person, or the patient of earlier turns again.

A follow-up about someone else ("his dad has CVID, 92 kg — same range?", "her 6yo daughter is on IVIG too") keeps
nothing of the earlier patient (weight, age, IgG, population, circumstances); what was asked carries only when the turn
says so ("same", "too"). "Back to the boy" answers for the patient of the turns before the other person came in. The
words are data (assistant/data/people.yaml), not lists in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError
from assistant.text import phrase_alternation

PEOPLE_FILE = Path(__file__).parent / "data" / "people.yaml"


@dataclass(frozen=True)
class _Patterns:
    another: re.Pattern[str]
    same_subject: re.Pattern[str]
    back_to: re.Pattern[str]
    asks: re.Pattern[str]
    relative: re.Pattern[str]
    wh: re.Pattern[str]
    yes_no: re.Pattern[str]


@lru_cache(maxsize=4)
def _patterns(path: Path = PEOPLE_FILE) -> _Patterns:
    try:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        another, persons, relatives = data["another"], data["persons"], data["relatives"]
        same, back, earlier = data["same_subject"], data["back_to"], data["earlier_persons"]
        described = "|".join(f"(?:{p})" for p in data.get("earlier_person_described") or ())
        wh, openers = data["wh_words"], data["question_openers"]
        asking = [*wh, *data["question_words"]]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the people vocabulary ({exc})") from exc
    person = rf"\b(?:{phrase_alternation(another)})\s+(?:{phrase_alternation(persons)})\b"
    # "her 9 yo son", "pt's older brother", "the neighbour": a possessive or article, at most three words, the relative.
    relative = rf"\b(?:his|her|their|the|pt'?s|patient'?s)\s+(?:[\w-]+\s+){{0,3}}?(?:{phrase_alternation(relatives)})\b"
    return _Patterns(
        another=re.compile(f"(?i){person}|{relative}"),
        same_subject=re.compile(rf"(?i)\b(?:{phrase_alternation(same)})\b"),
        back_to=re.compile(rf"(?i)\b(?:{phrase_alternation(back)})\s+(?:the\s+|our\s+|my\s+|that\s+)?"
                           rf"(?:(?:{phrase_alternation(earlier)})\b{'|' + described if described else ''})"),
        asks=re.compile(rf"(?i)\?|\b(?:{phrase_alternation(asking)})\b|^\W*(?:\w+\W+)?(?:{phrase_alternation(openers)})\b"),
        relative=re.compile(f"(?i){relative}"),
        wh=re.compile(rf"(?i)\b(?:{phrase_alternation(wh)})\b"),
        yes_no=re.compile(rf"(?i)^\W*(?:{phrase_alternation(openers)})\b"),
    )


def about_another_person(text: str, path: Path = PEOPLE_FILE) -> bool:
    """Whether a turn is about a person other than the one discussed so far."""
    return bool(_patterns(path).another.search(text))


def keeps_subject(text: str, path: Path = PEOPLE_FILE) -> bool:
    """Whether a turn about another person asks the earlier question again ("same dose?", "has GBS too", or, about a
    relative, only their story, asking nothing of its own: "his sister: IgG 5.5 g/L, no unusual infections"; "next pt:
    3 yo with Kawasaki" starts over)."""
    found = _patterns(path)
    return bool(found.same_subject.search(text)) or bool(found.relative.search(text)) and asks_nothing(text, path)


def asks_wh(text: str, path: Path = PEOPLE_FILE) -> bool:
    """Whether a turn asks with a wh-word ("how long", "which dose"), not only yes or no."""
    return bool(_patterns(path).wh.search(text))


def asks_yes_no(text: str, path: Path = PEOPLE_FILE) -> bool:
    """Whether a turn opens as a yes/no question ("is adjusted weight required?", "should we...", "can he...")."""
    return bool(_patterns(path).yes_no.match(text))


def asks_nothing(text: str, path: Path = PEOPLE_FILE) -> bool:
    """Whether a turn asks nothing of its own: no question mark and no question word ("the older one is still spiking")."""
    return not _patterns(path).asks.search(text)


def _described_number(text: str, path: Path = PEOPLE_FILE) -> str | None:
    """The age or weight a turn coming back names its person by ("back to the 74yo": 74), if any."""
    m = _patterns(path).back_to.search(text)
    found = re.search(r"\d{1,3}(?:\.\d)?", m.group(0)) if m else None
    return found.group(0) if found else None


def returns_to_earlier_patient(text: str, path: Path = PEOPLE_FILE) -> bool:
    """Whether a turn comes back to the patient of the conversation's earlier turns ("back to the boy")."""
    return bool(_patterns(path).back_to.search(text))


@dataclass(frozen=True)
class Audience:
    """The earlier turns a turn follows on from, and whether it is about another person than theirs."""

    turns: list[dict]
    new_person: bool = False
    back: bool = False  # the turn comes back to the patient of earlier turns ("back to the first twin"): it follows on


def audience(text: str, turns: list[dict], path: Path = PEOPLE_FILE) -> Audience:
    """Which earlier turns a turn is about (`turns`: the session's turns, oldest first, each with its "question").

    Another person: no earlier turn when the turn asks something of its own, all of them when it says it asks the same
    (their patient does not carry: `new_person`). Back to the earlier patient: the turns before the latest turn that
    moved to another person. Otherwise: all of them."""
    if not turns:
        return Audience(turns)
    # (coming back is read first: "back to the first twin", "back to mum" name a relative too)
    if returns_to_earlier_patient(text, path):
        moved = [i for i, turn in enumerate(turns) if i and about_another_person(str(turn.get("question", "")), path)
                 and not returns_to_earlier_patient(str(turn.get("question", "")), path)]
        if moved:
            # "back to the 85yo": the person the turns since the last move describe by that age or weight is still the one
            # discussed; another described so comes before them
            number = _described_number(text, path)
            since = " ".join(str(turn.get("question", "")) for turn in turns[moved[-1]:])
            if number and re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", since):
                return Audience(turns)
            return Audience(turns[:moved[-1]], back=True)
    if about_another_person(text, path):
        return Audience(turns if keeps_subject(text, path) else [], new_person=True)
    return Audience(turns)
