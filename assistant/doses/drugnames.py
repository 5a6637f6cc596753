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
    return tuple(sorted(found, key=lambda m: m.start))
