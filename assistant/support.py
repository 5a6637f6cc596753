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

This module holds the check itself (spans, the verdict and what it weighs); the pieces it weighs live beside it, each
importing only the ones below it: support_source (a passage as read: units, entities, graded recommendations, a table's
drug row), support_clauses (clause polarity, graded direction and strength), support_binding (elements bound to the
unit carrying the claim), support_opposites (words of opposite meaning, contrasts), support_coverage (coverage, added
claims, names given in another form), over support_text, support_entities, support_table, support_quantity,
support_bound, support_scope, support_contrast, support_population, support_added, support_polarity and support_cues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.quantities import quantities
from assistant.support_binding import _binding, _value_swaps
from assistant.support_bound import analyte_equal, binding_problems, multiplier_problems
from assistant.support_clauses import _grade_problem, _polarity_problem
from assistant.support_coverage import _acronym_words, _variant_named, coverage_problems
from assistant.support_cues import CUES_FILE, clean, cues, normal
from assistant.support_drugs import _substances
from assistant.support_entities import _entities, identifier_swaps, unnamed_conditions
from assistant.support_contrast import vague_duration_problems
from assistant.support_opposites import _antonym_swaps, _contrasts
from assistant.support_polarity import direction, grades, polarity, strength
from assistant.support_population import population_problems
from assistant.support_quantity import count_with_unit, held
from assistant.support_scope import scope_problems
from assistant.support_source import HeadingPath, _source, _Source
from assistant.support_table import cadence_problems, column_problems, label_problems
from assistant.support_text import _conceptualise, _content, _glued, _kin, _lexicon, _unit_of, _Unit, acronyms_of, plain_words
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


@dataclass(frozen=True)
class SupportVerdict:
    """Whether the cited passages support a statement, why not, and the passage span that supports it best."""

    supported: bool
    reasons: tuple[str, ...] = ()
    quote: str | None = None
    passage: int | None = None  # index into the passages given
    coverage: float = 0.0



def _judge(st: _Unit, start: int, size: int, src: _Source, entities: frozenset[str], min_coverage: float,
           max_uncovered: int) -> tuple[list[str], float]:
    """What keeps a span from supporting the statement (nothing: it supports it), and the coverage share."""
    span = src.units[start:start + size]
    words = frozenset().union(*(u.words for u in span))
    words |= _glued(st.words, words)
    words |= frozenset().union(*(plain_words(u.text) for u in span)) - st.specific  # (a clinically specific word a term
    # of the span holds, "knee" of "osteoarthritis of the knee", names no more than the term does)
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
    span_text = " ".join(u.text for u in span)
    texts = [u.text for u in span] + ([src.row_unit.text] if src.row_unit is not None else [])
    reasons += binding_problems(st.text, texts, f"{src.heading}\n{src.text}", src.header_dims)
    reasons += multiplier_problems(st.text, [*texts, src.heading])
    reasons += identifier_swaps(st.text, f"{src.heading}\n{src.text}")
    reasons += vague_duration_problems(st.text, span_text)
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
    more, share = coverage_problems(st, words, src, min_coverage, max_uncovered, span_text)
    return reasons + more, share


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
