"""A combination's strength pair written without its unit ("Increase to 11.25/69 x 14 days, then 15/92" about Qsymia):
when the answer is about a combination product and the cited passage writes that product's strengths as pairs in one
unit ("11.25 mg/ 69 mg"), each bare pair is one dose of each component in that unit, read and checked like a written
one (its cadence from the words after it)."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.doses.cadence import cadence
from assistant.doses.combinations import _data as combination_words
from assistant.doses.counts import _with
from assistant.doses.numbers import DIGNUM, number
from assistant.doses.parse import _MAX, _RAISED_TO, Amount, Scan
from assistant.doses.units import UNIT, normalise_unit, unit_info

_SP = r"[ \t\u00a0\u2009\u202f]*"
# "11.25/69", "15 / 92": two numbers joined by a slash, neither part of a longer run (a date "3/4/2021", a fraction
# inside a unit "mg/kg") nor followed by a unit (a written pair is the scanner's) or by a ratio's unit ("120/80 mmHg").
_BARE = re.compile(rf"(?<![\w.,/])(?P<n1>{DIGNUM}){_SP}/{_SP}(?P<n2>{DIGNUM})(?![\d/]|[.,]\d|{_SP}(?:{UNIT})(?![A-Za-z])"
                   rf"|{_SP}(?:mm{_SP}hg|%|per\b|in\b|of\b))", re.I)


def components(drug: str | None) -> tuple[str, ...]:
    """The components of a combination's name, in order ("phentermine/topiramate", "naltrexone and bupropion")."""
    if not drug:
        return ()
    parts = tuple(p.strip().lower() for p in combination_words()[1].split(drug) if p.strip())
    return parts if len(parts) == 2 else ()


def _passage_unit(sc: Scan, srcs: list[Scan] | None, parts: tuple[str, ...]) -> str | None:
    """The one unit the text's written pairs, or else the cited passages, give this combination's components in
    ("Qsymia 3.75/23 mg", "Phentermine 3.75 mg/ topiramate 23 mg": mg)."""
    from assistant.doses.grounding import amount_drug

    for group in ([sc], srcs or []):
        units = {normalise_unit(a.unit)[0] for src in group for k, a in enumerate(src.amounts)
                 if a.info is not None and a.info.dim == "mass" and a.info.per is None and not a.problem
                 and (a.component or amount_drug(src, k)) in parts}
        if units:
            return units.pop() if len(units) == 1 else None
    return None


def with_bare_pairs(sc: Scan, drug: str | None, srcs: list[Scan] | None) -> Scan:
    """The scan with each bare strength pair of the answer's combination read as two amounts. Only in a sentence that
    names no drug other than the combination (or its components)."""
    parts = components(drug)
    if not parts or "/" not in sc.text:
        return sc
    unit = _passage_unit(sc, srcs, parts)
    info = unit_info(unit) if unit else None
    if info is None:
        return sc
    extra: list[Amount] = []
    for m in _BARE.finditer(sc.text):
        if any(a.start < m.end() and m.start() < a.end for a in sc.amounts):
            continue
        k = sc.sentence_of(m.start("n1"))
        named = {p for d in sc.in_sentence(sc.drugs, k) for p in (components(d.canonical) or (d.canonical,))}
        if named - set(parts):
            continue  # another drug's numbers
        (v1, p1), (v2, p2) = number(m.group("n1")), number(m.group("n2"))
        if p1 or p2 or v1 <= 0 or v2 <= 0:
            continue
        s_start, s_end = sc.sentences[k]
        nxt = min([a.start for a in sc.amounts if m.end() <= a.start < s_end] +
                  [n.start() for n in _BARE.finditer(sc.text, m.end(), s_end)] + [s_end])
        after, before = sc.text[m.end():min(nxt, m.end() + 50)], sc.text[max(s_start, m.start() - 40):m.start()]
        cad = cadence(after, before, None)
        is_max = bool(_MAX.search(sc.text[max(s_start, m.start() - 64):m.start()]))
        raised = not is_max and bool(_RAISED_TO.search(sc.text[max(s_start, m.start("n1") - 40):m.start("n1")]))
        for n, value, part in (("n1", v1, parts[0]), ("n2", v2, parts[1])):
            raw = m.group(n)
            extra.append(Amount(start=m.start(n), end=m.end(n), text=raw, low=value, high=value, is_range=False,
                                unit=unit, info=info, is_max=is_max, cadence=cad, sentence=k, component=part,
                                pair_end=m.end("n2") if n == "n1" else None, raised_to=raised,
                                decimals=len(raw.split(".")[1]) if "." in raw else 0))
    return _with(sc, extra) if extra else sc
