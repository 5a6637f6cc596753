"""Claim-level support: does a generated statement say what the passage it cites says? Deterministic and offline.

A statement is supported when one span of a cited passage (a sentence, bullet or up to three consecutive ones)
- holds every quantity the statement states (number and unit; equivalent units, number words and dosing shorthand
  count, via pint); where the statement names one drug of a table that names several, that drug's row must hold them,
- agrees with it in polarity clause by clause (a negator or negative predicate makes a clause negative, a negator just
  before a negative predicate cancels it; "insufficient evidence" is neutral), uses no word of opposite meaning in its
  place (next to the same words), and states no recommendation grade (AHA class, level of evidence) it lacks,
- covers enough of the statement's content words (stems; synonyms, vocabulary terms, abbreviations and a passage's
  own acronyms count as their concept),
- binds its elements to the unit that carries its claim: that unit names no other population, condition, context, drug
  or route in place of one the statement names; in a run of units, the unit its words are about gives no other value of a
  quantity's dimension than the statement's; frequencies in words ("once daily") and, in an ungraded table, polarity
  are read from the drug's row where the statement names one drug of several,
the graded recommendation closest to the statement (VA/DoD "Strong for", "Weak against", "Neither for nor against")
has the direction and strength the statement gives it, and the passage or its heading path names every drug,
condition, context, population and route the statement names.
The cues are data (assistant/data/support-cues.yaml); the clinical words come from the corpus vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.quantities import Quantity, frequencies, header_dims, quantities, quantity_in
from assistant.support_cues import CUES_FILE, clean, cues, normal
from assistant.support_entities import _entities, _mentions, _rows, _substances, value_names
from assistant.support_polarity import direction, grades, polarity, strength
from assistant.support_text import _glued, _graded, _Graded, _lexicon, _Lexicon, _passage_units, _unit_of, _Unit, _content, _conceptualise, _kin, _words, acronyms_of
from assistant.vocabulary import Vocabulary

__all__ = ["CUES_FILE", "MAX_UNCOVERED", "MIN_COVERAGE", "NOT_SUPPORTED", "SupportVerdict", "acronyms_of", "check_support", "clean",
           "cues", "direction", "grades", "normal", "polarity", "quantities", "strength"]

# The share of a statement's content words its span must hold, and the most words it may leave uncovered: measured on
# both independent dev sets together (evals/cases/support-dev.jsonl and support2-dev.jsonl) by `evals.support.sweep`
# over 0.5-0.85 x 1-6: the rule takes the highest recall of "unsupported" whose precision is at least 0.9, and the
# highest accuracy where no pair reaches it. 0.65/4 (to 0.65/6) gives precision 0.911, recall 0.863, accuracy 0.869;
# 0.75/3 has recall 0.890 at precision 0.884.
MIN_COVERAGE = 0.65
MAX_UNCOVERED = 4
SPAN_UNITS = 3
BOUND_SLOTS = ("populations", "indications", "contexts", "drugs", "substance", "route")  # bound to the claim's unit
CLAUSE_COVERAGE = 0.5  # a coordinated claim ("..., and it also ...") with less of its words in the span is an added claim


@dataclass(frozen=True)
class SupportVerdict:
    """Whether the cited passages support a statement, why not, and the passage span that supports it best."""

    supported: bool
    reasons: tuple[str, ...] = ()
    quote: str | None = None
    passage: int | None = None  # index into the passages given
    coverage: float = 0.0



# ---- the check ----------------------------------------------------------------------------------------------------
HeadingPath = str | Sequence[str]


def _heading(path: HeadingPath | None) -> str:
    if not path:
        return ""
    return path if isinstance(path, str) else " > ".join(map(str, path))


def _near(seq: Sequence[str], word: str, reach: int = 2) -> set[str]:
    """The content words within `reach` content words of each use of a word."""
    light = cues().light
    content = [w for w in seq if w not in light or w == word]
    return {w for i, x in enumerate(content) if x == word for w in content[max(0, i - reach):i + reach + 1] if w != word}


def _antonym_swaps(st: _Unit, span: Sequence[_Unit], passage: frozenset[str]) -> list[str]:
    """Words of the statement whose opposite stands in the span next to the same words, while they stand nowhere in it."""
    words = frozenset(st.sequence)
    span_words = frozenset().union(*(u.words for u in span))
    out = []
    for a, b in cues().antonyms:
        for x, y in ((a, b), (b, a)):
            if x in words and x not in span_words and x not in passage and any(
                    _near(st.sequence, x) & _near(u.sequence, y) for u in span if y in u.sequence):
                out.append(f"says '{x}' where the source says '{y}'")
    return sorted(set(out))


def _polarity_problem(statement: _Unit, span: Sequence[_Unit], graded: bool) -> str | None:
    """A clause of the statement whose closest clause in the span has the other polarity (where the passage grades its
    recommendations, their direction is judged by the grade and left out here)."""
    clauses = [c for u in span for c in u.clauses]
    k = 2 if graded else 1
    if not clauses:
        return None
    closest = [max(range(len(clauses)), key=lambda i: (len(c[0] & clauses[i][0]), -len(clauses[i][0])))
               for c in statement.clauses]
    for clause, best in zip(statement.clauses, closest):
        words, pol = clause[0], clause[k]
        if len(words) < 2 or not words & clauses[best][0]:
            continue
        if pol != clauses[best][k] and not any(  # the statement cut the source's clause elsewhere ("X concluded that, ...")
                b == best and c[k] == clauses[best][k] and c[0] & clauses[best][0] for c, b in zip(statement.clauses, closest)):
            return f"polarity: the statement is {pol}, the source is {clauses[best][k]}"
    return None


def _grade_problem(statement: str, st: _Unit, graded: Sequence[_Graded]) -> list[str]:
    """The graded recommendation closest to the statement must have the direction and strength the statement gives."""
    if not graded:
        return []
    content = _content(st.words)
    def overlap(g: _Graded) -> tuple[int, float]:
        shared = len(content & (g.words | _glued(frozenset(content), g.words)))
        return shared, shared / (len(g.words) or 1)

    best = max(graded, key=overlap)
    said, stated = direction(statement), strength(statement)
    out = []
    if said is not None and said != best.direction:
        out.append(f"polarity: the statement is {said}, the source's recommendation {best.direction}")
    if stated and best.strength and best.strength not in stated:
        out.append(f"strength: the statement is {'/'.join(sorted(stated))}, the source {best.strength}")
    return out


def _slot(token: str) -> str:
    return token[1:].split(":", 1)[0]


def _binding(st: _Unit, start: int, size: int, src: _Source, entities: frozenset[str]) -> list[str]:
    """Every element the statement states bound to the unit of the span that carries its claim: the unit sharing most of
    its words (and, in a run of units, each unit holding one of its quantities) names no other population, condition,
    context, drug or route in place of one the statement names (unless the heading names it), and gives no other value
    of a quantity's dimension; the frequencies it states in words ("once daily") are the span's (or the drug's row's)."""
    units = src.units[start:start + size]
    named = src.unit_named[start:start + size]
    content = _content(st.words)
    substances = {e for e in entities if e.startswith("⟨substance:")}

    def carries(i: int) -> tuple[int, bool, int]:  # its words and values, then naming the statement's drug
        held = sum(quantity_in(q, units[i].quantities, src.header_dims) for q in st.quantities)
        return len(content & units[i].words) + held, bool(substances & named[i]), -i

    main = max(range(size), key=carries)
    worded = max(range(size), key=lambda i: (len(content & units[i].words), -i))  # the unit its words are about
    anchors = {main}
    if size > 1 and src.rows is None:  # (a table's rows bind its values to its drugs already)
        anchors |= {i for i, u in enumerate(units) if any(quantity_in(q, u.quantities, src.header_dims) for q in st.quantities)}
    out = []
    for i in sorted(anchors):
        for e in sorted(entities - src.heading_named - named[i]):
            slot = _slot(e)
            others = sorted(o.strip("⟨⟩") for o in named[i] - entities if _slot(o) == slot and slot in BOUND_SLOTS)
            if others:
                out.append(f"binding: {e.strip('⟨⟩')} stands in another sentence than the one about {', '.join(others)}")
    if size > 1 and src.rows is None:
        for q in st.quantities:
            same = [p for p in units[worded].quantities if p.dim == q.dim]
            if q.dim is not None and same and not any(quantity_in(s, same, src.header_dims) for s in st.quantities):
                out.append(f"binding: '{q.text.strip()}' stands in another sentence than the one it is said of")
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


@dataclass(frozen=True)
class _Source:
    """One cited passage as the check reads it."""

    units: tuple[_Unit, ...]
    named: frozenset[str]
    heading_words: frozenset[str]
    words: frozenset[str]
    graded: tuple[_Graded, ...]
    grades: frozenset[str]
    header_dims: frozenset[tuple[float, str]]
    rows: tuple[Quantity, ...] | None  # the quantities of the statement's one drug's row(s), where the passage is a table
    row_routes: frozenset[str] = frozenset()  # and the routes its row(s) name
    row_frequencies: frozenset[tuple[int, str]] | None = None  # and the frequencies its row(s) give
    unit_named: tuple[frozenset[str], ...] = ()  # the entities each unit names
    heading_named: frozenset[str] = frozenset()  # and the heading path
    row_unit: _Unit | None = None  # the statement's one drug's row(s) as one unit, where the passage is a table

def _judge(st: _Unit, start: int, size: int, src: _Source, entities: frozenset[str], min_coverage: float,
           max_uncovered: int) -> tuple[list[str], float]:
    """What keeps a span from supporting the statement (nothing: it supports it), and the coverage share."""
    span = src.units[start:start + size]
    words = frozenset().union(*(u.words for u in span))
    words |= _glued(st.words, words)
    found = src.rows or [p for u in span for p in u.quantities]
    reasons = [f"quantity '{q.text.strip()}' is not in the source" for q in st.quantities
               if not quantity_in(q, found, src.header_dims)]
    reasons += [f"names {e.strip('⟨⟩')} which the source does not" for e in sorted(entities - src.named)]
    if src.row_routes:
        reasons += [f"route {e.strip('⟨⟩')} is not the one the drug's row gives" for e in sorted(entities - src.row_routes)
                    if e.startswith("⟨route:") and e in src.named]
    reasons += _binding(st, start, size, src, entities)
    if (p := _polarity_problem(st, [src.row_unit] if src.row_unit and not src.graded else span, bool(src.graded))) is not None:
        reasons.append(p)
    if not src.graded:
        span_strength = frozenset().union(*(strength(u.text) for u in span))
        stated = strength(st.text)
        if stated and span_strength and not stated & span_strength:
            reasons.append(f"strength: the statement is {'/'.join(sorted(stated))}, the source {'/'.join(sorted(span_strength))}")
    reasons += _antonym_swaps(st, span, src.words)
    pairs = [p for u in span for p in u.preferences]
    for a, b in st.preferences:  # "A over B" where the source prefers B over A (and nowhere A over B)
        if any(a & d and b & c for c, d in pairs) and not any(a & c and b & d for c, d in pairs):
            reasons.append("preference: the statement prefers what the source puts second")
            break
    content = _content(st.sequence) or _content(st.words)  # the words of its quantities are the quantity check's
    pool = words | src.heading_words
    pool |= _kin(content - pool, pool)  # a synonym WordNet knows ("final" for "last")
    covered = content & pool
    share = len(covered) / len(content) if content else 1.0
    missing = len(content) - len(covered)
    for clause in st.claims:
        if len(clause) >= 2 and len(clause & pool) / len(clause) < CLAUSE_COVERAGE:
            reasons.append(f"adds a claim the source does not make: {', '.join(sorted(w.strip('⟨⟩') for w in clause - pool))}")
            break
    passage_words = src.words | src.heading_words
    for w in sorted(st.specific & (content - covered)):
        if w not in passage_words and w not in _glued(frozenset([w]), passage_words) and not _kin({w}, passage_words):
            reasons.append(f"names '{w}' which the source does not")
    if share < min_coverage or missing > max_uncovered:
        reasons.append(f"coverage {share:.2f}: the source does not say {', '.join(sorted(w.strip('⟨⟩') for w in content - covered))}")
    return reasons, share


def _source(path: HeadingPath | None, text: str, lex: _Lexicon, entities: frozenset[str], drugs: frozenset[str]) -> _Source:
    heading = _heading(path)
    named = _entities(text, lex) | (_entities(heading, lex) if heading else frozenset())
    named |= {e for e in entities if e.startswith("⟨substance:") and _mentions(e[11:-1], f"{text} {heading}")}
    units = _passage_units(text, lex)
    rows, row_routes, row_text = _rows(next(iter(drugs)), text) if len(drugs) == 1 else ((), frozenset(), "")
    substances = [e for e in entities if e.startswith("⟨substance:")]
    unit_named = tuple(_entities(u.text, lex) | {e for e in substances if _mentions(e[11:-1], u.text)} for u in units)
    heading_named = (_entities(heading, lex) | {e for e in substances if _mentions(e[11:-1], heading)}) if heading else frozenset()
    return _Source(units, named, frozenset(_words(_conceptualise(heading, lex))) if heading else frozenset(),
                   frozenset().union(*(u.words for u in units)) if units else frozenset(), _graded(text, lex),
                   grades(normal(f"{heading} {text}")), header_dims(normal(text)), rows or None, row_routes,
                   frequencies(row_text) if row_text else None, unit_named, heading_named,
                   _unit_of(row_text, lex) if row_text else None)


def check_support(statement: str, passages: Sequence[tuple[HeadingPath | None, str]], vocabulary: Vocabulary | None = None, *,
                  acronyms: dict[str, str] | None = None, min_coverage: float = MIN_COVERAGE,
                  max_uncovered: int = MAX_UNCOVERED) -> SupportVerdict:
    """Whether some span of the cited passages supports the statement (see the module docstring); `acronyms` are the
    long form -> acronym pairs the source document defines (found in the passages themselves too)."""
    defined = dict(acronyms or {})
    for _, text in passages:
        for long, short in acronyms_of(text).items():
            defined.setdefault(long, short)
    lex = _lexicon(vocabulary, tuple(sorted(defined.items())))
    st = _unit_of(statement, lex)
    entities = _entities(statement, lex)
    drugs = _substances(normal(statement))
    stated_grades = grades(normal(statement))
    best: tuple[tuple, SupportVerdict] | None = None
    for index, (path, text) in enumerate(passages):
        src = _source(path, text, lex, entities, drugs)
        passage_reasons = [f"grade {g.split(':')[1]} is not the source's" for g in sorted(stated_grades - src.grades)]
        passage_reasons += _grade_problem(statement, st, src.graded)
        passage_reasons += _value_swaps(statement, text, src.header_dims)
        for start in range(len(src.units)):
            for size in range(1, SPAN_UNITS + 1):
                span = src.units[start:start + size]
                if len(span) < size:
                    break
                reasons, share = _judge(st, start, size, src, entities, min_coverage, max_uncovered)
                reasons = passage_reasons + reasons
                key = (share, not reasons, -len(reasons), -size)
                if best is None or key > best[0]:
                    quote = " ".join(u.text for u in span)
                    best = (key, SupportVerdict(not reasons, tuple(reasons), quote, index, round(share, 3)))
    if best is None:
        return SupportVerdict(False, ("no passage text to support it",))
    return best[1]


NOT_SUPPORTED = "not supported by the cited source"
