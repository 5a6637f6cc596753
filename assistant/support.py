"""Claim-level support: does a generated statement say what the passage it cites says? Deterministic and offline.

A statement is supported when one span of a cited passage (a sentence, bullet or up to three consecutive ones)
- holds every quantity the statement states (number and unit; equivalent units, number words and dosing shorthand
  count, via pint); where the statement names one drug of a table that names several, that drug's row must hold them,
- agrees with it in polarity clause by clause (a negator or negative predicate makes a clause negative, a negator just
  before a negative predicate cancels it; "insufficient evidence" is neutral), uses no word of opposite meaning in its
  place (next to the same words), and states no recommendation grade (AHA class, level of evidence) it lacks,
- covers enough of the statement's content words (stems; synonyms, vocabulary terms, abbreviations and a passage's
  own acronyms count as their concept),
the graded recommendation closest to the statement (VA/DoD "Strong for", "Weak against", "Neither for nor against")
has the direction and strength the statement gives it, and the passage or its heading path names every drug,
condition, context, population and route the statement names.
The cues are data (assistant/data/support-cues.yaml); the clinical words come from the corpus vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.quantities import Quantity, header_dims, quantities, quantity_in
from assistant.vocabulary import Vocabulary, definitions

CUES_FILE = Path(__file__).parent / "data" / "support-cues.yaml"
# The share of a statement's content words its span must hold, and the most words it may leave uncovered: measured on
# evals/cases/support-dev.jsonl by `evals.support.sweep` over 0.5-0.85 x 1-6: the rule takes the highest recall of
# "unsupported" whose precision is at least 0.9, and the highest accuracy where no pair reaches it (as on dev now:
# 0.75/3 gives precision 0.875, recall 0.847, accuracy 0.836; 0.6/5 is the closest to 0.9, at 0.8995/0.794).
MIN_COVERAGE = 0.75
MAX_UNCOVERED = 3
SPAN_UNITS = 3
CLAUSE_COVERAGE = 0.5  # a coordinated claim ("..., and it also ...") with less of its words in the span is an added claim
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


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


def _words_rx(words: Sequence[str]) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{_alternation(words)})(?![\w-])", re.I)


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
    )


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


# ---- words, concepts and spans ------------------------------------------------------------------------------------
_MARKERS = re.compile(r"\s*\[@[^\]]*\]|\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]|\((?:\s*\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\s*)\)(?=[\s.,;:]|$)"
                      r"|\s*\(grade: [^)]*\)")
_TOKEN = re.compile(r"⟨[^⟩]+⟩|[a-z][a-z0-9]*|[0-9]+(?:\.[0-9]+)?")
_UNIT_SPLIT = re.compile(r"(?<=[.!?;])(?<!\bal\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\bcf\.)\s+(?=[\"'(\[]?[A-Z0-9•·])|\s*[•·▪■¨]\s*|\n\s*[-*]\s+|\n{2,}")


def clean(text: str) -> str:
    """Text with hyphenation across lines joined, reference markers removed and spaces collapsed."""
    text = text.replace("\ufffe", "").replace("\u00ad", "").replace("\u2011", "-")
    text = re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)
    return _MARKERS.sub("", text)


@lru_cache(maxsize=8192)
def normal(text: str) -> str:
    """The text as the checks read it: cleaned, dosing shorthand and comparison symbols in words, spaces collapsed."""
    text = clean(text)
    for rx, words in cues().rewrites:
        text = rx.sub(words, text)
    return " ".join(text.split())


@dataclass(frozen=True, eq=False)
class _Lexicon:
    """The vocabulary as one pattern: every term, abbreviation and acronym -> its concept token (or long form)."""

    pattern: re.Pattern | None
    concept: dict[str, str]
    slot_of: dict[str, str] = field(default_factory=dict)
    cased: re.Pattern | None = None  # acronyms read only when written with capitals
    english: frozenset[str] = frozenset()


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
        long = normal(long)
        token = concept.get(long.lower()) or concept.get(short.lower()) or f"⟨acronym:{short.lower()}⟩"
        concept.setdefault(long.lower(), token)
        concept.setdefault(short.lower(), token)
    general = cues().abbreviations
    for short, full in general.items():  # general clinical abbreviations ("CrCl", "SmPC"), read in capitals only
        concept.setdefault(short, concept.get(full, full))
    english = (vocab.english if vocab is not None else frozenset()) | frozenset(general)
    cased = sorted(w for w in concept if w in english)
    plain = [w for w in concept if w not in english]
    long = _alternation([w for w in plain if len(w) >= 4])  # a plural reads as its term ("SSRIs"), not a short one ("this")
    short = _alternation([w for w in plain if len(w) < 4]) or "(?!)"
    pattern = re.compile(rf"(?<![\w⟨:])(?:({long})(?:e?s)?|({short}))(?![\w⟩])") if plain else None
    upper = re.compile(r"(?<![A-Za-z0-9])(" + _alternation(cased) + r")s?(?![A-Za-z0-9])", re.I) if cased else None
    return _Lexicon(pattern, concept, slot_of, upper, english - frozenset(general))


def _conceptualise(text: str, lex: _Lexicon) -> str:
    """Lower-case text with every vocabulary term, abbreviation and acronym replaced by its concept token."""
    original = normal(text)
    if lex.cased is not None:  # acronyms that spell English words ("HIT", "PAD") count only in capitals
        def cased(m: re.Match) -> str:
            word = m.group(1)
            upper = word.isupper() if word.lower() in lex.english else any(ch.isupper() for ch in word)
            return f" {lex.concept[word.lower()]} " if upper else m.group(0)
        original = lex.cased.sub(cased, original)
    low = original.lower()
    if lex.pattern is None:
        return low
    return lex.pattern.sub(lambda m: f" {lex.concept[m.group(1) or m.group(2)]} ", low)


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
    clauses: tuple[tuple[frozenset[str], str, str], ...]  # (content words, polarity, polarity less direction) per clause
    quantities: tuple[Quantity, ...]
    sequence: tuple[str, ...] = ()  # its words in order, quantities left out (for words of opposite meaning)
    claims: tuple[frozenset[str], ...] = ()  # content words of each coordinated claim ("..., and it also ...")
    preferences: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()  # (preferred, other) words: "A over B"


_CLAUSE = re.compile(r"[;:()]|,\s*(?:but|whereas|while|although|though|so)\b|\b(?:but|whereas|however|although|unless|because)\b",
                     re.I)
_CLAIM = re.compile(r"[;:]|,\s*(?:and|but|which|while|whereas|although|though|so)\b|\b(?:and\s+also|as\s+well\s+as|and\s+it)\b", re.I)


def polarity(text: str, directions: bool = True) -> str:
    """'positive', 'negative' (a negator or negative predicate that no negator just before it cancels) or 'neutral';
    without `directions`, a recommendation's direction ("we recommend against", "should not be used") is left out."""
    c = cues()
    text = normal(text)
    if c.neutral.search(text):
        return "neutral"
    if not directions:
        for rx in (c.graded, c.against, c.against_direction):
            text = rx.sub(" ", text)
    body = c.limits.sub(" ", text)
    marks = sorted([(m.start(), m.end(), "not") for m in c.negators.finditer(body)]
                   + [(m.start(), m.end(), "neg") for m in c.negative.finditer(body)]
                   + [(m.start(), m.end(), "against") for m in c.against.finditer(body)])
    left, i = 0, 0
    while i < len(marks):
        if (marks[i][2] == "not" and i + 1 < len(marks) and marks[i + 1][2] == "neg"
                and len(body[marks[i][1]:marks[i + 1][0]].split()) <= 2):  # "does not contraindicate"
            i += 2
            continue
        left, i = left + 1, i + 1
    return "negative" if left else "positive"


def strength(text: str) -> frozenset[str]:
    """The recommendation strength a text states ('strong', 'weak'): by its strength words, else by its verb."""
    c = cues()
    text = normal(text)
    if c.neutral.search(text):
        return frozenset()
    stated = frozenset(name for name in ("strong", "weak") if c.strength[name].search(text))
    return stated or frozenset(name for name in ("strong", "weak") if c.strength[f"{name}_verb"].search(text))


def direction(text: str) -> str | None:
    """The direction a statement gives a recommendation ('for', 'against', 'neutral'), or None when it gives none."""
    c = cues()
    text = normal(text)
    if c.neutral.search(text):
        return "neutral"
    if c.against.search(text) or c.against_direction.search(text) or re.search(r"\bagainst\b", text, re.I) and strength(text):
        return "against"
    return "for" if strength(text) else None


def grades(text: str) -> frozenset[str]:
    """Recommendation grades a text states ('class:iib', 'level:c')."""
    return frozenset(f"{i}:{m.group(1).lower()}" for i, rx in enumerate(cues().grades) for m in rx.finditer(text))


def _seq(text: str, lex: _Lexicon) -> tuple[str, ...]:
    plain = normal(text)
    for q in sorted(quantities(plain), key=lambda q: -len(q.text)):
        plain = plain.replace(q.text, " ")
    return tuple(_words(_conceptualise(plain, lex)))


def _preferences(text: str, lex: _Lexicon) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """(words just before, words just after) each preference marker of a text ("LABA over ICS")."""
    parts = [[w for w in _words(_conceptualise(p, lex)) if w in _content([w])]
             for p in cues().preference.split(normal(text))]
    return tuple((frozenset(parts[i][-4:]), frozenset(parts[i + 1][:4])) for i in range(len(parts) - 1))


def _unit_of(text: str, lex: _Lexicon) -> _Unit:
    body = normal(text)
    clauses = tuple((frozenset(_content(_words(_conceptualise(part, lex)))), polarity(part), polarity(part, False))
                    for part in _CLAUSE.split(body) if part and part.strip())
    claims = tuple(frozenset(_content(_words(_conceptualise(part, lex)))) for part in _CLAIM.split(body) if part.strip())
    return _Unit(" ".join(text.split()), frozenset(_words(_conceptualise(body, lex))), clauses, quantities(body),
                 _seq(text, lex), claims if len(claims) > 1 else (), _preferences(body, lex))


@lru_cache(maxsize=2048)
def _passage_units(text: str, lex: _Lexicon) -> tuple[_Unit, ...]:
    flat = re.sub(r"[ \t]*\n[ \t]*(?![-*•·])", " ", clean(text))  # hard-wrapped lines of a PDF are one paragraph
    parts = [p.strip(" -*\n") for p in _UNIT_SPLIT.split(flat) if p and p.strip(" -*\n")]
    return tuple(_unit_of(p, lex) for p in parts)


@dataclass(frozen=True)
class _Graded:
    words: frozenset[str]
    strength: str | None
    direction: str


@lru_cache(maxsize=2048)
def _graded(text: str, lex: _Lexicon) -> tuple[_Graded, ...]:
    """The graded recommendations of a passage: the text up to each printed grade ("Strong for"), with it."""
    flat, out, start = normal(text), [], 0
    for m in cues().graded.finditer(flat):
        if m.group(3):
            grade = _Graded(frozenset(_content(_words(_conceptualise(flat[start:m.start()], lex)))), None, "neutral")
        else:
            grade = _Graded(frozenset(_content(_words(_conceptualise(flat[start:m.start()], lex)))),
                            "weak" if m.group(1).lower() in ("weak", "conditional") else "strong", m.group(2).lower())
        out.append(grade)
        start = m.end()
    if out and (rest := flat[start:]).strip() and cues().neutral.search(rest):  # a last one printed without a grade
        out.append(_Graded(frozenset(_content(_words(_conceptualise(rest, lex)))), None, "neutral"))
    return tuple(out)


# ---- drugs --------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _drug_finder():
    from drug_named_entity_recognition import find_drugs  # its dictionary loads on first use (about 2 s)

    return find_drugs


_DRUG_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]")


@lru_cache(maxsize=4096)
def _substance_mentions(text: str) -> tuple[tuple[str, int, str], ...]:
    """(name, offset, surface) of every single substance (not a class) the offline drug dictionary finds in a text;
    short lower-case words it reads as a drug ("caps") are left out."""
    found = [(w.group(0), w.start()) for w in _DRUG_WORD.finditer(text)]
    if not found:
        return ()
    out = []
    for d, s, e in _drug_finder()([w for w, _ in found], is_ignore_case=True):
        surface = " ".join(w for w, _ in found[s:e])
        if (d.get("drugbank_id") or d.get("medline_plus_id")) and (len(surface) >= 5 or not surface.islower()):
            name = re.sub(r"-[a-z]{4}$", "", str(d.get("name", "")).lower())  # a biologic's suffix ("-jjmr")
            out.append((name, found[s][1], surface.lower()))
    return tuple(out)


def _substances(text: str) -> frozenset[str]:
    return frozenset(name for name, _, _ in _substance_mentions(text))


def _mentions(name: str, text: str) -> bool:
    """A text names a drug also where PDF tables glue a footnote letter or a suffix to it ("Eplerenoned", "-jjmr")."""
    head = name.split()[0].split("-")[0]
    return len(head) >= 5 and re.search(rf"(?<![a-z]){re.escape(head)}(?:[a-e]\b|-[a-z]+|\b)", text.lower()) is not None


@lru_cache(maxsize=2048)
def _entities(text: str, lex: _Lexicon) -> frozenset[str]:
    """Concept tokens of the entity slots and routes a text names, plus the single substances it names."""
    concept = _conceptualise(text, lex)
    found = {t for t in re.findall(r"⟨[^⟩]+⟩", concept) if t in lex.slot_of}
    routes = cues().routes
    found |= {f"⟨route:{name}⟩" for m in cues().route_pattern.finditer(normal(text))
              for name, words in routes.items() if m.group(0).lower() in words}
    found |= {f"⟨substance:{name}⟩" for name in _substances(normal(text))}
    return frozenset(found)


def _rows(drug: str, text: str) -> tuple[tuple[Quantity, ...], frozenset[str]]:
    """The quantities and routes a table passage gives one of the several drugs it names: from each mention of the drug
    to the next mention of another ("Citalopram 20 mg ... Escitalopram 10 mg")."""
    flat = normal(text)
    mentions = sorted(_substance_mentions(flat), key=lambda m: m[1])
    if len({name for name, _, _ in mentions}) < 2 or drug not in {name for name, _, _ in mentions}:
        return (), frozenset()
    found: list[Quantity] = []
    routes: set[str] = set()
    for i, (name, start, _) in enumerate(mentions):
        if name == drug:
            end = next((s for n, s, _ in mentions[i + 1:] if n != drug), len(flat))
            found += quantities(flat[start:end])
            routes |= {f"⟨route:{r}⟩" for m in cues().route_pattern.finditer(flat[start:end])
                       for r, words in cues().routes.items() if m.group(0).lower() in words}
    return tuple(found), frozenset(routes)


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
    for clause in statement.clauses:
        words, pol = clause[0], clause[k]
        if len(words) < 2 or not clauses:
            continue
        best = max(clauses, key=lambda c: (len(words & c[0]), -len(c[0])))
        if not words & best[0]:
            continue
        if pol != best[k]:
            return f"polarity: the statement is {pol}, the source is {best[k]}"
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


@dataclass(frozen=True)
class _Source:
    """One cited passage as the check reads it."""

    units: tuple[_Unit, ...]
    named: frozenset[str]
    heading_words: frozenset[str]
    words: frozenset[str]
    graded: tuple[_Graded, ...]
    grades: frozenset[str]
    header_dims: frozenset[str]
    rows: tuple[Quantity, ...] | None  # the quantities of the statement's one drug's row(s), where the passage is a table
    row_routes: frozenset[str] = frozenset()  # and the routes its row(s) name


def _glued(words: frozenset[str], pool: frozenset[str]) -> frozenset[str]:
    """Words that stand in a pool glued to another (PDF text loses spaces: "globalsymptoms", "Cyclobenzaprinec")."""
    joined = " ".join(pool)
    return frozenset(w for w in words - pool if len(w) >= 5 and not w.startswith("⟨") and w in joined)


def _judge(st: _Unit, span: Sequence[_Unit], src: _Source, entities: frozenset[str], min_coverage: float,
           max_uncovered: int) -> tuple[list[str], float]:
    """What keeps a span from supporting the statement (nothing: it supports it), and the coverage share."""
    words = frozenset().union(*(u.words for u in span))
    words |= _glued(st.words, words)
    found = src.rows or [p for u in span for p in u.quantities]
    reasons = [f"quantity '{q.text.strip()}' is not in the source" for q in st.quantities
               if not quantity_in(q, found, src.header_dims)]
    reasons += [f"names {e.strip('⟨⟩')} which the source does not" for e in sorted(entities - src.named)]
    if src.row_routes:
        reasons += [f"route {e.strip('⟨⟩')} is not the one the drug's row gives" for e in sorted(entities - src.row_routes)
                    if e.startswith("⟨route:") and e in src.named]
    if (p := _polarity_problem(st, span, bool(src.graded))) is not None:
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
    content = _content(st.words)
    covered = content & (words | src.heading_words)
    share = len(covered) / len(content) if content else 1.0
    missing = len(content) - len(covered)
    for clause in st.claims:
        if len(clause) >= 2 and len(clause & (words | src.heading_words)) / len(clause) < CLAUSE_COVERAGE:
            reasons.append(f"adds a claim the source does not make: {', '.join(sorted(w.strip('⟨⟩') for w in clause - words))}")
            break
    if share < min_coverage or missing > max_uncovered:
        reasons.append(f"coverage {share:.2f}: the source does not say {', '.join(sorted(w.strip('⟨⟩') for w in content - covered))}")
    return reasons, share


def _source(path: HeadingPath | None, text: str, lex: _Lexicon, entities: frozenset[str], drugs: frozenset[str]) -> _Source:
    heading = _heading(path)
    named = _entities(text, lex) | (_entities(heading, lex) if heading else frozenset())
    named |= {e for e in entities if e.startswith("⟨substance:") and _mentions(e[11:-1], f"{text} {heading}")}
    units = _passage_units(text, lex)
    rows, row_routes = _rows(next(iter(drugs)), text) if len(drugs) == 1 else ((), frozenset())
    return _Source(units, named, frozenset(_words(_conceptualise(heading, lex))) if heading else frozenset(),
                   frozenset().union(*(u.words for u in units)) if units else frozenset(), _graded(text, lex),
                   grades(normal(f"{heading} {text}")), header_dims(normal(text)), rows or None, row_routes)


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
        for start in range(len(src.units)):
            for size in range(1, SPAN_UNITS + 1):
                span = src.units[start:start + size]
                if len(span) < size:
                    break
                reasons, share = _judge(st, span, src, entities, min_coverage, max_uncovered)
                reasons = passage_reasons + reasons
                key = (share, not reasons, -len(reasons), -size)
                if best is None or key > best[0]:
                    quote = " ".join(u.text for u in span)
                    best = (key, SupportVerdict(not reasons, tuple(reasons), quote, index, round(share, 3)))
    if best is None:
        return SupportVerdict(False, ("no passage text to support it",))
    return best[1]


NOT_SUPPORTED = "not supported by the cited source"
