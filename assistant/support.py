"""Claim-level support: does a generated statement say what the passage it cites says? Deterministic and offline.

A statement is supported when one span of a cited passage (a sentence, bullet or up to three consecutive ones)
- holds every quantity the statement states (number and unit; equivalent units and number words count, via pint),
- agrees with it in polarity (recommends / does not recommend / insufficient evidence) and, when both state one, in
  recommendation strength (recommend / suggest), and uses no word of opposite meaning in its place,
- covers enough of the statement's content words (stems; vocabulary terms, abbreviations and a passage's own
  acronyms count as their concept),
and the passage or its heading path names every drug, condition, context, population and route the statement names.
The cues are data (assistant/data/support-cues.yaml); the clinical words come from the corpus vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.quantities import Quantity, quantities, quantity_in
from assistant.vocabulary import Vocabulary, definitions

CUES_FILE = Path(__file__).parent / "data" / "support-cues.yaml"
# The share of a statement's content words its span must hold, and the most words it may leave uncovered. Provisional:
# set on hand-written examples over the bundled corpus because evals/cases/support-dev.jsonl had not arrived; to be
# re-measured on it with `guideqa eval support` (run_support_eval takes both as arguments for a sweep).
MIN_COVERAGE = 0.75
MAX_UNCOVERED = 3
SPAN_UNITS = 3
CLAUSE_COVERAGE = 0.5  # a coordinated claim ("..., and it also ...") with less of its words in the span is an added claim
# True: a statement is supported when any span passes; False: the span covering most of its words decides.
ANY_SPAN = False
ENTITY_SLOTS = ("drugs", "indications", "contexts", "populations")


@dataclass(frozen=True)
class SupportVerdict:
    """Whether the cited passages support a statement, why not, and the passage span that supports it best."""

    supported: bool
    reasons: tuple[str, ...] = ()
    quote: str | None = None
    passage: int | None = None  # index into the passages given
    coverage: float = 0.0


@dataclass(frozen=True)
class _Cues:
    routes: dict[str, tuple[str, ...]]
    negators: re.Pattern
    against: re.Pattern
    limits: re.Pattern
    neutral: re.Pattern
    strong: re.Pattern
    weak: re.Pattern
    antonyms: tuple[tuple[str, str], ...]
    synonyms: dict[str, str]
    light: frozenset[str]
    route_pattern: re.Pattern


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def cues() -> _Cues:
    data = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    stem = _stemmer().stemWord
    synonyms = {}
    for group in data["synonyms"]:
        for word in group:
            synonyms.setdefault(stem(word.lower()), stem(group[0].lower()))
    norm = lambda w: synonyms.get(stem(w), stem(w))  # noqa: E731
    routes = {k: tuple(v) for k, v in data["routes"].items()}
    return _Cues(
        routes=routes,
        negators=re.compile(rf"(?<![\w-])(?:{_alternation(data['negators'] + data['negative'])})(?![\w-])|n't\b", re.I),
        against=re.compile(data["against"], re.I), limits=re.compile(data["limits"], re.I),
        neutral=re.compile(data["neutral"], re.I),
        strong=re.compile(data["strength"]["strong"], re.I), weak=re.compile(data["strength"]["weak"], re.I),
        antonyms=tuple((norm(a), norm(b)) for a, b in data["antonyms"]),
        synonyms=synonyms, light=frozenset(stem(w) for w in data["light"]) | frozenset(data["light"]),
        route_pattern=re.compile(rf"(?<![\w-])(?:{_alternation([w for ws in routes.values() for w in ws])})(?![\w-])", re.I),
    )


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


# ---- words, concepts and spans ------------------------------------------------------------------------------------
_MARKERS = re.compile(r"\s*\[@[^\]]*\]|\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]|\((?:\s*\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\s*)\)(?=[\s.,;:]|$)"
                      r"|\s*\(grade: [^)]*\)")
_TOKEN = re.compile(r"⟨[^⟩]+⟩|[a-z][a-z0-9]*|[0-9]+(?:\.[0-9]+)?")
_UNIT_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\[]?[A-Z0-9•·])|\s*[•·▪■¨]\s*|\n\s*[-*]\s+|\n{2,}")


def clean(text: str) -> str:
    """Text with hyphenation across lines joined, reference markers removed and spaces collapsed."""
    text = text.replace("\ufffe", "").replace("\u00ad", "").replace("\u2011", "-")
    text = re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)
    return _MARKERS.sub("", text)


@dataclass(frozen=True, eq=False)
class _Lexicon:
    """The vocabulary as one pattern: every term, abbreviation and acronym -> its concept token."""

    pattern: re.Pattern | None
    concept: dict[str, str]
    slot_of: dict[str, str] = field(default_factory=dict)
    cased: re.Pattern | None = None


@lru_cache(maxsize=64)
def _lexicon(vocab: Vocabulary | None, acronyms: tuple[tuple[str, str], ...] = ()) -> _Lexicon:
    concept: dict[str, str] = {}
    slot_of: dict[str, str] = {}
    if vocab is not None:
        for slot in ENTITY_SLOTS:
            for term in vocab.slot(slot):
                token = f"⟨{slot}:{term.canonical}⟩"
                slot_of[token] = slot
                for word in term.terms:
                    concept.setdefault(word.lower(), token)
        for short, full in vocab.abbreviations.items():
            concept.setdefault(short.lower(), concept.get(full.lower(), full.lower()))
    for name, words in cues().routes.items():
        token = f"⟨route:{name}⟩"
        slot_of[token] = "routes"
        for word in words:
            concept.setdefault(word, token)
    for long, short in acronyms:  # a passage's own "major depressive disorder (MDD)"
        token = concept.get(long.lower()) or concept.get(short.lower()) or f"⟨acronym:{short.lower()}⟩"
        concept.setdefault(long.lower(), token)
        concept.setdefault(short.lower(), token)
        concept.setdefault(short.lower() + "s", token)
    english = vocab.english if vocab is not None else frozenset()
    cased = sorted(w for w in concept if w in english)
    plain = [w for w in concept if w not in english]
    if not plain:
        return _Lexicon(None, concept, slot_of)
    pattern = re.compile(r"(?<![\w⟨:])(?:" + _alternation(plain) + r")(?![\w⟩])")
    upper = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(re.escape(w.upper()) for w in cased) + r")(?![A-Za-z0-9])") if cased else None
    return _Lexicon(pattern, concept, slot_of, upper)


def _conceptualise(text: str, lex: _Lexicon) -> str:
    """Lower-case text with every vocabulary term, abbreviation and acronym replaced by its concept token."""
    original = " ".join(clean(text).split())
    if lex.cased is not None:  # acronyms that spell English words ("HIT", "PAD") count only in capitals
        original = lex.cased.sub(lambda m: f" {lex.concept[m.group(0).lower()]} ", original)
    low = original.lower()
    if lex.pattern is None:
        return low
    return lex.pattern.sub(lambda m: f" {lex.concept[m.group(0)]} ", low)


def _words(text: str) -> list[str]:
    """Stems of a conceptualised text, synonyms merged; concept tokens kept whole."""
    syn, stem = cues().synonyms, _stemmer().stemWord
    out = []
    for tok in _TOKEN.findall(text):
        if tok.startswith("⟨"):
            out.append(tok)
        else:
            s = stem(tok)
            out.append(syn.get(s, s))
    return out


def _content(words: Sequence[str]) -> set[str]:
    light = cues().light
    return {w for w in words if w not in light and not w[0].isdigit() and (len(w) > 1 or w.startswith("⟨"))}


@dataclass(frozen=True)
class _Unit:
    text: str
    words: frozenset[str]
    clauses: tuple[tuple[frozenset[str], str], ...]  # (content words, polarity) per clause
    strength: frozenset[str]
    quantities: tuple[Quantity, ...]
    claims: tuple[frozenset[str], ...] = ()  # content words of each coordinated claim ("..., and it also ...")



_CLAUSE = re.compile(r"[;:]|,\s*(?:but|whereas|while|although|though)\b|\b(?:but|whereas|however|although)\b", re.I)


_CLAIM = re.compile(r"[;:]|,\s*(?:and|but|which|while|whereas|although|though|so)\b|\b(?:and\s+also|as\s+well\s+as|and\s+it)\b", re.I)


def polarity(text: str) -> str:
    """'positive', 'negative' (odd count of negators and negative predicates) or 'neutral' (insufficient evidence)."""
    c = cues()
    if c.neutral.search(text):
        return "neutral"
    body = c.limits.sub(" ", text)
    count = len(c.negators.findall(body)) + len(c.against.findall(body))
    return "negative" if count % 2 else "positive"


def strength(text: str) -> frozenset[str]:
    """The recommendation strengths a text states ('strong', 'weak'), if any."""
    c = cues()
    if c.neutral.search(text):
        return frozenset()
    return frozenset(name for name, rx in (("strong", c.strong), ("weak", c.weak)) if rx.search(text))


def _unit_of(text: str, lex: _Lexicon) -> _Unit:
    concept = _conceptualise(text, lex)
    clauses = tuple((frozenset(_content(_words(_conceptualise(part, lex)))), polarity(part))
                    for part in _CLAUSE.split(clean(text)) if part and part.strip())
    claims = tuple(frozenset(_content(_words(_conceptualise(part, lex)))) for part in _CLAIM.split(clean(text)) if part.strip())
    return _Unit(" ".join(text.split()), frozenset(_words(concept)), clauses, strength(text), quantities(clean(text)),
                 claims if len(claims) > 1 else ())


@lru_cache(maxsize=2048)
def _passage_units(text: str, lex: _Lexicon) -> tuple[_Unit, ...]:
    flat = re.sub(r"[ \t]*\n[ \t]*(?![-*•·])", " ", clean(text))  # hard-wrapped lines of a PDF are one paragraph
    parts = [p.strip(" -*\n") for p in _UNIT_SPLIT.split(flat) if p and p.strip(" -*\n")]
    return tuple(_unit_of(p, lex) for p in parts)


@lru_cache(maxsize=1)
def _drug_finder():
    from drug_named_entity_recognition import find_drugs  # its dictionary loads on first use (about 2 s)

    return find_drugs


_DRUG_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]")


@lru_cache(maxsize=4096)
def _dictionary_drugs(text: str) -> frozenset[str]:
    """Drugs and drug classes ("antidepressants", "statins") the offline drug dictionary finds in a text."""
    words = [w.group(0) for w in _DRUG_WORD.finditer(text)]
    return frozenset(str(d.get("name", "")).lower() for d, _, _ in _drug_finder()(words, is_ignore_case=True)) if words else frozenset()


@lru_cache(maxsize=4096)
def _substances(text: str) -> frozenset[str]:
    """Single substances (not classes) a text names, even where the vocabulary names their class ("dexamethasone")."""
    words = [w.group(0) for w in _DRUG_WORD.finditer(text)]
    found = _drug_finder()(words, is_ignore_case=True) if words else []
    return frozenset(str(d.get("name", "")).lower() for d, _, _ in found if d.get("drugbank_id") or d.get("medline_plus_id"))


@lru_cache(maxsize=2048)
def _entities(text: str, lex: _Lexicon) -> frozenset[str]:
    """Concept tokens of the entity slots and routes a text names, plus dictionary drugs the vocabulary does not name."""
    concept = _conceptualise(text, lex)
    found = {t for t in re.findall(r"⟨[^⟩]+⟩", concept) if t in lex.slot_of}
    routes = cues().routes
    found |= {f"⟨route:{name}⟩" for m in cues().route_pattern.finditer(" ".join(clean(text).split()))
              for name, words in routes.items() if m.group(0).lower() in words}
    found |= {f"⟨drug:{name}⟩" for name in _dictionary_drugs(re.sub(r"⟨[^⟩]+⟩", " ", concept))}
    found |= {f"⟨substance:{name}⟩" for name in _substances(" ".join(clean(text).split()))}
    return frozenset(found)


_ACRONYM = re.compile(r"\(((?=(?:[a-z]*[A-Z]){2})[A-Za-z]{2,8})s?\)")


def acronyms_of(text: str) -> dict[str, str]:
    """Long form -> acronym a text defines: vocabulary.definitions, and else the shortest run of at most as many words
    as the acronym has letters, just before it, whose first word starts with its first letter ("pharmacogenetic (PGx)")."""
    found = definitions(text)
    known = set(found.values())
    for m in _ACRONYM.finditer(text):
        short = m.group(1)
        if short in known:
            continue
        words = re.findall(r"[A-Za-z][A-Za-z-]*", text[max(0, m.start() - 120):m.start()])[-len(short):]
        for n in range(1, len(words) + 1):
            if words[-n][0].lower() == short[0].lower():
                found.setdefault(" ".join(words[-n:]).lower(), short)
                known.add(short)
                break
    return found


# ---- the check ----------------------------------------------------------------------------------------------------
HeadingPath = str | Sequence[str]


def _heading(path: HeadingPath | None) -> str:
    if not path:
        return ""
    return path if isinstance(path, str) else " > ".join(map(str, path))


def _antonym_swaps(words: frozenset[str], span: frozenset[str], passage: frozenset[str]) -> list[str]:
    """Words of the statement whose opposite stands in the span (or the passage) while they stand nowhere in it."""
    out = []
    for a, b in cues().antonyms:
        for x, y in ((a, b), (b, a)):
            if x in words and x not in span and x not in passage and y in passage | span and y not in words:
                out.append(f"says '{x}' where the source says '{y}'")
    return out


def _polarity_problem(statement: _Unit, span: Sequence[_Unit]) -> str | None:
    """A clause of the statement whose closest clause in the span has the other polarity."""
    clauses = [c for u in span for c in u.clauses]
    for words, pol in statement.clauses:
        if len(words) < 2 or not clauses:
            continue
        best = max(clauses, key=lambda c: (len(words & c[0]), -len(c[0])))
        if not words & best[0]:
            continue
        if pol != best[1]:
            return f"polarity: the statement is {pol}, the source is {best[1]}"
    return None


def _judge(st: _Unit, span: Sequence[_Unit], entities: frozenset[str], named: frozenset[str], heading_words: frozenset[str],
           passage_words: frozenset[str], min_coverage: float, max_uncovered: int) -> tuple[list[str], float]:
    """What keeps a span from supporting the statement (nothing: it supports it), and the coverage share."""
    words = frozenset().union(*(u.words for u in span))
    reasons = [f"quantity '{q.text.strip()}' is not in the source" for q in st.quantities
               if not quantity_in(q, [p for u in span for p in u.quantities])]
    reasons += [f"names {e.strip('⟨⟩')} which the source does not" for e in sorted(entities - named)]
    if (p := _polarity_problem(st, span)) is not None:
        reasons.append(p)
    span_strength = frozenset().union(*(u.strength for u in span))
    if st.strength and span_strength and not st.strength & span_strength:
        reasons.append(f"strength: the statement is {'/'.join(sorted(st.strength))}, the source {'/'.join(sorted(span_strength))}")
    reasons += _antonym_swaps(st.words, words, passage_words)
    content = _content(st.words)
    covered = content & (words | heading_words)
    share = len(covered) / len(content) if content else 1.0
    missing = len(content) - len(covered)
    for clause in st.claims:
        if len(clause) >= 2 and len(clause & (words | heading_words)) / len(clause) < CLAUSE_COVERAGE:
            reasons.append(f"adds a claim the source does not make: {', '.join(sorted(w.strip('⟨⟩') for w in clause - words))}")
            break
    if share < min_coverage or missing > max_uncovered:
        reasons.append(f"coverage {share:.2f}: the source does not say {', '.join(sorted(w.strip('⟨⟩') for w in content - covered))}")
    return reasons, share


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
    best: tuple[tuple, SupportVerdict] | None = None
    for index, (path, text) in enumerate(passages):
        heading = _heading(path)
        named = _entities(text, lex) | (_entities(heading, lex) if heading else frozenset())
        heading_words = frozenset(_words(_conceptualise(heading, lex))) if heading else frozenset()
        units = _passage_units(text, lex)
        passage_words = frozenset().union(*(u.words for u in units)) if units else frozenset()
        for start in range(len(units)):
            for size in range(1, SPAN_UNITS + 1):
                span = units[start:start + size]
                if len(span) < size:
                    break
                reasons, share = _judge(st, span, entities, named, heading_words, passage_words, min_coverage, max_uncovered)
                key = (not reasons, share, -len(reasons), -size) if ANY_SPAN else (share, not reasons, -len(reasons), -size)
                if best is None or key > best[0]:
                    quote = " ".join(u.text for u in span)
                    best = (key, SupportVerdict(not reasons, tuple(reasons), quote, index, round(share, 3)))
    if best is None:
        return SupportVerdict(False, ("no passage text to support it",))
    return best[1]


NOT_SUPPORTED = "not supported by the cited source"
