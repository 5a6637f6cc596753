"""Words of opposite meaning next to the same words (the antonyms of support-cues.yaml and support-polarity.yaml), and
the contrasts of assistant/support_contrast.py read against the units that carry the claim and a table's drug row."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from assistant.support_contrast import (class_swaps, comparison_problems, direction_swaps, interval_swaps, modifier_swaps,
                                        negated_forms, preference_against_neutral, preference_problems, widened_scope,
                                        sequence_swaps)
from assistant.support_cues import cues, normal
from assistant.support_scope import polarity_cues
from assistant.support_source import _Source
from assistant.support_text import _Unit, _words


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

