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
            for w in words[first:last] if last - first > 1 else ():
                # "Low-dose aspirin", an entry with no drug id: the drug is one of its words
                found += [Mention(str(d.get("name")).lower(), w.start(), w.end(), w.group(0))
                          for d, _, _ in _finder()([w.group(0)], is_ignore_case=True)
                          if d.get("drugbank_id") or d.get("medline_plus_id")]
            continue
        if " ".join(w.group(0) for w in words[first:last]).lower() in _NOT_NAMES:
            continue  # a class ("Antibodies", "statins") names no dose; a combination ("Buprenorphine/naloxone") does
        start, end = words[first].start(), words[last - 1].end()
        if _CLASS_AFTER.match(text, end):
            continue  # "Angiotensin II Receptor Blockers", "Calcitonin Gene-related Peptide Inhibitors": a class label
        found.append(Mention(str(data.get("name", text[start:end])).lower(), start, end, text[start:end]))
    # A table's footnote letter run into the name ("Amlodipineb", "Chlorthalidoneb" in a guideline's dosage table):
    # the name without it, where the word itself names no drug.
    for w in words:
        word = w.group(0)
        if _FOOTNOTED.fullmatch(word) and not any(m.start <= w.start() < m.end for m in found):
            for data, _, _ in _finder()([word[:-1]], is_ignore_case=True):
                if data.get("drugbank_id") or data.get("medline_plus_id"):
                    found.append(Mention(str(data.get("name", word[:-1])).lower(), w.start(), w.end() - 1, word[:-1]))
    found.sort(key=lambda m: m.start)
    # "Metformin (Biguanides): 500 mg", "Isosorbide mononitrate (Nitrates)": a plural name in parentheses right after a
    # drug's name is the class a dosage table files the drug under, not a second drug the doses could be for.
    return tuple(m for k, m in enumerate(found) if not (
        k and m.surface.lower().endswith("s") and _CLASS_PAREN.fullmatch(text, found[k - 1].end, m.start)
        and re.match(r"\s*\)", text[m.end:])))


_CLASS_PAREN = re.compile(r"\s*\(\s*")
# Table words the dictionary lists as a brand of some drug ("Generics" as a synonym of oxazepam): a column's label.
_NOT_NAMES = frozenset({"generic", "generics"})
# A name followed by a class word names the drugs acting on it, not a drug: "(Angiotensin II Receptor Blockers (ARB))"
# after "Irbesartan" in a dosage table is the class of irbesartan.
_CLASS_AFTER = re.compile(r"(?i)[\s/-]*(?:[\w-]+[\s/-]+){0,3}?(?:receptors?|blockers?|inhibitors?|antagonists?|agonists?"
                          r"|channel)(?![\w-])")
_FOOTNOTED = re.compile(r"[A-Z][a-z]{5,}[a-e]|[A-Z]{3,}[a-e]")  # "Amlodipineb", "HCTZb"
