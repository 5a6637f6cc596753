"""The single substances a text names, by the offline drug dictionary (drug-named-entity-recognition): names glued to
a PDF table's footnote letter, general abbreviations in capitals, and a substance before a class word left out."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.support_cues import cues


@lru_cache(maxsize=1)
def _drug_finder():
    from drug_named_entity_recognition import find_drugs  # its dictionary loads on first use (about 2 s)

    return find_drugs


_DRUG_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]")


@lru_cache(maxsize=4096)
def _substance_mentions(text: str) -> tuple[tuple[str, int, str], ...]:
    """(name, offset, surface) of every single substance (not a class) the offline drug dictionary finds in a text;
    short lower-case words it reads as a drug ("caps") are left out."""
    found = [(re.sub(r"['’]s$", "", w.group(0)), w.start()) for w in _DRUG_WORD.finditer(text)]  # "Baclofen's"
    if not found:
        return ()
    out: dict[int, tuple[str, int, str]] = {}
    # PDF tables glue a footnote letter to a name ("Orphenadrinec"): a capitalised word is read without it as well
    unglued = [w[:-1] if len(w) >= 7 and w[0].isupper() and w[1:].islower() and w[-1] in "abcde" else w for w, _ in found]
    # a drug's general abbreviation in capitals ("HCTZ", "HCTZb" with a footnote letter) is that drug
    abbreviations = cues().abbreviations
    spelled = [abbreviations.get(_bare_caps(w).lower(), w) if _bare_caps(w) else w for w in unglued]
    spelled = [w if len(w.split()) == 1 else u for w, u in zip(spelled, unglued)]
    for words in ([w for w, _ in found], unglued, spelled):
        for d, s, e in _drug_finder()(words, is_ignore_case=True):
            surface = " ".join(words[s:e])
            if (d.get("drugbank_id") or d.get("medline_plus_id")) and (len(surface) >= 5 or not surface.islower()):
                name = re.sub(r"-[a-z]{4}$", "", str(d.get("name", "")).lower())  # a biologic's suffix ("-jjmr")
                after = found[e - 1][1] + len(found[e - 1][0])
                if cues().class_after is not None and cues().class_after.match(text, after):
                    continue  # "aldosterone antagonists", "vitamin K antagonists": a class
                out.setdefault(found[s][1], (name, found[s][1], surface.lower()))
    return tuple(out[k] for k in sorted(out))


def _bare_caps(word: str) -> str:
    """An abbreviation in capitals, without a footnote letter glued to it ("HCTZb": HCTZ), or ""."""
    if len(word) >= 3 and word.isupper():
        return word
    if len(word) >= 4 and word[:-1].isupper() and word[-1] in "abcde":
        return word[:-1]
    return ""


def _substances(text: str) -> frozenset[str]:
    return frozenset(name for name, _, _ in _substance_mentions(text))


def _mentions(name: str, text: str) -> bool:
    """A text names a drug also where PDF tables glue a footnote letter or a suffix to it ("Eplerenoned", "-jjmr")."""
    head = name.split()[0].split("-")[0]
    return len(head) >= 5 and re.search(rf"(?<![a-z]){re.escape(head)}(?:[a-e]\b|-[a-z]+|\b)", text.lower()) is not None
