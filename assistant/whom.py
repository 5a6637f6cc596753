"""Whom a statement is for and what it offers, against what a question names and asks.

A recommendation that holds for a population ("For patients 60 years and over with type 2 diabetes, ...") answers a
question about someone in it; for a patient the question does not place there it is another patient's advice. A
statement stating a goal to treat to answers a question asking for a target, not one asking what to add next. The words
are data (assistant/data/whom.yaml).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.errors import ConfigError
from assistant.lexical import tokenize

WHOM_FILE = Path(__file__).parent / "data" / "whom.yaml"


def _compile(patterns, where: str) -> re.Pattern[str] | None:
    parts = [f"(?:{p})" for p in patterns or ()]
    try:
        return re.compile("(?i)" + "|".join(parts)) if parts else None
    except re.error as exc:
        raise ConfigError(f"{WHOM_FILE}: a {where} pattern is not a valid regular expression ({exc})") from exc


@lru_cache(maxsize=4)
def _rules(_stamp: tuple) -> dict:
    try:
        data = yaml.safe_load(WHOM_FILE.read_text(encoding="utf-8")) if WHOM_FILE.is_file() else {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{WHOM_FILE}: cannot read: {exc}") from exc
    data = data or {}
    populations = []
    for p in data.get("population_patterns") or ():
        try:
            populations.append(re.compile(f"(?i){p}"))
        except re.error as exc:
            raise ConfigError(f"{WHOM_FILE}: a population pattern is not a valid regular expression ({exc})") from exc
    fillers = frozenset(t for w in data.get("filler_words") or () for t in tokenize(str(w)))
    asks = sorted({str(w).lower() for w in data.get("target_ask_words") or ()}, key=len, reverse=True)
    return {
        "populations": tuple(populations),
        "before": _compile(data.get("inclusive_before"), "inclusive_before"),
        "start": _compile(data.get("inclusive_start"), "inclusive_start"),
        "fillers": fillers,
        "stem": int(data.get("shared_stem_letters") or 6),
        "target": _compile(data.get("target_statement_patterns"), "target_statement"),
        "asks_target": re.compile(r"(?i)(?<![\w-])(?:" + "|".join(map(re.escape, asks)) + r")(?![\w-])") if asks else None,
    }


def _current() -> dict:
    try:
        st = WHOM_FILE.stat()
        stamp: tuple = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = ()
    return _rules(stamp)


_AND = re.compile(r"(?i)\s+(?:and|with|plus)\s+|\s*&\s*")


@lru_cache(maxsize=8192)
def populations_of(text: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The populations a statement says it holds for, each as the parts its patients must all have ("hypertension and
    overweight/obesity": two), each part as its words that place someone (tokens, fillers left out; alternatives, "or",
    "/", together): "For patients 60 years and over with type 2 diabetes, ..." -> ((("type", "diabet"),),)."""
    rules = _current()
    out: list[tuple[tuple[str, ...], ...]] = []
    for pattern in rules["populations"]:
        for m in pattern.finditer(text):
            who = (m.group("who") or "").strip()
            if not who or (rules["before"] and rules["before"].search(text[max(0, m.start() - 30):m.start()])) \
                    or (rules["start"] and rules["start"].search(who)):
                continue  # "including those with ...", "with or without ...": no one is left out
            parts = tuple(words for part in _AND.split(who)
                          if (words := tuple(t for t in tokenize(part) if t not in rules["fillers"] and not t[:1].isdigit())))
            if parts and parts not in out:
                out.append(parts)
    return tuple(out)


def _named(word: str, named: frozenset[str], letters: int) -> bool:
    if word in named:
        return True
    if len(word) < letters:
        return False
    return any(len(n) >= letters and n[:letters] == word[:letters] for n in named)


def unasked_population(text: str, named: frozenset[str], concepts: frozenset[str] | None = None) -> bool:
    """Whether a statement holds only for a population the question does not name: some population it states has a part
    none of whose words the question's words, or the words they are met by (`named`, tokens), share ("type 2 diabetes"
    for a question on hypertension alone; not "exercise-induced bronchospasm" for one about exercise). With `concepts`
    (the tokens of the conditions and populations the vocabulary knows), only a part naming one of them places its
    patients ("in healthy adults", "in predisposed patients" name no one the question could be)."""
    letters = _current()["stem"]
    return any(any(not any(_named(w, named, letters) for w in part)
                   and (concepts is None or any(_named(w, concepts, letters) for w in part)) for part in parts)
               for parts in populations_of(text))


@lru_cache(maxsize=8192)
def states_target(text: str) -> bool:
    """Whether a statement states a goal or target to treat to ("a systolic blood pressure goal of <140 mm Hg")."""
    pattern = _current()["target"]
    return bool(pattern and pattern.search(text))


def asks_target(question: str) -> bool:
    """Whether a question asks for a goal or target ("A1c target?", "BP goal for him?")."""
    pattern = _current()["asks_target"]
    return bool(pattern and pattern.search(question))
