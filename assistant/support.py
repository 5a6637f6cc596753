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
- agrees with it word by word where a negation takes a claim word in its scope (assistant/support_scope.py: "later
  editions kept it" against "was not retained in later editions", "without infections", "rather than a primary
  guideline", "too wide ... to show"), a negation inside a condition or a population ("if the target is not reached",
  "patients who do not respond") being the condition's, a negation the other side shares or whose words it does not
  speak of being no clause polarity,
- says nothing against the units that carry its claim beyond single words (assistant/support_contrast.py): the
  direction of a change, a comparison the source makes otherwise ("more effective than" against "no difference"), a
  preference the source states the other way round or not at all, a modifier or time of day that excludes the
  source's on the same head ("central" against "obstructive sleep apnea", "mild" against "moderate-severe", "at
  bedtime" against "each morning"), a word against its negated form, a dose at another interval than the source's, a
  table row's cell of opposite meaning,
the graded recommendation closest to the statement (VA/DoD "Strong for", "Weak against", "Neither for nor against")
has the direction and strength the statement gives it ("should be managed to" recommends, "may consider" is weak), and
each quantity is bound as the passage binds the same value (assistant/support_bound.py): on the same basis ("per dose"
against "per day", a table column headed "Max/Day"), on the same side of a bound ("more than" against "below"), by the
same route ("intravenously" against "by mouth"), an analyte's moles counting as its mass (glucose mmol/L and mg/dL),
every multiplier it states ("doubles", "by half", "fivefold") stands in the span, list labels and recommendation
numbers being no quantity, and
the passage or its heading path names every drug, condition, context, population, route and document-defined concept
("long-acting muscarinic antagonist (LAMA)") the statement names, none of its drugs only under a recommendation of
another direction. A span of short list items (bullets, table cells) may run over up to LIST_UNITS of them.
Beyond the vocabulary, a condition WordNet knows (support-conditions.yaml: "scarlet fever", "diarrhea") and a proper
name (a brand the vocabulary folds into a class: "Cuvitru") the statement names must be the passage's; a substance name
before a class word ("aldosterone antagonists") names the class; a negation of a recommendation or of worth ("is not
indicated", "has no role") is the clause's polarity; the population the claim is made for is the carrying unit's
(assistant/support_population.py); and a treatment put before another is not one the source gives after it has failed.
A run of content words (support-added.yaml's min_run) the span holds none of is a claim the statement adds (assistant/support_added.py), and
where no span supports it, the passage's first unit (a study it introduces) with a later run of units may.
The cues are data (assistant/data/support-cues.yaml, support-cues-extra.yaml, support-polarity.yaml,
support-population.yaml and support-conditions.yaml); the clinical words come from the corpus vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant.quantities import Quantity, frequencies, header_dims, quantities, quantity_in
from assistant.support_added import added_run
from assistant.support_bound import analyte_equal, binding_problems, multiplier_problems
from assistant.support_cues import CUES_FILE, clean, cues, negative_words, normal
from assistant.support_entities import _entities, _mentions, _rows, _substances, surface, unnamed_conditions, value_names
from assistant.support_polarity import direction, grades, polarity, strength
from assistant.support_population import population_problems
from assistant.support_quantity import count_with_unit, held
from assistant.support_scope import polarity_cues, scope_problems
from assistant.support_table import cadence_problems, column_problems, label_problems
from assistant.support_contrast import (class_swaps, comparison_problems, direction_swaps, interval_swaps, modifier_swaps,
                                        negated_forms, preference_against_neutral, preference_problems, widened_scope,
                                        sequence_swaps)
from assistant.support_text import _Clause, _conceptualise, _glued, _graded, _Graded, _lexicon, _Lexicon, _passage_units, _unit_of, _Unit, _content, _kin, _words, acronyms_of
from assistant.vocabulary import Vocabulary

__all__ = ["CUES_FILE", "MAX_UNCOVERED", "MIN_COVERAGE", "NOT_SUPPORTED", "SupportVerdict", "acronyms_of", "check_support", "clean",
           "cues", "direction", "grades", "normal", "polarity", "quantities", "strength"]

# The share of a statement's content words its span must hold, and the most words it may leave uncovered: measured on
# both independent dev sets together (evals/cases/support-dev.jsonl and support2-dev.jsonl) by `evals.support.sweep`
# over 0.5-0.85 x 1-6, taking the highest recall of "unsupported" whose precision is at least 0.95 (ties: accuracy):
# the precision the goal asks on test (0.9) plus the drop the held-out sets showed last time (dev 0.927 and 0.884, test
# 0.879 and 0.834). 0.65/4 (to 0.65/6) gives precision 0.979, recall 0.935, accuracy 0.950; at 0.9 the rule would take
# 0.8/3, recall 0.948 at precision 0.922 and accuracy 0.922 (a paraphrase leaves more words uncovered than a changed
# claim does: most of the recall a stricter coverage buys is paid in supported paraphrases).
# Round 4 (quantities bound to their basis, bound side and route; multipliers; analytes; list labels): the same rule now
# takes 0.65/2 (precision 0.955, recall 0.955, accuracy 0.947) over 0.65/4 (0.985, 0.953, 0.963): one more unsupported
# case caught for about a dozen supported ones dropped. Kept at 0.65/4 pending the lead's call (see issue #15 notes).
# Round 5 (conditions from WordNet, proper names, classes, polarity paraphrases, populations, order of treatments), over
# 0.55-0.8 x 2-6: the rule again takes 0.65/2 (precision 0.956, recall 0.973, accuracy 0.957) over 0.65/4 (0.985, 0.970,
# 0.974): one unsupported case for eleven supported ones. Kept at 0.65/4.
MIN_COVERAGE = 0.65
MAX_UNCOVERED = 4
SPAN_UNITS = 3
LEAD_UNITS = 2  # a later run beside the passage's first unit (its study, its subject) may hold up to two units
LIST_UNITS, LIST_ITEM_WORDS = 6, 12  # a span of short items (bullets, cells) may run over up to six of them
BOUND_SLOTS = ("populations", "indications", "contexts", "drugs", "substance", "name", "route", "acronym")  # bound to the claim's unit
BROAD_SLOTS = ("populations", "indications", "contexts", "drugs", "substance")  # the subjects a title may name several of
PIECE_WORDS = 3  # the statement clause's words a comma-separated piece of the span must hold to decide its polarity
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


@lru_cache(maxsize=4096)
def _said_equal(text: str) -> frozenset[str]:
    """The words of a text's statements of no difference ("no difference between", "did not differ"): their
    "difference" is the statement's "similar", not its opposite."""
    return frozenset(_words(" ".join(m.group(0).lower() for m in polarity_cues().equal.finditer(normal(text)))))


def _antonym_swaps(st: _Unit, span: Sequence[_Unit], passage: frozenset[str], skip: frozenset[str] = frozenset(),
                   anywhere: bool = False, units: Sequence[_Unit] = ()) -> list[str]:
    """Words of the statement whose opposite stands in the span next to the same words (`anywhere`: anywhere in it, as in
    the one drug's table row), while they stand nowhere in it (the antonyms of support-cues.yaml and support-polarity.yaml).
    Where the word stands elsewhere in the passage (`units`: all its units), its opposite must stand next to more of the
    statement's words than the word does there ("neglect were excluded from the trial" against "the trial included patients
    with neglect", beside "interventions included six weeks of therapy")."""
    words = frozenset(st.sequence)
    span_words = frozenset().union(*(u.words for u in span))
    out = []
    for a, b in cues().antonyms + polarity_cues().antonyms:
        if a in skip or b in skip:
            continue
        for x, y in ((a, b), (b, a)):
            if x not in words or x in span_words:
                continue
            around = _near(st.sequence, x)
            opposite = [len(around & _near(u.sequence, y)) for u in span if y in u.sequence and y not in _said_equal(u.text)]
            if x not in passage:
                if any(anywhere or n for n in opposite):
                    out.append(f"says '{x}' where the source says '{y}'")
            elif units and not anywhere and opposite:
                itself = max((len(around & _near(u.sequence, x)) for u in units if x in u.sequence), default=0)
                if max(opposite) > itself:
                    out.append(f"says '{x}' where the source says '{y}'")
    return sorted(set(out))


def _accounted(neg: _Clause, pos_words: frozenset[str], other_negated: frozenset[str], k: int) -> bool:
    """A clause negative only by a negator (no negative predicate) whose negation the other side shares (the same word
    negated there too: "rather than a primary guideline") or whose negated words the other side does not speak of ("must
    not be confused" against "must be kept distinct"): the word check judges it."""
    if neg[k + 3] != "positive" or neg.negated & polarity_cues().evaluative:
        return False  # (a negated recommendation or worth, "not indicated", is the clause's polarity)
    return bool(neg.negated & other_negated) or not neg.negated & pos_words


def _said_too(neg: _Clause, other: frozenset[str], other_negated: frozenset[str] = frozenset()) -> bool:
    """A clause negative by its negative predicates alone ("lowering or stopping ESA when ...", no negator) whose every
    negative predicate the other side says too ("reducing or stopping it when ...", "withdrawal of ICS" for "stopping
    ICS"): both speak of the same act, which conditions ("once ...", "when ...") may hide from the clause polarity or a
    noun ("withdrawal") does not carry. A negation the other side makes of the same words ("who have had no moderate
    exacerbations" for "without moderate exacerbations") is no hindrance."""
    if neg.undirected_predicates != "negative" or neg.negated - other_negated:
        return False
    said = neg.words & negative_words()
    return bool(said) and said <= other


def _piece_agrees(clause: _Clause, k: int, span: Sequence[_Unit], lex: _Lexicon) -> bool:
    """Whether the comma-separated piece of the span that holds clearly most of the statement clause's words has the
    clause's polarity ("advised initiation of ESA treatment when ..., lowering or stopping ESA when ...": the first piece
    carries "ESA treatment begins when ..."): at least PIECE_WORDS of its words and twice as many as any piece of other
    polarity."""
    pol = clause[k]
    pieces = []
    for u in span:
        for piece in normal(u.text).split(","):  # (a table row's cells, "Severe; contraindicated", are one piece)
            if piece.strip():
                words = _content(_words(_conceptualise(piece, lex)))
                pieces.append((len(clause.words & words), polarity(piece, directions=k == 1)))
    agree = max((n for n, p in pieces if p == pol), default=0)
    other = max((n for n, p in pieces if p != pol), default=0)
    return agree >= PIECE_WORDS and agree >= 2 * other


def _polarity_problem(statement: _Unit, span: Sequence[_Unit], graded: bool, lex: _Lexicon | None = None) -> str | None:
    """A clause of the statement whose closest clause in the span has the other polarity (where the passage grades its
    recommendations, their direction is judged by the grade and left out here); a negation by a negator alone that the
    other side shares, or whose words it does not speak of, is left to the word check (support_scope)."""
    clauses = [c for u in span for c in u.clauses]
    span_negated = frozenset().union(*(u.scope.negated_words for u in span if u.scope is not None))
    st_negated = statement.scope.negated_words if statement.scope is not None else frozenset()
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
            if pol == "negative" and clauses[best][k] == "positive" and _accounted(clause, clauses[best].words, span_negated, k):
                continue
            if pol == "positive" and clauses[best][k] == "negative" and _accounted(clauses[best], clause.words, st_negated, k):
                continue
            if pol == "positive" and clauses[best][k] == "negative" and _said_too(clauses[best], statement.words, clause.negated):
                continue
            if pol == "negative" and clauses[best][k] == "positive" and _said_too(clause, clauses[best].words, clauses[best].negated):
                continue  # "considering stopping ICS" against "considering withdrawal of ICS"
            if lex is not None and _piece_agrees(clause, k, span, lex):
                continue
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
    if said is None and best.direction == "against" and polarity_cues().recommending.search(normal(statement)) \
            and polarity(statement) == "positive":
        said = "for"  # "patients should be managed to a glucose below 110 mg/dL": a recommendation for
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
    heading_named: frozenset[str] = frozenset()  # and the heading path less the document title
    row_unit: _Unit | None = None  # the statement's one drug's row(s) as one unit, where the passage is a table
    lex: _Lexicon | None = None
    section_words: frozenset[str] = frozenset()  # the heading path's words less the document title's
    heading_all: frozenset[str] = frozenset()  # the entities of the whole heading path, title included
    text: str = ""  # the passage as cited, and its heading path
    heading: str = ""
    heading_plain: frozenset[str] = frozenset()  # the section's words, no vocabulary term read as its concept

    def words_of(self, text: str) -> list[str]:
        return [w for w in _words(_conceptualise(text, self.lex)) if w in _content([w])]

def _contrasts(st: _Unit, span: Sequence[_Unit], carriers: Sequence[_Unit], src: _Source) -> list[str]:
    """What the statement says against the units carrying its claim (and the drug's table row) beyond single words
    (assistant/support_contrast.py): a table cell of opposite meaning, the direction of a change, a word's negated form, a
    comparison, a modifier or time of day that excludes the source's, a dose's interval, and preferences."""
    sequences = [u.sequence for u in span]
    texts = [u.text for u in span]
    claim = [u.sequence for u in carriers] + ([src.row_unit.sequence] if src.row_unit is not None else [])
    out = []
    if src.row_unit is not None:  # a table row's cell ("Active") against the statement's word
        out += _antonym_swaps(st, [src.row_unit], src.row_unit.words, polarity_cues().bound_words, anywhere=True)
    out += direction_swaps(st.sequence, claim)
    out += negated_forms(st.sequence, frozenset().union(*map(frozenset, sequences)), src.words | src.heading_words)
    out += comparison_problems(st.text, texts, src.words_of)
    out += modifier_swaps(st.sequence, claim, sequences, [u.sequence for u in src.units])
    out += class_swaps(st.sequence, claim)
    out += interval_swaps(st.text, [src.row_unit.text] if src.row_unit is not None else texts)
    out += preference_against_neutral(st.text, texts)
    out += widened_scope(st.text, [u.text for u in carriers], src.text)
    out += sequence_swaps(st.text, [u.text for u in carriers], src.words_of)
    out += preference_problems(st.preferences, [p for u in span for p in u.preferences], texts, src.words_of)
    return out


def _judge(st: _Unit, start: int, size: int, src: _Source, entities: frozenset[str], min_coverage: float,
           max_uncovered: int) -> tuple[list[str], float]:
    """What keeps a span from supporting the statement (nothing: it supports it), and the coverage share."""
    span = src.units[start:start + size]
    words = frozenset().union(*(u.words for u in span))
    words |= _glued(st.words, words)
    found = src.rows or [p for u in span for p in u.quantities]
    reasons = [f"quantity '{q.text.strip()}' is not in the source" for q in st.quantities
               if not held(q, found, src.header_dims) and not analyte_equal(q, found, f"{st.text} {src.heading} {src.text}")]
    reasons += [f"quantity '{q.text.strip()}' counts what the source gives with a unit" for q in st.quantities
                if count_with_unit(q, normal(st.text), found, cues().light)]
    reasons += [f"names {e.strip('⟨⟩')} which the source does not" for e in sorted(entities - src.named)
                if not _variant_named(e, src)]
    if src.row_routes:
        reasons += [f"route {e.strip('⟨⟩')} is not the one the drug's row gives" for e in sorted(entities - src.row_routes)
                    if e.startswith("⟨route:") and e in src.named]
    reasons += _binding(st, start, size, src, entities)
    texts = [u.text for u in span] + ([src.row_unit.text] if src.row_unit is not None else [])
    reasons += binding_problems(st.text, texts, f"{src.heading}\n{src.text}", src.header_dims)
    reasons += multiplier_problems(st.text, [*texts, src.heading])
    if (p := _polarity_problem(st, [src.row_unit] if src.row_unit and not src.graded else span, bool(src.graded), src.lex)) is not None:
        reasons.append(p)
    content = _content(st.words)
    holds = [len(content & (u.words | _acronym_words(u.words, src.lex))) for u in span]  # (acronyms spelled out)
    carriers = [u for u, n in zip(span, holds) if n == max(holds)]  # the units that carry the claim
    reasons += scope_problems(st.scope, [u.scope for u in carriers], frozenset(), [u.scope for u in span])
    reasons += population_problems(st.text, [u.text for u in carriers], src.words_of, src.section_words, _kin)
    if not src.graded:
        span_strength = frozenset().union(*(strength(u.text) for u in span))
        stated = strength(st.text)
        if stated and span_strength and not stated & span_strength:
            reasons.append(f"strength: the statement is {'/'.join(sorted(stated))}, the source {'/'.join(sorted(span_strength))}")
    reasons += _antonym_swaps(st, span, src.words, units=src.units)
    reasons += _contrasts(st, span, carriers, src)
    content = _content(st.sequence) or _content(st.words)  # the words of its quantities are the quantity check's
    pool = words | src.heading_words | (src.heading_plain - st.specific)  # (the section's words as written: "Diabetes"
    # in a title; not a clinically specific word a term of it holds, "knee" of "Hip and Knee Osteoarthritis")
    pool |= _spelled_out(pool, src)  # what the span's acronyms and drug abbreviations spell out
    pool |= _kin(content - pool, pool)  # a synonym WordNet knows ("final" for "last")
    covered = content & pool
    share = len(covered) / len(content) if content else 1.0
    missing = len(content) - len(covered)
    if run := added_run(st.sequence, _content(st.sequence), lambda w: w in pool or bool(_glued(frozenset([w]), pool)), st.text):
        reasons.append(f"adds a claim the source does not make: {' '.join(w.strip('⟨⟩') for w in run)}")
    for clause in st.claims:
        if len(clause) >= 2 and len(clause & pool) / len(clause) < CLAUSE_COVERAGE:
            reasons.append(f"adds a claim the source does not make: {', '.join(sorted(w.strip('⟨⟩') for w in clause - pool))}")
            break
    passage_words = src.words | src.section_words
    for w in sorted(st.specific & (content - covered)):
        if w not in passage_words and w not in _glued(frozenset([w]), passage_words) and not _kin({w}, passage_words):
            reasons.append(f"names '{w}' which the source does not")
    if share < min_coverage or missing > max_uncovered:
        reasons.append(f"coverage {share:.2f}: the source does not say {', '.join(sorted(w.strip('⟨⟩') for w in content - covered))}")
    return reasons, share


def _spelled_out(pool: frozenset[str], src: _Source) -> frozenset[str]:
    """The words a pool's document acronyms stand for ("ICS": inhaled, corticosteroid, and the concepts their long form
    names) and the names of the drugs the passage names by an abbreviation ("HCTZ": hydrochlorothiazide)."""
    out = set()
    lex = src.lex
    for token in pool:
        if lex is not None and token.startswith("⟨acronym:"):
            out |= lex.implied.get(token, frozenset())
            out |= _long_words(lex, token)
    for e in src.named:
        if e.startswith("⟨substance:"):
            out |= set(_words(e[11:-1]))
    return frozenset(out)


def _acronym_words(words: frozenset[str], lex: _Lexicon | None) -> frozenset[str]:
    """The words the document acronyms among a unit's words stand for ("BWSTT": body, weight, support ...)."""
    if lex is None:
        return frozenset()
    return frozenset().union(*(lex.implied.get(t, frozenset()) | _long_words(lex, t) for t in words if t.startswith("⟨acronym:")))


@lru_cache(maxsize=4096)
def _long_words(lex: _Lexicon, token: str) -> frozenset[str]:
    return frozenset(w for form, t in lex.concept.items() if t == token and " " in form for w in _words(form))


def _variant_named(entity: str, src: _Source) -> bool:
    """A condition, population or context the passage names by another form of one of its terms
    ("hypogammaglobulinemic" for "hypogammaglobulinemia"): a word sharing all but the term's last two letters."""
    if src.lex is None or _slot(entity) not in ("indications", "populations", "contexts"):
        return False
    terms = [t for t, tok in src.lex.concept.items() if tok == entity and " " not in t and len(t) >= 8]
    text = " ".join(u.text.lower() for u in src.units)
    if any(re.search(rf"\b{re.escape(t[:-2])}[a-z]*", text) for t in terms):
        return True
    return _reordered(entity, src)


REORDER_SLACK = 3  # the words a term's words may stand among when a passage writes them in another order


def _reordered(entity: str, src: _Source) -> bool:
    """A term of two words or more the passage writes in another order, its words within the term's length and
    REORDER_SLACK words of one another in one unit ("specific antibody responses are normal" for "normal specific
    antibody responses"; "of" forms are the vocabulary's own)."""
    light = cues().light
    forms = [t for t, tok in src.lex.concept.items() if tok == entity and " " in t]
    for u in src.units:
        seq = _words(normal(u.text).lower())
        for form in forms:
            need = {w for w in _words(form) if w not in light}
            if len(need) < 2 or not need <= set(seq):
                continue
            reach = len(form.split()) + REORDER_SLACK
            at = [i for i, w in enumerate(seq) if w in need]
            if any(need <= set(seq[i:i + reach]) for i in at):
                return True
    return False


def _broad(title: str, lex: _Lexicon) -> bool:
    """Whether a document title names two or more conditions, populations or drugs of one kind."""
    named = [_slot(e) for e in _entities(title, lex) if _slot(e) in BROAD_SLOTS]  # (its issuer's acronyms, "VA/DoD", "CPG",
    return any(named.count(slot) >= 2 for slot in set(named))                    # are no subjects)


def _source(path: HeadingPath | None, text: str, lex: _Lexicon, entities: frozenset[str], drugs: frozenset[str]) -> _Source:
    heading = _heading(path)
    named = _entities(text, lex) | (_entities(heading, lex) if heading else frozenset())
    named |= {e for e in entities if surface(e) and _mentions(surface(e), f"{text} {heading}")}
    units = _passage_units(text, lex)
    rows, row_routes, row_text = _rows(next(iter(drugs)), text) if len(drugs) == 1 else ((), frozenset(), "")
    substances = [e for e in entities if surface(e)]  # (and proper names: glued footnote letters as for drugs)
    unit_named = tuple(_entities(u.text, lex) | {e for e in substances if _mentions(surface(e), u.text)} for u in units)
    section = heading
    if path and not isinstance(path, str) and len(path) > 1 and _broad(str(path[0]), lex):  # a title that names several
        # subjects of one kind ("... Chronic Insomnia Disorder and Obstructive Sleep Apnea", "Hip and Knee
        # Osteoarthritis") binds none of them, and a clinically specific word only it holds is not the passage's
        section = _heading(path[1:])
    heading_named = (_entities(section, lex) | {e for e in substances if _mentions(surface(e), section)}) if section else frozenset()
    section_words = frozenset(_words(_conceptualise(section, lex))) if section else frozenset()
    return _Source(units, named, frozenset(_words(_conceptualise(heading, lex))) if heading else frozenset(),
                   frozenset().union(*(u.words for u in units)) if units else frozenset(), _graded(text, lex),
                   grades(normal(f"{heading} {text}")), header_dims(normal(text)), rows or None, row_routes,
                   frequencies(row_text) if row_text else None, unit_named, heading_named,
                   _unit_of(row_text, lex) if row_text else None, lex, section_words,
                   (_entities(heading, lex) | {e for e in substances if _mentions(surface(e), heading)}) if heading else frozenset(),
                   text, heading, frozenset(_words(normal(section).lower())) if section else frozenset())


def _with_lead(st: _Unit, src: _Source, entities: frozenset[str], min_coverage: float, max_uncovered: int,
               passage_reasons: list[str], index: int):
    """Spans of the passage's first unit with a later run of LEAD_UNITS units or fewer, not next to it: a discussion
    introduces its study once ("A multi-center RCT by Rowe et al. studied 87 patients ...") and gives its findings
    sentences later ("... with 70% of patients experiencing headaches"); a statement may say both."""
    for start in range(SPAN_UNITS, len(src.units)):
        for size in range(1, LEAD_UNITS + 1):
            if start + size > len(src.units):
                break
            picked = (0, *range(start, start + size))
            joined = replace(src, units=tuple(src.units[i] for i in picked), unit_named=tuple(src.unit_named[i] for i in picked))
            reasons, share = _judge(st, 0, len(picked), joined, entities, min_coverage, max_uncovered)
            reasons = passage_reasons + reasons
            quote = " … ".join(u.text for u in joined.units)  # (an elision marks the sentences left out)
            yield (share, not reasons, -len(reasons), -len(picked)), SupportVerdict(not reasons, tuple(reasons), quote, index,
                                                                                   round(share, 3))


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
        passage_reasons += column_problems(statement, text) + label_problems(statement, text) + cadence_problems(statement, [text])
        passage_reasons += [f"names {c} which the source does not" for c in unnamed_conditions(_conceptualise(statement, lex), f"{src.heading}\n{text}")
                            if not set(src.words_of(c)) <= src.words | src.heading_words]
        for start in range(len(src.units)):
            for size in range(1, LIST_UNITS + 1):
                span = src.units[start:start + size]
                if len(span) < size or size > SPAN_UNITS and (any(len(u.sequence) > LIST_ITEM_WORDS for u in span[1:])
                                                              or any(cues().graded.search(u.text) for u in span[:-1])):
                    break  # more than SPAN_UNITS only in a list of short items (bullets, table cells) and its lead-in,
                    # within one graded recommendation
                reasons, share = _judge(st, start, size, src, entities, min_coverage, max_uncovered)
                reasons = passage_reasons + reasons
                key = (share, not reasons, -len(reasons), -size)
                if best is None or key > best[0]:
                    quote = " ".join(u.text for u in span)
                    best = (key, SupportVerdict(not reasons, tuple(reasons), quote, index, round(share, 3)))
        if best is not None and not best[1].supported:
            for key, verdict in _with_lead(st, src, entities, min_coverage, max_uncovered, passage_reasons, index):
                if key > best[0]:
                    best = (key, verdict)
    if best is None:
        return SupportVerdict(False, ("no passage text to support it",))
    return best[1]


NOT_SUPPORTED = "not supported by the cited source"
