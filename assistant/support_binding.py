"""Elements bound to the unit that carries the claim: the population, condition, context, drug or route the statement
names, the values of a quantity's dimension, the frequencies it states in words, and a value a passage gives another
drug it names."""

from __future__ import annotations

from assistant.quantities import frequencies, quantity_in
from assistant.support_cues import cues, normal
from assistant.support_entities import value_names
from assistant.support_quantity import held
from assistant.support_source import _slot, _Source
from assistant.support_text import _content, _Unit

BOUND_SLOTS = ("populations", "indications", "contexts", "drugs", "substance", "name", "route", "acronym")  # bound to the claim's unit


def _binding(st: _Unit, start: int, size: int, src: _Source, entities: frozenset[str]) -> list[str]:
    """Every element the statement states bound to the unit of the span that carries its claim: the unit sharing most of
    its words (and, in a run of units, each unit holding one of its quantities) names no other population, condition,
    context, drug or route in place of one the statement names (unless the heading names it), and gives no other value
    of a quantity's dimension; the frequencies it states in words ("once daily") are the span's (or the drug's row's)."""
    units = src.units[start:start + size]
    named = src.unit_named[start:start + size]
    content = _content(st.words)
    substances = {e for e in entities if e.startswith("⟨substance:")}
    outside = []
    if src.graded:  # a drug the passage names only under another graded recommendation than the span's, of another
        rec = [0]  # direction ("we suggest X" against "we suggest against Y")
        for u in src.units[:-1]:
            rec.append(rec[-1] + bool(cues().graded.search(u.text)))
        mine = set(rec[start:start + size])
        way = lambda r: src.graded[r].direction if r < len(src.graded) else None  # noqa: E731
        ways = {way(r) for r in mine}
        elsewhere = frozenset().union(*(n for n, r in zip(src.unit_named, rec) if r not in mine and way(r) not in ways))
        spanned = frozenset().union(*(n for n, r in zip(src.unit_named, rec) if r in mine)) | src.heading_all
        outside = [f"binding: {e.strip('⟨⟩')} is named under another recommendation than the claim's"
                   for e in sorted(entities & elsewhere - spanned) if _slot(e) in ("drugs", "substance", "acronym")]

    def carries(i: int) -> tuple[int, bool, int]:  # its words and values, then naming the statement's drug
        got = sum(held(q, units[i].quantities, src.header_dims) for q in st.quantities)
        return len(content & units[i].words) + got, bool(substances & named[i]), -i

    main = max(range(size), key=carries)
    worded = max(range(size), key=lambda i: (len(content & units[i].words), -i))  # the unit its words are about
    anchors = {main}
    if size > 1 and src.rows is None:  # (a table's rows bind its values to its drugs already)
        anchors |= {i for i, u in enumerate(units) if any(held(q, u.quantities, src.header_dims) for q in st.quantities)}
    out = []
    for i in sorted(anchors):
        for e in sorted(entities - src.heading_named - named[i]):
            slot = _slot(e)
            others = sorted(o.strip("⟨⟩") for o in named[i] - entities if _slot(o) == slot and slot in BOUND_SLOTS)
            if others:
                out.append(f"binding: {e.strip('⟨⟩')} stands in another sentence than the one about {', '.join(others)}")
    if size > 1 and src.rows is None:
        for q in st.quantities:
            same = [p for p in units[worded].quantities if p.dim == q.dim or p.head and p.head[2] == q.dim
                    or q.head and q.head[2] == p.dim]  # "2-20 mg/day" is the value of "2-20 mg a day"
            if q.dim is not None and same and not any(held(s, same, src.header_dims) for s in st.quantities):
                out.append(f"binding: '{q.text.strip()}' stands in another sentence than the one it is said of")
    out += outside
    pool = src.row_frequencies if src.row_frequencies is not None else frozenset().union(*(u.frequencies for u in units))
    for times, period in sorted(frequencies(normal(st.text), explicit=True)):
        given = {t for t, p in pool if p == period}
        if given and times not in given:
            out.append(f"interval: {times} a {period} is not what the source gives ({', '.join(map(str, sorted(given)))} a {period})")
    return out


def _value_swaps(statement: str, text: str, headers: frozenset[tuple[float, str]]) -> list[str]:
    """A value the statement gives one drug or product that the passage gives only another it names ("the factor is
    1.37 for Hizentra and 1.30 for Cuvitru" does not support "Cuvitru's factor is 1.37")."""
    given = value_names(text)
    bound = {name for _, name in given}
    out = []
    for q, name in value_names(statement):
        if name not in bound:
            continue
        holders = {n for p, n in given if quantity_in(q, [p], headers)}
        if holders and name not in holders:
            out.append(f"binding: '{q.text.strip()}' is given for {', '.join(sorted(holders))}, not {name}")
    return out

