"""The clinical entities a text names: vocabulary slots, routes, and single substances (the offline drug dictionary),
and the values and routes a table gives one of the several drugs it names."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.quantities import Quantity, quantities
from assistant.support_cues import cues, normal
from assistant.support_text import _conceptualise, _Lexicon, _specific


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


@lru_cache(maxsize=2048)
def _entities(text: str, lex: _Lexicon) -> frozenset[str]:
    """Concept tokens of the entity slots and routes a text names, the concepts its documents define by an acronym
    ("long-acting muscarinic antagonist (LAMA)"), and the single substances it names."""
    concept = _conceptualise(text, lex)
    found = {t for t in re.findall(r"⟨[^⟩]+⟩", concept) if t in lex.slot_of or t.startswith("⟨acronym:")}
    found |= {e for t in list(found) for e in lex.implied.get(t, ())}
    routes = cues().routes
    found |= {f"⟨route:{name}⟩" for m in cues().route_pattern.finditer(normal(text))
              for name, words in routes.items() if m.group(0).lower() in words}
    found |= {f"⟨substance:{name}⟩" for name in _substances(normal(text))}
    return frozenset(found)


def _rows(drug: str, text: str) -> tuple[tuple[Quantity, ...], frozenset[str], str]:
    """The quantities, routes and text a table passage gives one of the several drugs it names: from each mention of the
    drug to the next mention of another ("Citalopram 20 mg ... Escitalopram 10 mg")."""
    flat = normal(text)
    mentions = sorted(_substance_mentions(flat), key=lambda m: m[1])
    if len({name for name, _, _ in mentions}) < 2 or drug not in {name for name, _, _ in mentions}:
        return (), frozenset(), ""
    found: list[Quantity] = []
    routes: set[str] = set()
    rows = []
    for i, (name, start, _) in enumerate(mentions):
        if name == drug:
            end = next((s for n, s, _ in mentions[i + 1:] if n != drug), len(flat))
            rows.append(flat[start:end])
            found += quantities(flat[start:end])
            routes |= {f"⟨route:{r}⟩" for m in cues().route_pattern.finditer(flat[start:end])
                       for r, words in cues().routes.items() if m.group(0).lower() in words}
    return tuple(found), frozenset(routes), " ".join(rows)




_DOSE_DIMS = ("[mass]", "[intl_activity]")


def _stacked(flat: str, found: list[Quantity], at: list[int]):
    """A PDF table's cell of several drugs stacked above their doses ("Chlorthalidone HCTZ Indapamide 12.5-25 mg daily
    25-50 mg daily 2.5 mg daily"): a run of two or more drug names (the drug dictionary's) side by side, nothing but a
    footnote letter between them, then at least as many doses before the next name, binds the doses to the names in
    order."""
    runs: list[list[tuple[int, str]]] = []
    last_end = -1
    for name, start, surface in _substance_mentions(flat):
        gap = flat[last_end:start] if last_end >= 0 else "x"
        if runs and re.fullmatch(r"[a-e]?[\s,]*", gap):
            runs[-1].append((start, name))
        else:
            runs.append([(start, name)])
        last_end = start + len(surface)
        while last_end < len(flat) and flat[last_end].isalpha():  # the rest of a glued word ("Chlorthalidoneb")
            last_end += 1
    for k, run in enumerate(runs):
        if len(run) < 2 or len({name for _, name in run}) < len(run):
            continue
        end = runs[k + 1][0][0] if k + 1 < len(runs) else None
        doses = [(q, i) for q, i in zip(found, at) if i > run[-1][0] and (end is None or i < end)
                 and q.dim is not None and q.dim.startswith(_DOSE_DIMS)]
        if len(doses) >= len(run):
            yield from ((q, name) for (q, _), (_, name) in zip(doses, run))


_BOUNDARY = re.compile(r"[;:,]|\.(?!\d)|\b(?:it|which|while|whereas|they|its)\b", re.I)
_NAME_WORD = re.compile(r"(?<![\w-])[A-Z][a-z]{3,}[a-z0-9]*(?![\w-])")


@lru_cache(maxsize=4096)
def value_names(text: str) -> tuple[tuple[Quantity, str], ...]:
    """Each value of a text with the drug or product it is given for: the closest name before it (a single substance
    the drug dictionary knows, or a capitalised word rare in English: a brand), where that name follows a value or
    starts the text (a name that follows another name is one of a list, as PDF tables run a column of names before
    their values, and binds nothing), in the same clause."""
    flat = normal(text)
    names = sorted({start: name for name, start, _ in _substance_mentions(flat)}.items())
    taken = {start for start, _ in names}
    names += [(m.start(), m.group(0).lower()) for m in _NAME_WORD.finditer(flat)
              if m.start() not in taken and _specific(m.group(0))]
    names.sort()
    found, at, last = [], [], 0
    for q in quantities(flat):
        hit = re.compile(rf"(?<![\w.]){re.escape(q.text)}").search(flat, last)  # not "5 mg" inside "15 mg"
        if hit is None:
            continue
        i = last = hit.start()
        found.append(q)
        at.append(i)
    out = list(_stacked(flat, found, at))
    for q, i in zip(found, at):
        before = [n for n in names if n[0] < i]
        if not before:
            continue
        start, name = before[-1]
        if len(before) > 1 and not any(before[-2][0] < j < start for j in at):
            continue  # a list of names
        if _BOUNDARY.search(flat, start, i):
            continue  # another clause: "A 2 mg equals B 10 mg; it has a half-life of 10-20 hours"
        out.append((q, name))
    return tuple(out)
