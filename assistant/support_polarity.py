"""Polarity, recommendation strength, direction and grade of a text, by the cues of assistant/data/support-cues.yaml."""

from __future__ import annotations

import re

from assistant.support_cues import cues, normal, wordnet
from assistant.support_scope import polarity_cues

_NEXT_WORD = re.compile(r"\s*([A-Za-z][A-Za-z-]*)")


def _attributive(text: str, m: re.Match) -> bool:
    """A negative word that only describes a thing, or belongs to a name: an adjective (one of its frequent senses in
    WordNet, and none a verb) just before the noun it modifies, no copula before it ("ineffective antimicrobial treatment", "unnecessary tests"), or a word
    written with a capital inside a run of capitalised words ("Dietary Approaches to Stop Hypertension")."""
    word = m.group(0)
    before = text[:m.start()].split()
    after = _NEXT_WORD.match(text, m.end())
    initial = not before or before[-1].endswith((".", ":", ";", "!", "?")) or before[-1][:1].isdigit()
    if word[:1].isupper() and not initial and (before[-1][:1].isupper() or after and after.group(1)[:1].isupper()):
        return True
    wn = wordnet(cues().wordnet_senses)
    if wn is None or after is None or after.group(1).lower() in polarity_cues().prepositions | polarity_cues().function \
            or after.group(1).lower() in ("or", "and", "nor", "but"):
        return False
    from assistant.support_cues import _stemmer
    if before and before[-1].lower() in _COPULAS:  # "is ineffective", "remains unnecessary": said of the subject
        return False
    senses = wn.synsets(_stemmer().stemWord(word.lower()))
    return any(x // 10**8 == 2 for x in senses) and not any(x // 10**8 == 1 for x in senses)  # "avoid TCAs" is a verb


_COORDINATED = re.compile(r"[,;:()]|\b(?:and|or|but|then|while|whereas)\b", re.I)
_COPULAS = frozenset("is are was were be been being remain remains remained become becomes became seem seems".split())


def polarity(text: str, directions: bool = True, negators: bool = True) -> str:
    """'positive', 'negative' (a negator or negative predicate that no negator just before it cancels) or 'neutral';
    without `directions`, a recommendation's direction ("we recommend against", "should not be used") is left out."""
    c = cues()
    text = normal(text)
    if c.neutral.search(text):  # where a graded passage's grade gives the direction, neutrality is the grade's too
        return "neutral" if directions else "positive"
    if not directions:
        for rx in (c.graded, c.against, c.against_direction):
            text = rx.sub(" ", text)
    body = polarity_cues().antecedent.sub(" ", c.limits.sub(" ", text))  # "if the target is not reached" is a condition
    marks = sorted([(m.start(), m.end(), "not") for m in c.negators.finditer(body)]
                   + [(m.start(), m.end(), "neg") for m in c.negative.finditer(body) if not _attributive(body, m)]
                   + [(m.start(), m.end(), "against") for m in c.against.finditer(body)])
    left, i = 0, 0
    while i < len(marks):
        between = body[marks[i][1]:marks[i + 1][0]] if i + 1 < len(marks) else ""
        if (marks[i][2] == "not" and i + 1 < len(marks) and marks[i + 1][2] == "neg" and len(between.split()) <= 6
                and not _COORDINATED.search(between)):  # "does not contraindicate", "is not by itself a reason to stop"
            i += 2
            continue
        if negators or marks[i][2] != "not":
            left += 1
        i += 1
    return "negative" if left else "positive"


def alternative_polarity(text: str) -> str:
    """Where a text offers one thing as an alternative to another ("A instead of B", "A as an alternative to B"), its
    polarity without the words that name the alternative; else ""."""
    alternatives = polarity_cues().alternatives
    if not alternatives.search(normal(text)):
        return ""
    return polarity(alternatives.sub(" ", normal(text)))


def strength(text: str) -> frozenset[str]:
    """The recommendation strength a text states ('strong', 'weak'): by its strength words, else by its modality ("may
    consider": weak, support-polarity.yaml), else by its verb."""
    c = cues()
    text = normal(text)
    if c.neutral.search(text):
        return frozenset()
    stated = frozenset(name for name in ("strong", "weak") if c.strength[name].search(text))
    modal = polarity_cues().modality
    stated = stated or frozenset(name for name in ("strong", "weak") if name in modal and modal[name].search(text))
    return stated or frozenset(name for name in ("strong", "weak") if c.strength[f"{name}_verb"].search(text))


def direction(text: str) -> str | None:
    """The direction a statement gives a recommendation ('for', 'against', 'neutral'), or None when it gives none."""
    c = cues()
    text = normal(text)
    if c.neutral.search(text):
        return "neutral"
    text = polarity_cues().antecedent.sub(" ", text)  # "for patients who want to avoid hospitalization"
    if c.against.search(text) or c.against_direction.search(text) or re.search(r"\bagainst\b", text, re.I) and strength(text):
        return "against"
    return "for" if strength(text) else None


def grades(text: str) -> frozenset[str]:
    """Recommendation grades a text states ('class:iib', 'level:c')."""
    return frozenset(f"{i}:{m.group(1).lower()}" for i, rx in enumerate(cues().grades) for m in rx.finditer(text))
