"""Follow-up questions: a deterministic, session-aware standalone question.

Carries the drug, condition and population of earlier turns into an elliptical follow-up
("and in children?", "what dose?", "how long?"), replaces what the follow-up changes, and
leaves a self-contained question alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

POPULATIONS: dict[str, tuple[str, ...]] = {
    "children": ("child", "children", "pediatric", "paediatric", "kids", "infant", "infants", "adolescent", "adolescents", "newborn", "neonate", "boy", "girl"),
    "adults": ("adult", "adults", "grown-up"),
    "older adults": ("elderly", "older adult", "older adults", "older patients", "geriatric"),
    "pregnancy": ("pregnant", "pregnancy", "pregnant woman", "breastfeeding"),
    "obesity": ("obese", "obesity", "bmi"),
    "renal impairment": ("renal impairment", "kidney disease", "ckd", "renal failure", "dialysis"),
}
CONTEXTS: dict[str, tuple[str, ...]] = {
    "rituximab": ("rituximab", "anti-cd20", "b-cell depleting", "b-cell depletion", "ocrelizumab", "obinutuzumab"),
    "CAR-T therapy": ("car-t", "car t", "cart therapy", "chimeric antigen receptor"),
    "active infection": ("active infection", "infection", "pneumonia", "sepsis", "septic"),
}
ELLIPSIS_START = re.compile(r"^(and|but|also|what about|how about|what if|if|then|so|or|in|for|with|same|ok|okay)\b", re.I)
PRONOUN = re.compile(r"\b(it|that|this|these|those|them|she|he|her|his|they|the dose|the same)\b", re.I)
AFFIRM = re.compile(r"^\s*(yes|yeah|yep|sure|ok|okay|please|go on|tell me more|more)\W*$", re.I)


@dataclass(frozen=True)
class Topic:
    """What a question is about."""

    drug: str | None = None
    condition: str | None = None
    population: str | None = None
    context: str | None = None

    def merged(self, newer: "Topic") -> "Topic":
        """This topic with whatever the newer question names replacing it."""
        return replace(
            self,
            drug=newer.drug or self.drug,
            condition=newer.condition or self.condition,
            population=newer.population or self.population,
            context=newer.context or self.context,
        )


@lru_cache(maxsize=4)
def _vocabulary(rules_dir: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Drug and condition names with their synonyms, from the rules vocabulary."""
    path = rules_dir / "vocabulary.yaml"
    if not path.exists():
        return {}, {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def table(entries: list[dict]) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for entry in entries or []:
            name = entry["canonical"].replace("_", " ")
            out[name] = tuple(n.lower() for n in (name, *entry.get("synonyms", [])))
        return out

    return table(raw.get("drugs", [])), table(raw.get("indications", []))


def _find(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    best: tuple[int, str] | None = None
    for name, terms in table.items():
        for term in terms:
            match = re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", text)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), name)
    return best[1] if best else None


def topic_of(question: str, rules_dir: Path) -> Topic:
    """The drug, condition, population and context a question names."""
    text = question.lower()
    drugs, conditions = _vocabulary(rules_dir)
    return Topic(_find(text, drugs), _find(text, conditions), _find(text, POPULATIONS), _find(text, CONTEXTS))


def is_elliptical(question: str, topic: Topic) -> bool:
    """True when a question leans on earlier turns for its subject."""
    words = re.findall(r"\w+", question)
    if AFFIRM.match(question) or ELLIPSIS_START.match(question.strip()):
        return True
    if topic.drug is None and topic.condition is None:
        return True
    return len(words) <= 4 or bool(PRONOUN.search(question)) and len(words) <= 8


def standalone_question(question: str, history: list[str], rules_dir: Path) -> str:
    """Rewrite a follow-up into a question that can be searched alone (history: earlier standalone questions)."""
    question = " ".join(question.split())
    if not history:
        return question
    current = topic_of(question, rules_dir)
    if not is_elliptical(question, current):
        return question
    previous = Topic()
    for earlier in history:
        previous = previous.merged(topic_of(earlier, rules_dir))
    if AFFIRM.match(question):
        return history[-1]
    merged = previous.merged(current)
    carried = [
        part
        for part, here in (
            (merged.drug, current.drug),
            (merged.condition, current.condition),
            (merged.context, current.context),
        )
        if part and not here
    ]
    population = merged.population if merged.population and not current.population else None
    body = ELLIPSIS_START.sub("", question.strip()).strip(" ,?.") or question.strip(" ?")
    subject = " ".join(carried)
    suffix = f" in {population}" if population else ""
    if not subject and not suffix:
        return f"{body}? ({history[-1].rstrip('?')})"
    return f"{body[0].upper() + body[1:]} — {subject}{suffix}?".replace(" — ?", "?").replace("—  ", "— ")
