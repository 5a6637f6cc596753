"""Small text utilities shared by ingest and answering: sentence splitting and tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable

ABBREVIATIONS = {"e.g", "i.e", "al", "vs", "dr", "fig", "approx", "no", "ref", "refs", "inc", "mr", "mrs", "ms", "st", "etc", "cf"}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9•])")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking decimals ('0.4 g/kg') or common abbreviations."""
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start()].strip()
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".!?\"')]").lower()
        if last_word in ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        if candidate:
            sentences.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def words(text: str) -> list[str]:
    """Lower-case word tokens (letters and digits)."""
    return re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text.lower())


# A bracketed number as sources write them ("[2]", "[9,10]", "[3-5]"): in guideline text it is the source's own
# reference, never a guideqa citation, so it is shown as "(9,10)" (same length, so character offsets still hold).
SOURCE_MARKER = re.compile(r"\[(\s*\d+(?:\s*[,;\u2013\u2014-]\s*\d+)*\s*)\]")


def neutralise(text: str) -> str:
    """Source text with its own bracketed numbers turned into parentheses, so nothing reads them as citations."""
    return SOURCE_MARKER.sub(lambda m: f"({m.group(1)})", text)


def phrase_alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first (so "as well" wins over "as"), a space matching any whitespace."""
    return "|".join(re.escape(str(p)).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
