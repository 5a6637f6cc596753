"""Statements and passages as the support check reads them: vocabulary concepts, stems, spans (sentences, bullets,
rows) with their clauses, quantities and claims, graded recommendations and the acronyms a text defines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from functools import lru_cache

from assistant.quantities import Quantity, frequencies, quantities
from assistant.support_cues import BULLETS, _stemmer, clean, cues, normal, wordnet
from assistant.support_drugs import _substance_mentions
from assistant.support_polarity import alternative_polarity, polarity
from assistant.support_scope import Scoped, scoped
from assistant.vocabulary import Vocabulary, definitions
from assistant.text import phrase_alternation

ENTITY_SLOTS = ("drugs", "indications", "contexts", "populations")
_TERM_GAP = r"(?:\.?\s+|[’']\s*)"  # between a term's words: space, an initial's period ("St. John"), an apostrophe
_TOKEN = re.compile(r"⟨[^⟩]+⟩|[a-z][a-z0-9]*|[0-9]+(?:\.[0-9]+)?")
_UNIT_SPLIT = re.compile(r"(?<=[.!?;])(?<!\bal\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\bcf\.)\s+(?=[\"'(\[]?[A-Z0-9•·])|\s*[¨" + BULLETS + r"]\s*|\n\s*[-*]\s+|\n{2,}|\s*\u2029\s*")  # (U+2029: a table row's start)


@dataclass(frozen=True, eq=False)
class _Lexicon:
    """The vocabulary as one pattern: every term, abbreviation and acronym -> its concept token (or long form)."""

    pattern: re.Pattern | None
    concept: dict[str, str]
    slot_of: dict[str, str] = field(default_factory=dict)
    cased: re.Pattern | None = None  # acronyms read only when written with capitals
    english: frozenset[str] = frozenset()
    implied: dict[str, frozenset[str]] = field(default_factory=dict)  # acronym token -> the terms its long form names


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
                    parts = word.lower().split()
                    if slot == "indications" and len(parts) == 2 and parts[0].isalpha():  # "knee osteoarthritis":
                        for of in (" of the ", " of "):  # "osteoarthritis of the knee"
                            concept.setdefault(parts[1] + of + parts[0], token)
        for short, full in vocab.abbreviations.items():
            concept.setdefault(short.lower(), concept.get(full.lower(), full.lower()))
    for name, words in cues().routes.items():
        token = f"⟨route:{name}⟩"
        slot_of[token] = "routes"
        for word in words:
            concept.setdefault(word, token)
    base = dict(concept)  # the vocabulary's terms: what a document's acronym names inside its long form
    implied: dict[str, frozenset[str]] = {}
    spelled = {short.lower(): " ".join(normal(long).split()).lower() for long, short in acronyms}
    for long, short in acronyms:  # a passage's own "major depressive disorder (MDD)"
        long = " ".join(normal(long).split()).lower()
        one = _singular(short).lower()  # "LABAs" and "LABA" are one concept
        forms = [long]
        if long.endswith("s") and not long.endswith("ss"):  # "selective serotonin reuptake inhibitors (SSRIs)",
            forms.append(long[:-1])  # "inhaled corticosteroids (ICS)": the singular is the same concept
        nested = " ".join(spelled.get(w, w) if w != short.lower() else w for w in long.split())
        if nested != long:  # "estimated GFR (eGFR)": estimated glomerular filtration rate
            forms.append(nested)
        token = (next((concept[f] for f in forms if f in concept), None) or concept.get(short.lower()) or concept.get(one)
                 or f"⟨acronym:{one}⟩")
        for form in (*forms, short.lower(), one):
            concept.setdefault(form, token)
        if token.startswith("⟨acronym:"):  # "inhaled corticosteroid (ICS)" names a corticosteroid too
            words = forms[-1].split()
            inside = {base[" ".join(words[a:b])] for a in range(len(words)) for b in range(a + 1, min(len(words), a + 4) + 1)
                      if " ".join(words[a:b]) in base and base[" ".join(words[a:b])] in slot_of}
            inside |= {base[w[:-1]] for w in words if w.endswith("s") and w[:-1] in base and base[w[:-1]] in slot_of}
            if inside:
                implied[token] = implied.get(token, frozenset()) | frozenset(inside)
    general = cues().abbreviations
    for short, full in general.items():  # general clinical abbreviations ("CrCl", "SmPC"), read in capitals only
        concept.setdefault(short, concept.get(full, full))
    english = (vocab.english if vocab is not None else frozenset()) | frozenset(general)
    cased = sorted(w for w in concept if w in english)
    plain = [w for w in concept if w not in english]
    long = phrase_alternation([w for w in plain if len(w) >= 4]).replace(r"\-", r"[-\s]?")  # "apnea-hypopnea", "apneahypopnea"
    long = long.replace(r"\s+", _TERM_GAP)  # "St. John’s wort" for the definition's "st john s wort"
    short = phrase_alternation([w for w in plain if len(w) < 4]) or "(?!)"  # a plural reads as its term ("SSRIs"), not "this"
    pattern = re.compile(rf"(?<![\w⟨:])(?:({long})(?:e?s)?|({short}))(?![\w⟩])") if plain else None
    upper = re.compile(r"(?<![A-Za-z0-9])(" + phrase_alternation(cased) + r")s?(?![A-Za-z0-9])", re.I) if cased else None
    return _Lexicon(pattern, concept, slot_of, upper, english - frozenset(general), implied)


def _singular(acronym: str) -> str:
    """An acronym written in the plural ("LABAs", "SSRIs") as its singular."""
    return acronym[:-1] if len(acronym) > 2 and acronym.endswith("s") and acronym[:-1].isupper() else acronym


def _conceptualise(text: str, lex: _Lexicon) -> str:
    """Lower-case text with every vocabulary term, abbreviation and acronym replaced by its concept token."""
    original = normal(text)
    if lex.cased is not None:  # acronyms that spell English words ("HIT", "PAD") count only in capitals
        def cased(m: re.Match) -> str:
            word = m.group(1)
            upper = word.isupper() if word.lower() in lex.english else any(ch.isupper() for ch in word)
            return f" {_concept_of(lex, word)} " if upper else m.group(0)
        original = lex.cased.sub(cased, original)
    low = "".join(part if part.startswith("⟨") else part.lower() for part in re.split(r"(⟨[^⟩]+⟩)", original))  # tokens
    if lex.pattern is None:  # keep their case ("⟨indications:doc:VADoDPTSD...⟩")
        return low
    return lex.pattern.sub(lambda m: f" {_modifier_of(m.group(0))}{_concept_of(lex, m.group(1) or m.group(2))} ", low)


def _modifier_of(written: str) -> str:
    """The modifier a term begins with that excludes others on the same head ("mild traumatic brain injury": mild),
    kept before its concept token so that a statement's "severe traumatic brain injury" can be read against it."""
    from assistant.support_scope import polarity_cues

    first = written.split()[0] if " " in written.strip() else ""
    return f"{first} " if first and _stemmer().stemWord(first) in polarity_cues().modifiers else ""


def _concept_of(lex: _Lexicon, written: str) -> str:
    """The concept token of a matched term (its spaces as the lexicon writes them: a PDF's "systolic  blood pressure")."""
    key = written.lower()
    found = lex.concept.get(key) or lex.concept.get(" ".join(key.split()))
    if found is None:  # written without a hyphen the term has, or with one it lacks
        squashed = _squashed(lex)
        found = squashed[re.sub(r"[\s.’'-]+", "", key)]
    return found


@lru_cache(maxsize=64)
def _squashed(lex: _Lexicon) -> dict[str, str]:
    out: dict[str, str] = {}
    for term, token in lex.concept.items():
        out.setdefault(re.sub(r"[\s.’'-]+", "", term), token)
    return out


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


@lru_cache(maxsize=8192)
def plain_words(text: str) -> frozenset[str]:
    """The stems of a text as written, no vocabulary term read as its concept: "transplant recipients" holds "recipient"
    though the vocabulary reads the phrase as one population, so a statement saying "SOT recipients" speaks its word."""
    return frozenset(_words(normal(text).lower()))


def _content(words: Sequence[str]) -> set[str]:
    light = cues().light
    return {w for w in words if w not in light and not w[0].isdigit() and (len(w) > 1 or w.startswith("⟨"))}


class _Clause(NamedTuple):
    """A clause's content words and polarity (with and without a recommendation's direction), the words a negation of
    it takes in its scope, and its polarity counting negative predicates only (a negator left to the word check)."""

    words: frozenset[str]
    polarity: str
    undirected: str
    negated: frozenset[str]
    predicates: str
    undirected_predicates: str
    prefixed: frozenset[str] = frozenset()  # the words a negative prefix negates ("non-preferred": prefer, as stemmed)
    alternative: str = ""  # where it offers one thing as an alternative to another, its polarity without those words


@dataclass(frozen=True)
class _Unit:
    text: str
    words: frozenset[str]
    clauses: tuple[_Clause, ...]
    quantities: tuple[Quantity, ...]
    sequence: tuple[str, ...] = ()  # its words in order, quantities left out (for words of opposite meaning)
    claims: tuple[frozenset[str], ...] = ()  # content words of each coordinated claim ("..., and it also ...")
    preferences: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()  # (preferred, other) words: "A over B"
    frequencies: frozenset[tuple[int, str]] = frozenset()  # "twice daily": (2, 'day')
    specific: frozenset[str] = frozenset()  # its words of clinical specificity (see _specific)
    scope: Scoped | None = None  # its words with the negation scope of each (see support_scope)


_CLAUSE = re.compile(r"[;:()]|,\s*(?:but|whereas|while|although|though|so)\b|\b(?:but|whereas|however|although|unless|because)\b",
                     re.I)
_CLAIM = re.compile(r"[;:]|,\s*(?:and|but|which|while|whereas|although|though|so)\b|\b(?:and\s+also|as\s+well\s+as|and\s+it|but)\b", re.I)


def _seq(text: str, lex: _Lexicon) -> tuple[str, ...]:
    from assistant.support_bound import without_bounds

    plain = without_bounds(text)  # a quantity's bound words are compared with the quantity
    for q in sorted(quantities(plain), key=lambda q: -len(q.text)):
        plain = plain.replace(q.text, " ")
    return tuple(_words(_conceptualise(plain, lex)))


def _preferences(text: str, lex: _Lexicon) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """(words before, words after) each preference marker of a text ("LABA over ICS"): the four content words on each
    side, and the things named (concept tokens) in the last eight before it and in the rest of its clause after it
    ("adding LABA over increasing ICS alone or adding LAMA or LTRA": LAMA and LTRA are put second too)."""
    from assistant.support_scope import polarity_cues

    flat = normal(text)
    marks = sorted({(m.start(), m.end()) for rx in (cues().preference, polarity_cues().preference) for m in rx.finditer(flat)})
    out = []
    for start, end in marks:
        before = flat[:start]
        before = before[max(before.rfind("."), before.rfind(";"), before.rfind(":")) + 1:]
        if flat[start:end].lower() == "over" and not polarity_cues().choosing.search(before):
            continue  # "over 5 days", "over 65 years": no preference
        after = re.split(r"[.;:(]", flat[end:], maxsplit=1)[0]
        b = [w for w in _words(_conceptualise(before, lex)) if w in _content([w])]
        a = [w for w in _words(_conceptualise(after, lex)) if w in _content([w])]
        out.append((frozenset(b[-4:]) | {w for w in b[-8:] if w.startswith("⟨")},
                    frozenset(a[:4]) | {w for w in a if w.startswith("⟨")}))
    return tuple(out)


def _unit_of(text: str, lex: _Lexicon) -> _Unit:
    body = normal(text)
    parts: list[str] = []
    for part in (p for p in _CLAUSE.split(body) if p and p.strip()):  # a piece of one content word is part of the next
        if parts and len(_content(_words(_conceptualise(parts[-1], lex)))) < 2:
            parts[-1] = f"{parts[-1]} {part}"
        else:
            parts.append(part)
    if len(parts) > 1 and len(_content(_words(_conceptualise(parts[-1], lex)))) < 2:  # or, the last one, of the one before
        parts[-2:] = [f"{parts[-2]} {parts[-1]}"]
    clauses = tuple(_Clause(frozenset(_content(_words(_conceptualise(part, lex)))), polarity(part), polarity(part, False),
                            (sc := scoped(part, _conceptualise(part, lex))).negated_words,
                            polarity(part, negators=False), polarity(part, False, negators=False), _prefix_negated(part),
                            alternative_polarity(part))
                    for part in parts)
    claims = tuple(frozenset(_content(_words(_conceptualise(part, lex)))) for part in _CLAIM.split(body) if part.strip())
    return _Unit(" ".join(text.split()), frozenset(_words(_conceptualise(body, lex))), clauses, quantities(body),
                 _seq(text, lex), claims if len(claims) > 1 else (), _preferences(body, lex), frequencies(body),
                 _specific(body), scoped(body, _conceptualise(body, lex)))


def _prefix_negated(text: str) -> frozenset[str]:
    """The words a text negates by a negative prefix (support-polarity.yaml negative_prefixes), stemmed and with synonyms
    merged as a negation's scope gives them: "a non-preferred alternative" negates what "(not preferred)" does,
    "unapproved" what "not approved" does. Only a remainder WordNet knows counts ("interval" holds no "terval")."""
    from assistant.support_scope import _norm_word, polarity_cues

    wn = wordnet(cues().wordnet_senses)
    out = set()
    for word in re.findall(r"[a-z]+(?:-[a-z]+)?", normal(text).lower()):
        for p in polarity_cues().prefixes:
            rest = word[len(p):].lstrip("-")
            if word.startswith(p) and len(rest) >= 4 and (wn is None or wn.synsets(_stemmer().stemWord(rest))):
                out.add(_norm_word(rest))
    return frozenset(out)


_BULLETED = re.compile(f"[{BULLETS}]")
_ROW_BREAK_AFTER = re.compile(r"(?:[-/,–(]|\b(?:or|and|in|to|of|with|the|a|an))\s*$", re.I)


def _table_rows(text: str) -> str:
    """A PDF table's rows apart: a line that opens with a drug's name (capitalised, after a line that does not break
    off) starts a row of its own after a row whose comments are bullets, where two or more lines of the passage open
    with a name ("• Maximum daily dose is 7.5 mg" / "(three tablets)" / "Sumatriptan (Imitrex®) injection 6 mg ...")."""

    lines = text.split("\n")
    starts = [k for k, line in enumerate(lines) if k and line[:1].isupper() and lines[k - 1].strip()
              and not _ROW_BREAK_AFTER.search(lines[k - 1])
              and any(at == 0 for _, at, _ in _substance_mentions(line.strip()[:40]))]
    if len(starts) + bool(lines and any(at == 0 for _, at, _ in _substance_mentions(lines[0].strip()[:40]))) < 2:
        return text
    previous = 0
    for k in starts:  # only after a row whose comments are bullets: the last bullet would run on into the next row
        if any(_BULLETED.search(line) for line in lines[previous:k]):
            lines[k] = "\u2029" + lines[k]
        previous = k
    return "\n".join(lines)


@lru_cache(maxsize=2048)
def _passage_units(text: str, lex: _Lexicon) -> tuple[_Unit, ...]:
    text = _table_rows(clean(text)) if "\n" in text else text
    flat = re.sub(r"[ \t]*\n[ \t]*(?![-*•·])", " ", clean(text))  # hard-wrapped lines of a PDF are one paragraph
    from assistant.support_bound import strip_labels

    parts = [p.strip(" -*\n") for p in _UNIT_SPLIT.split(flat) if p and p.strip(" -*\n")]
    parts = [q for p in parts if (q := strip_labels(p).strip())]  # list labels and recommendation numbers are no quantity
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



def _glued(words: frozenset[str], pool: frozenset[str]) -> frozenset[str]:
    """Words that stand in a pool glued to another (PDF text loses spaces: "globalsymptoms", "Cyclobenzaprinec")."""
    joined = " ".join(pool)
    return frozenset(w for w in words - pool if len(w) >= 5 and not w.startswith("⟨") and w in joined)



@lru_cache(maxsize=4096)
def _synsets_of(pool: frozenset[str]) -> frozenset[int]:
    wn = wordnet(cues().wordnet_senses)
    if wn is None:
        return frozenset()
    light = cues().light
    return frozenset().union(*(wn.synsets(w) for w in pool if not w.startswith("⟨") and w not in light))


def _kin(words: frozenset[str] | set[str], pool: frozenset[str]) -> frozenset[str]:
    """Words that share a WordNet synset (among the first senses of each) with a word of the pool ("final" and "last")."""
    wn = wordnet(cues().wordnet_senses)
    if wn is None or not words:
        return frozenset()
    held = _synsets_of(pool)
    return frozenset(w for w in words if not w.startswith("⟨") and wn.synsets(w) & held)


@lru_cache(maxsize=1)
def _zipf():
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return zipf_frequency


_PREFIXES = ("re", "pre", "post", "un", "non", "over", "under", "co", "sub", "super", "inter", "intra", "multi")


def _prefixed(word: str, wn) -> bool:
    """A general word with a prefix ("recheck", "reassess", "preinfusion"): no clinically specific word."""
    stem = _stemmer().stemWord
    return any(word.startswith(p) and len(word) - len(p) >= 4 and wn.synsets(stem(word[len(p):])) for p in _PREFIXES)


def _specific(text: str) -> frozenset[str]:
    """The words of a text (stems) that name something clinically specific rather than say something in general English:
    words whose every frequent WordNet sense is of a specific kind (`specific_lexfiles`: relational adjectives such as
    "fungal" or "epidural", body parts, substances, organisms), and words WordNet does not know that are rare in English
    (wordfreq Zipf below `specific_zipf`: "transfemoral"), unless written in capitals (an abbreviation introduced)."""
    c = cues()
    wn, zipf = wordnet(c.wordnet_senses), _zipf()
    if wn is None or zipf is None:
        return frozenset()
    stem, out = _stemmer().stemWord, set()
    for tok in re.findall(r"[A-Za-z][A-Za-z]*[A-Za-z]", text):  # (each part of a compound: "maltose-containing" names
        s = stem(tok.lower())                                       # maltose, a sibling of the source's "sucrose")
        if s in c.light or len(s) < 4:
            continue
        senses = wn.synsets(s)
        if senses:
            if all(wn.lexfile[i] in c.specific_lexfiles for i in senses):
                out.add(c.synonyms.get(s, s))
        elif not tok.isupper() and zipf(tok.lower(), "en") < c.specific_zipf and not _prefixed(tok.lower(), wn):
            out.add(c.synonyms.get(s, s))
    return frozenset(out)
