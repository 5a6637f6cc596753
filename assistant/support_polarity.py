"""Polarity, recommendation strength, direction and grade of a text, by the cues of assistant/data/support-cues.yaml."""

from __future__ import annotations

import re

from assistant.support_cues import cues, normal


def polarity(text: str, directions: bool = True) -> str:
    """'positive', 'negative' (a negator or negative predicate that no negator just before it cancels) or 'neutral';
    without `directions`, a recommendation's direction ("we recommend against", "should not be used") is left out."""
    c = cues()
    text = normal(text)
    if c.neutral.search(text):
        return "neutral"
    if not directions:
        for rx in (c.graded, c.against, c.against_direction):
            text = rx.sub(" ", text)
    body = c.limits.sub(" ", text)
    marks = sorted([(m.start(), m.end(), "not") for m in c.negators.finditer(body)]
                   + [(m.start(), m.end(), "neg") for m in c.negative.finditer(body)]
                   + [(m.start(), m.end(), "against") for m in c.against.finditer(body)])
    left, i = 0, 0
    while i < len(marks):
        if (marks[i][2] == "not" and i + 1 < len(marks) and marks[i + 1][2] == "neg"
                and len(body[marks[i][1]:marks[i + 1][0]].split()) <= 2):  # "does not contraindicate"
            i += 2
            continue
        left, i = left + 1, i + 1
    return "negative" if left else "positive"


def strength(text: str) -> frozenset[str]:
    """The recommendation strength a text states ('strong', 'weak'): by its strength words, else by its verb."""
    c = cues()
    text = normal(text)
    if c.neutral.search(text):
        return frozenset()
    stated = frozenset(name for name in ("strong", "weak") if c.strength[name].search(text))
    return stated or frozenset(name for name in ("strong", "weak") if c.strength[f"{name}_verb"].search(text))


def direction(text: str) -> str | None:
    """The direction a statement gives a recommendation ('for', 'against', 'neutral'), or None when it gives none."""
    c = cues()
    text = normal(text)
    if c.neutral.search(text):
        return "neutral"
    if c.against.search(text) or c.against_direction.search(text) or re.search(r"\bagainst\b", text, re.I) and strength(text):
        return "against"
    return "for" if strength(text) else None


def grades(text: str) -> frozenset[str]:
    """Recommendation grades a text states ('class:iib', 'level:c')."""
    return frozenset(f"{i}:{m.group(1).lower()}" for i, rx in enumerate(cues().grades) for m in rx.finditer(text))
