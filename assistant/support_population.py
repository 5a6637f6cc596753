"""The population a claim is made for, as the support check compares it (assistant/data/support-population.yaml): a
statement that gives the claim to a population qualified otherwise than the unit of the source carrying the claim
("for all patients receiving their first infusion" against "for patients with previous moderate or severe reactions",
"for patients who can already walk" against "in the non-ambulatory patient"), or to all of a population that unit
qualifies ("for all adults" against "for adults with renal impairment"), is not supported by it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.support_cues import normal
from assistant.text import phrase_alternation

POPULATION_FILE = Path(__file__).parent / "data" / "support-population.yaml"


@dataclass(frozen=True)
class Population:
    universal: bool  # "all patients"
    qualifier: str  # the words that qualify it, before the noun ("stroke") and after it ("who can already walk")


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    data = yaml.safe_load(POPULATION_FILE.read_text(encoding="utf-8"))
    nouns, before = phrase_alternation([str(w) for w in data["nouns"]]), phrase_alternation([str(w) for w in data["before"]])
    quals, universal = phrase_alternation([str(w) for w in data["qualifiers"]]), phrase_alternation([str(w) for w in data["universal"]])
    return re.compile(rf"\b(?:{before})\s+(?:(?P<all>{universal})\s+)?(?:(?:the|a|an|those|these)\s+)?"
                      rf"(?P<pre>(?:(?!(?:{before})\b)[a-z][a-z-]*\s+){{0,2}}?)(?:{nouns})\b"
                      rf"(?P<post>\s+(?:{quals})\b[^,;:.()]*)?", re.I)


@lru_cache(maxsize=4096)
def populations(text: str) -> tuple[Population, ...]:
    return tuple(Population(bool(m.group("all")), f"{m.group('pre') or ''} {m.group('post') or ''}".strip())
                 for m in _pattern().finditer(normal(text)))


def population_problems(statement: str, carriers: Sequence[str], words_of: Callable[[str], list[str]],
                        known: Iterable[str] = (), kin: Callable[[set[str], frozenset[str]], frozenset[str]] | None = None) -> list[str]:
    """The statement's population qualified otherwise than every population of the units carrying its claim (none of its
    qualifier's words stands in those units, some not given by the heading path (`known`), and none of theirs in the
    statement), or given whole where they qualify it."""
    mine = populations(statement)
    theirs = [p for text in carriers for p in populations(text)]
    if not mine or not theirs:
        return []
    known = frozenset(known)
    carried = frozenset(w for text in carriers for w in words_of(text))
    said = frozenset(words_of(statement))
    qualified = [frozenset(words_of(p.qualifier)) - known for p in theirs if p.qualifier]
    out = []
    for p in mine:
        full = frozenset(words_of(p.qualifier))
        words = full - known
        if words and qualified and not full & carried and not (kin and kin(set(words), carried)) \
                and not any(q & said for q in qualified):
            out.append(f"population: the source says it of {_show(theirs)}, not of the statement's")
        elif p.universal and not words and qualified and all(q and not q & said for q in qualified):
            out.append(f"population: the source says it only of {_show(theirs)}, not of all")
    return out


def _show(pops: Sequence[Population]) -> str:
    return "; ".join(sorted({p.qualifier or "(unqualified)" for p in pops}))
