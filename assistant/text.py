"""Small text utilities shared by ingest and answering: sentence splitting and tokens."""

from __future__ import annotations

import re

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
