"""A cited passage as the support check reads it: its units (sentences, bullets, rows), the entities it and its heading
path name, its graded recommendations, the quantities of a table's drug row, and the words of its section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.quantities import Quantity, frequencies, header_dims
from assistant.support_cues import normal
from assistant.support_drugs import _mentions
from assistant.support_entities import _entities, _rows, surface
from assistant.support_polarity import grades
from assistant.support_text import _conceptualise, _content, _graded, _Graded, _Lexicon, _passage_units, _unit_of, _Unit, _words

BROAD_SLOTS = ("populations", "indications", "contexts", "drugs", "substance")  # the subjects a title may name several of
HeadingPath = str | Sequence[str]


def _heading(path: HeadingPath | None) -> str:
    if not path:
        return ""
    return path if isinstance(path, str) else " > ".join(map(str, path))



def _slot(token: str) -> str:
    return token[1:].split(":", 1)[0]



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

