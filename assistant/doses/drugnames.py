"""Any drug a text names, from the offline dictionary of the `drug-named-entity-recognition` package."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.doses.lexicon import Mention

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]")


@lru_cache(maxsize=1)
def _finder():
    """The package's finder; importing it loads its dictionary (about 2 s), so only on first use."""
    from drug_named_entity_recognition import find_drugs
    return find_drugs


def warm() -> None:
    """Load the dictionary now (at rulebook load) rather than in the first answer."""
    _finder()


@lru_cache(maxsize=4096)
def dictionary_drugs(text: str) -> tuple[Mention, ...]:
    """Drugs (single substances and products, not drug classes) named in a text, with their spans."""
    words = list(_WORD.finditer(text))
    if not words:
        return ()
    found = []
    for data, first, last in _finder()([w.group(0) for w in words], is_ignore_case=True):
        name = str(data.get("name", ""))
        if not (data.get("drugbank_id") or data.get("medline_plus_id") or "/" in name):
            continue  # a class ("Antibodies", "statins") names no dose; a combination ("Buprenorphine/naloxone") does
        start, end = words[first].start(), words[last - 1].end()
        found.append(Mention(str(data.get("name", text[start:end])).lower(), start, end, text[start:end]))
    # A table's footnote letter run into the name ("Amlodipineb", "Chlorthalidoneb" in a guideline's dosage table):
    # the name without it, where the word itself names no drug.
    for w in words:
        word = w.group(0)
        if _FOOTNOTED.fullmatch(word) and not any(m.start <= w.start() < m.end for m in found):
            for data, _, _ in _finder()([word[:-1]], is_ignore_case=True):
                if data.get("drugbank_id") or data.get("medline_plus_id"):
                    found.append(Mention(str(data.get("name", word[:-1])).lower(), w.start(), w.end() - 1, word[:-1]))
    return tuple(sorted(found, key=lambda m: m.start))


_FOOTNOTED = re.compile(r"[A-Z][a-z]{5,}[a-e]")
