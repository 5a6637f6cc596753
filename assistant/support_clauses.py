"""Polarity clause by clause: each clause of the statement against its closest clause of the span (a negation the
other side shares, or that the word check judges, set aside), and the graded recommendation closest to the statement
against the direction and strength the statement gives it."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.support_cues import negative_words, normal
from assistant.support_polarity import direction, polarity, strength
from assistant.support_scope import polarity_cues
from assistant.support_text import _Clause, _conceptualise, _content, _glued, _Graded, _Lexicon, _Unit, _words

PIECE_WORDS = 3  # the statement clause's words a comma-separated piece of the span must hold to decide its polarity


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


def _negated_elsewhere(clause: _Clause, clauses: Sequence[_Clause], k: int) -> bool:
    """Whether a negative clause of the span other than the closest negates what the statement's negative clause
    negates, among at least PIECE_WORDS of its words: the statement joined in one clause what the span says in two."""
    return bool(clause.negated) and any(c[k] == "negative" and clause.negated & c.negated and len(clause[0] & c[0]) >= PIECE_WORDS
                                        for c in clauses)


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
        if clauses[best].negated & clause.prefixed or clause.negated & clauses[best].prefixed:
            continue  # one side negates by a prefix what the other negates by a negator ("non-preferred", "not preferred")
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
            if clause.alternative and clause.alternative == clauses[best].alternative:
                continue  # "A can be considered instead of B" against "we suggest A as an alternative to B"
            if pol == "negative" and _negated_elsewhere(clause, clauses, k):
                continue  # "reflects the infused product and cannot reveal whether ..." against "reflects the infused
                # product, so it cannot show whether ...": the span's other clause makes the same negation
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

