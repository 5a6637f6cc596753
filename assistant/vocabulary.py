"""The words questions use, as data: the shared clinical lexicon plus the corpus's own vocabulary.

Three files feed it, so another corpus brings its own words and gets the same behaviour:
- `assistant/data/clinical-lexicon.yaml` (shipped): populations, aspects, clinicians' abbreviations;
- the dose-rule vocabulary `rules/vocabulary.yaml`: drugs and indications with their synonyms;
- the corpus lexicon `corpus/lexicon.yaml` (optional): contexts, extra conditions, shorthand, aspect topics.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz.distance import Levenshtein

from assistant.errors import ConfigError
from assistant.routes import Routes, fill, read_routes

SHARED_LEXICON = Path(__file__).parent / "data" / "clinical-lexicon.yaml"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'/-]*")


@dataclass(frozen=True)
class Term:
    """One canonical concept: its key, the label shown to people, the words that name it."""

    canonical: str
    label: str
    terms: tuple[str, ...]
    joiner: str = "with"
    acronyms: frozenset[str] = frozenset()  # written in capitals ("HIT", "ITP"): typed in lower case only if no English word
    group: bool = False  # a row gathering several conditions (other neurological uses): a mention is shown as written
    # Words that, right before a mention, make it the patient's history rather than the circumstance now ("recurrent
    # infections" are no active infection); a count before it ("3 pneumonias") does too.
    past_words: tuple[str, ...] = ()


def _same_name(long: str, name: str) -> bool:
    """Whether a document's long form and a term's name (both folded) name the same thing: one holds the other
    ("osteoarthritis" and "osteoarthritis of the hip"), or half the long form's words or more begin or are begun by a
    word of the name ("guillain barr syndrome", as a definition with its accent lost gives it)."""
    if long in name or name in long:
        return True
    words, theirs = long.split(), name.split()
    alike = sum(any(len(w) >= 4 and len(x) >= 4 and (w.startswith(x) or x.startswith(w)) for x in theirs) for w in words)
    return 2 * alike >= len(words)


def _folded(text: str) -> str:
    """Lower case without accents, hyphens as spaces: "Guillain-Barré syndrome" is "guillain barre syndrome"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


@dataclass(frozen=True)
class Mention:
    """A concept found in a text: the concept and the words the text used for it."""

    term: Term
    surface: str
    start: int = 0
    end: int = 0

    @property
    def name(self) -> str:
        return self.term.canonical

    @property
    def label(self) -> str:
        return self.surface if self.term.group else self.term.label


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Every slot's concepts, the abbreviations to expand and the words typos are corrected to."""

    drugs: tuple[Term, ...] = ()
    indications: tuple[Term, ...] = ()
    contexts: tuple[Term, ...] = ()
    populations: tuple[Term, ...] = ()
    aspects: tuple[Term, ...] = ()
    abbreviations: dict[str, str] = field(default_factory=dict)
    exclusive_populations: tuple[str, ...] = ()
    default_populations: tuple[str, ...] = ()  # the age group a statement naming none is about (adults)
    distinct_populations: tuple[str, ...] = ()
    aspect_topics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Documents that answer an aspect for every condition only when the turn asks that aspect itself (not an overview).
    asked_aspect_topics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    modifiers: frozenset[str] = frozenset()
    english: frozenset[str] = frozenset()  # short English words that clinical acronyms spell ("hit", "all", "aid")
    qualifiers: re.Pattern | None = None  # phrases naming no aspect or condition ("on low-dose ICS", "normal tetanus responses")
    contrasts: tuple[tuple[str, ...], ...] = ()  # words that exclude each other ("allogeneic" / "autologous")
    acronyms: tuple[tuple[str, str], ...] = ()  # (acronym, long form) the indexed documents define: CBT, OSA, MBSR
    broad: frozenset[str] = frozenset()
    settings: frozenset[str] = frozenset()  # conditions that are a setting of care (a transplant): a specific one named leads
    routes: Routes = field(default_factory=Routes)  # the corpus's routes and their words (corpus lexicon `routes`)

    def slot(self, name: str) -> tuple[Term, ...]:
        return getattr(self, name)

    def topics_of(self, aspect: str) -> tuple[str, ...]:
        """The document topics that answer an aspect asked for every condition (`aspect_topics`, then `asked_aspect_topics`)."""
        return tuple(dict.fromkeys([*self.aspect_topics.get(aspect, ()), *self.asked_aspect_topics.get(aspect, ())]))

    def term(self, slot: str, canonical: str) -> Term | None:
        return next((t for t in self.slot(slot) if t.canonical == canonical), None)

    def find(self, text: str, slot: str, taken: list[tuple[int, int]] | None = None) -> Mention | None:
        """The earliest, then longest, term of a slot in text that does not overlap spans already taken. An acronym that
        is also an English word ("HIT", "hit") counts only when typed in capitals."""
        pattern, by_word = _slot_pattern(self, slot)
        if pattern is None:
            return None
        taken = taken or []
        for match in pattern.finditer(text.lower()):
            start, end = match.span()
            term = by_word[match.group(0)]
            surface = text[start:end]
            if surface.upper() in term.acronyms and surface.lower() in self.english and not surface.isupper():
                continue
            if self._defined_otherwise(surface, term):
                continue  # "PAD" where an indexed guideline defines it as peripheral artery disease
            if not any(start < e and s < end for s, e in taken):
                return Mention(term, surface, start, end)
        return None

    def _defined_otherwise(self, surface: str, term: Term) -> bool:
        """An acronym of a term that the indexed documents define with a long form the term does not name: the
        documents' meaning is the one a question means."""
        if not self.acronyms or not surface.isupper() or len(surface) < 2:
            return False
        names = {_folded(t) for t in (*term.terms, term.label)}
        longs = [_folded(long) for short, long in self.acronyms if short.upper() == surface]
        return bool(longs) and not any(_same_name(long, name) for long in longs for name in names
                                       if len(name) > len(surface))

    def qualified_spans(self, text: str) -> list[tuple[int, int]]:
        """The spans of phrases naming no aspect, condition or drug asked about ("on low-dose ICS", "no response to
        pneumovax")."""
        return [m.span() for m in self.qualifiers.finditer(text)] if self.qualifiers else []

    def find_all(self, text: str, slot: str) -> list[Mention]:
        """Every distinct concept of a slot named in text, in order."""
        out: list[Mention] = []
        taken: list[tuple[int, int]] = []
        while (m := self.find(text, slot, taken)) is not None:
            taken.append((m.start, m.end))
            if all(o.name != m.name for o in out):
                out.append(m)
        return sorted(out, key=lambda m: m.start)

    @property
    def spellings(self) -> frozenset[str]:
        return _spellings(self)

    def normalise(self, text: str, known: Callable[[str], bool] | None = None) -> str:
        """Text with shorthand expanded and misspelt concept words corrected (only words the corpus does not know)."""
        def expand(match: re.Match[str]) -> str:
            word = match.group(0)
            full = self.abbreviations.get(word.lower())
            if full is not None:  # "18mo" is "18 months", not "18months"
                return (" " if match.start() and text[match.start() - 1].isdigit() else "") + full
            return _correct(word, self, known)

        return _WORD.sub(expand, text)


@lru_cache(maxsize=64)
def _slot_pattern(vocab: Vocabulary, slot: str) -> tuple[re.Pattern[str] | None, dict[str, Term]]:
    """One compiled alternation of a slot's words, longest first (so the longest term wins where several start)."""
    by_word: dict[str, Term] = {}
    for term in vocab.slot(slot):
        for word in term.terms:
            by_word.setdefault(word, term)
    if not by_word:
        return None, by_word
    words = sorted(by_word, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])"), by_word


@lru_cache(maxsize=16)
def _spellings(vocab: Vocabulary) -> frozenset[str]:
    words = set()
    for slot in ("drugs", "indications", "contexts", "populations", "aspects"):
        for term in vocab.slot(slot):
            for phrase in term.terms:
                words.update(w for w in re.findall(r"[a-z][a-z0-9-]+", phrase) if len(w) >= 5)
    return frozenset(words)


# A word at least this common in English (Zipf scale: 3 is about once per million words) is what the writer meant,
# even when a corpus word is one letter away ("though" is not a misspelt "trough").
COMMON_WORD_ZIPF = 3.0


@lru_cache(maxsize=8192)
def _common(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= COMMON_WORD_ZIPF


def _correct(word: str, vocab: Vocabulary, known: Callable[[str], bool] | None) -> str:
    """The vocabulary word a long misspelt word stands for (edit distance 1, or 2 from 8 letters), else the word."""
    low = word.lower()
    if len(low) < 5 or not low.isalpha() or low in vocab.spellings or (known is not None and known(low)) or _common(low):
        return word
    limit = 2 if len(low) >= 8 else 1
    best, best_d = None, limit + 1
    for cand in vocab.spellings:
        if abs(len(cand) - len(low)) > limit or cand[0] != low[0]:
            continue
        d = Levenshtein.distance(low, cand, score_cutoff=limit)
        if d < best_d or (d == best_d and best is not None and cand < best):
            best, best_d = cand, d
    if best is not None and best_d <= limit:
        return best
    return _corpus_correction(low, known) or word if known is not None else word


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
CORPUS_CORRECTION_MIN = 6


def _corpus_correction(low: str, known: Callable[[str], bool]) -> str | None:
    """The word one edit away (a letter dropped, added, changed or two swapped) that the indexed documents use, for a
    long word they do not ("cannibis": cannabis, "baloon": balloon); the most common in English of several."""
    from wordfreq import zipf_frequency

    if len(low) < CORPUS_CORRECTION_MIN:
        return None
    splits = [(low[:i], low[i:]) for i in range(len(low) + 1)]
    edits = {a + b[1:] for a, b in splits if b} | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1} \
        | {a + c + b[1:] for a, b in splits if b for c in _LETTERS} | {a + c + b for a, b in splits for c in _LETTERS}
    # (An edit must be a word of English itself: the index knows word stems, so "minusitis" would pass for "sinusitis".)
    found = sorted((e for e in edits - {low} if len(e) >= CORPUS_CORRECTION_MIN - 1 and zipf_frequency(e, "en") > 0
                    and known(e)), key=lambda e: (-zipf_frequency(e, "en"), e))
    return found[0] if found else None


def _masks(phrases, patterns) -> re.Pattern | None:
    """One pattern matching any of the phrases as whole words (longest first) or any of the regular expressions, or None."""
    words = sorted({str(p).lower() for p in phrases}, key=len, reverse=True)
    parts = [*map(re.escape, words), *(f"(?:{p})" for p in patterns)]
    try:
        return re.compile(r"(?i)(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])") if parts else None
    except re.error as exc:
        raise ConfigError(f"clinical lexicon: a finding pattern is not a valid regular expression ({exc})") from exc


def _terms(rows: list[dict] | None, where: Path) -> tuple[Term, ...]:
    out = []
    for row in rows or []:
        try:
            canonical = str(row["canonical"])
            words = [*row.get("terms", []), *row.get("synonyms", [])]
            label = str(row.get("label") or (words[0] if words else canonical.replace("_", " ")))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{where}: malformed vocabulary row {row!r}") from exc
        terms = tuple(dict.fromkeys(w.lower() for w in (label, canonical.replace("_", " "), *map(str, words))))
        acronyms = frozenset(str(w) for w in words if str(w).isupper() and len(str(w)) <= 5)
        out.append(Term(canonical, label, terms, str(row.get("joiner", "with")), acronyms, bool(row.get("group", False)),
                        tuple(str(w).lower() for w in row.get("past_words") or ())))
    return tuple(out)


def _merged(shared: tuple[Term, ...], own: tuple[Term, ...]) -> tuple[Term, ...]:
    """The shared lexicon's concepts with a corpus's own: a corpus row replaces the shared row of the same key."""
    keys = {t.canonical for t in own}
    return (*own, *(t for t in shared if t.canonical not in keys))


def _read(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read vocabulary: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a vocabulary file must be a mapping")
    return data


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return ()


def load_vocabulary(rules_dir: Path, lexicon: Path | None = None) -> Vocabulary:
    """The vocabulary of a corpus: its rules vocabulary and lexicon over the shared clinical lexicon (cached by file stamps)."""
    rules_vocab = Path(rules_dir) / "vocabulary.yaml"
    lexicon = Path(lexicon) if lexicon else Path(rules_dir).parent / "lexicon.yaml"
    return _load(rules_vocab, lexicon, _stamp(rules_vocab), _stamp(lexicon), _stamp(SHARED_LEXICON))


@lru_cache(maxsize=8)
def _load(rules_vocab: Path, lexicon: Path, *_stamps: tuple) -> Vocabulary:
    shared, rules, corpus = _read(SHARED_LEXICON), _read(rules_vocab), _read(lexicon)
    labels = {row["canonical"]: row.get("label") for row in corpus.get("conditions", []) or []}
    indications = [*_terms(rules.get("indications"), rules_vocab), *_terms(corpus.get("conditions"), lexicon)]
    indications = [replace(t, label=labels.get(t.canonical) or t.label) for t in indications]
    abbreviations = {str(k).lower(): str(v) for k, v in {**(shared.get("abbreviations") or {}),
                                                           **(corpus.get("abbreviations") or {})}.items()}
    topics = {str(k): tuple(map(str, v)) for k, v in (corpus.get("aspect_topics") or {}).items()}
    asked_topics = {str(k): tuple(map(str, v)) for k, v in (corpus.get("asked_aspect_topics") or {}).items()}
    routes = read_routes(corpus.get("routes"), lexicon)
    return Vocabulary(
        drugs=_terms(rules.get("drugs"), rules_vocab),
        indications=tuple(indications),
        contexts=_merged(_terms(shared.get("contexts"), SHARED_LEXICON), _terms(corpus.get("contexts"), lexicon)),
        populations=_terms(shared.get("populations"), SHARED_LEXICON),
        aspects=_terms(shared.get("aspects"), SHARED_LEXICON),
        abbreviations=abbreviations,
        exclusive_populations=tuple(shared.get("exclusive_populations") or ()),
        default_populations=tuple(shared.get("default_populations") or ()),
        distinct_populations=tuple(shared.get("distinct_populations") or ()),
        aspect_topics=topics,
        asked_aspect_topics=asked_topics,
        modifiers=frozenset(map(str, corpus.get("modifiers") or ())),
        broad=frozenset(str(row["canonical"]) for row in corpus.get("conditions") or []),
        settings=frozenset(str(name) for name in corpus.get("settings") or ()),
        english=frozenset(str(w).lower() for w in shared.get("english_words") or ()),
        qualifiers=_masks(shared.get("qualifier_phrases") or (), [fill(str(p), routes) for p in shared.get("finding_patterns") or ()]),
        routes=routes,
        contrasts=tuple(tuple(str(w).lower() for w in group) for group in shared.get("contrasts") or () if len(group) >= 2),
    )


# "... Guideline for the Management of X and Y": the conditions a guideline is about, from its own title. The subject
# follows the last "<care word> of" ("for the Non-surgical Management of", "for Rehabilitation of"), else "for".
_TITLE_FOR = re.compile(r"(?i)\b(?:guidelines?|CPG)\b(?:\s*\(CPG\))?\s+(?:for\s+)?(?:the\s+)?(?P<subject>.+)$")
_CARE_OF = re.compile(r"(?i)^.*\b(?:management|treatment|diagnosis|assessment|prevention|rehabilitation|care)\s+of\s+")
_SPLIT = re.compile(r"(?i)\s*(?:,|;|\band\b|&|\bor\b)\s*")
_ACRONYM = re.compile(r"\(((?=(?:[a-z]*[A-Z]){2})[A-Za-z]{2,8})\)")  # "(OSA)", "(mTBI)": two capitals at least
# Words around a condition's name in a title that name the people or the care, not the condition.
_WHO = re.compile(r"(?i)^(?:(?:individuals|patients|people|adults|persons)\s+(?:with|at\s+risk\s+(?:for|of))\s+)")
_SETTING = re.compile(r"(?i)\s+in\s+(?:the\s+)?primary\s+care(?:\s+setting)?$|\s*\([^)]*\)$")
_QUALIFIERS = ("chronic", "acute", "post-acute", "adult", "persistent", "clinical", "major")  # dropped, the same condition
# A title's last word that can go ("insomnia disorder" is insomnia, "stroke rehabilitation" is about stroke), and the
# words that never name a condition on their own.
_NAMING_TAILS = ("disorder", "disorders", "rehabilitation", "management")
_GENERIC_TAILS = ("disorder", "disorders", "disease", "diseases", "illness", "syndrome", "injury", "rehabilitation",
                  "management")
# A one-word name this common in English is too broad to stand for a document's condition ("pain", "injury").
BROAD_WORD_ZIPF = 4.7
RARE_TAIL_ZIPF = 3.0  # a last word this rare is a qualifier a name may drop ("mellitus")


def definitions(text: str) -> dict[str, str]:
    """Acronyms a text defines, long form -> acronym ("obstructive sleep apnea (OSA)"), after Schwartz and Hearst:
    the shortest run of preceding words whose initials hold the acronym's letters in order."""
    out: dict[str, str] = {}
    for m in _ACRONYM.finditer(text):
        short = m.group(1)
        words = re.findall(r"[A-Za-z][A-Za-z-]*", text[max(0, m.start() - 120):m.start()])[-(len(short) + 3):]
        for n in range(1, len(words) + 1):
            run = words[-n:]
            if run[0][0].lower() == short[0].lower() and _holds(short.lower(), " ".join(run).lower()):
                out.setdefault(" ".join(run).lower(), short)
                break
    return out


def _holds(short: str, long: str) -> bool:
    i = 0
    for ch in long:
        if i < len(short) and ch == short[i]:
            i += 1
    return i == len(short)


def _subjects(title: str) -> list[str]:
    """The condition names a guideline title gives ("Hip & Knee Osteoarthritis" is hip osteoarthritis and knee
    osteoarthritis; "Patients at Risk for Suicide" is suicide; "... in Primary Care" is dropped)."""
    m = _TITLE_FOR.search(title or "")
    if not m:
        return []
    subject = _CARE_OF.sub("", m.group("subject").strip(" ."))
    parts = [_SETTING.sub("", _WHO.sub("", p.strip())).strip() for p in _SPLIT.split(subject)]
    parts = [p for p in parts if p]
    out = []
    for i, part in enumerate(parts):
        words = part.split()
        if len(words) == 1 and i + 1 < len(parts) and len(parts[i + 1].split()) >= 2:
            part = f"{part} {parts[i + 1].split()[-1]}"  # "Hip" of "Hip & Knee Osteoarthritis"
        if len(part) >= 4 and re.search(r"[a-z]", part):
            out.append(part)
    return out


def _standalone(phrase: str, full: str, text: str) -> int:
    """How often a text names a shorter phrase outside the full name it comes from."""
    def count(p: str) -> int:
        return len(re.findall(rf"(?<![a-z0-9-]){re.escape(p)}(?![a-z0-9-])", text))
    return count(phrase) - (count(full) if phrase in full else 0)


def _variants(phrase: str, text: str, min_uses: int = 2) -> list[str]:
    """Shorter names of a condition that the document itself uses on their own ("insomnia" beside "chronic insomnia
    disorder", "stroke" beside "stroke rehabilitation", "osteoarthritis" beside "knee osteoarthritis"), and the
    singular of a plural name; one-word names as broad as "pain" or "illness" never."""
    from wordfreq import zipf_frequency

    low = phrase.lower()
    words = low.split()
    singular = " ".join([*words[:-1], words[-1][:-1]]) if words[-1] in ("disorders", "diseases") else None
    forms: set[str] = {singular} if singular else set()
    bare = words[:-1] if len(words) > 1 and words[-1] in _NAMING_TAILS else []
    for ws, stripped in ((words, False), (bare, True)):
        while len(ws) > 1 and ws[0] in _QUALIFIERS:
            ws = ws[1:]
            forms.add(" ".join(ws))
        if stripped and ws:
            forms.add(" ".join(ws))
            if ws[-1].endswith("ive"):  # "major depressive (disorder)": the noun the document uses, "depression"
                forms.discard(ws[-1])
                forms.add(ws[-1][:-3] + "ion")
        elif len(ws) > 1:
            forms.update(" ".join(ws[i:]) for i in range(1, len(ws) - 1))  # "sleep apnea" of "obstructive sleep apnea"
            if len(ws) > 2 and zipf_frequency(ws[-1], "en") < RARE_TAIL_ZIPF:
                forms.add(" ".join(ws[:-1]))  # "type 2 diabetes" of "type 2 diabetes mellitus", when used so
            if ws[-1] not in _GENERIC_TAILS:
                forms.add(ws[-1])  # the head noun: "osteoarthritis" of "knee osteoarthritis"
    out = []
    for form in sorted(forms - {low}, key=len, reverse=True):
        if " " not in form and (zipf_frequency(form, "en") >= BROAD_WORD_ZIPF or form in _GENERIC_TAILS):
            continue
        if form == singular or _standalone(form, low, text) >= min_uses:
            out.append(form)
    return out


def document_conditions(titles: dict[str, str], texts: dict[str, str],
                        glossaries: dict[str, dict[str, str]] | None = None) -> tuple[Term, ...]:
    """Conditions named by guideline titles ("... for the Management of Chronic Insomnia Disorder"), each with the
    acronym its document defines for it and the shorter names the document uses on their own ("insomnia"): what a
    site's own guidelines teach the question reader. A name already taken by an earlier condition is not given to
    another. (A condition the text only defines with an acronym, "opioid use disorder (OUD)", is not one: its guideline's
    title does not name it, so its own passages would not count as being about it.)"""
    out: list[Term] = []
    taken: set[str] = set()
    glossaries = glossaries or {}
    subjects = {p.lower() for title in titles.values() for p in _subjects(title)}  # never a kind of another
    for doc_id, title in titles.items():
        glossary = glossaries.get(doc_id, {})
        defined = {**glossary, **definitions(texts.get(doc_id, ""))}
        lowered = texts.get(doc_id, "").lower()
        for phrase in _subjects(title):
            low = phrase.lower()
            acronym = defined.get(low) or next((a for long, a in defined.items() if len(long.split()) >= 2
                                                and (long.endswith(low) or low.endswith(long))), None)
            # the abbreviation list may give the title's condition an acronym of its own too ("T2DM" beside "DM")
            acronyms = list(dict.fromkeys([*([acronym] if acronym else []), *(a for long, a in glossary.items() if long == low)]))
            names = [low, *_variants(phrase, lowered), *(a.lower() for a in acronyms)]
            kinds = _defined_kinds(low, {k: v for k, v in defined.items() if k not in subjects}, lowered,
                                   {d: t.lower() for d, t in texts.items() if d != doc_id})
            words = [w for w in dict.fromkeys([*names, *_kinds_named(names, lowered), *kinds]) if w not in taken]
            if low not in words:
                continue
            taken.update(words)
            kind_acronyms = {a for long, a in defined.items() if long in kinds}
            out.append(Term(f"doc:{doc_id}:{re.sub(r'[^a-z0-9]+', '_', low).strip('_')}", phrase, tuple(words),
                            acronyms=frozenset(acronyms) | frozenset(kind_acronyms)))
    return tuple(out)


def _singular_words(phrase: str) -> list[str]:
    words = phrase.lower().split()
    if words and words[-1].endswith(("disorders", "diseases", "injuries", "headaches")):
        words[-1] = words[-1][:-3] + "y" if words[-1].endswith("ies") else words[-1][:-1]
    return words


def _defined_kinds(subject: str, defined: dict[str, str], text: str, others: dict[str, str]) -> list[str]:
    """The kinds of a guideline's condition its own text defines with an acronym ("opioid use disorder (OUD)" in a
    guideline on substance use disorders): a long form that ends with the condition's last words (all of them for a
    one-word condition, two at least otherwise), named in the document at least `condition_kind_min_uses` times (by
    either name) and more often than in any other document. Each comes with its acronym."""
    from wordfreq import zipf_frequency

    head = _singular_words(subject)
    if not head or (len(head) == 1 and zipf_frequency(head[0], "en") >= BROAD_WORD_ZIPF):
        return []
    tail = head[-2:] if len(head) >= 2 else head
    least = int(reading().get("condition_kind_min_uses") or 3)

    def uses(long: str, short: str, where: str) -> int:
        return sum(len(re.findall(rf"(?<![a-z0-9-]){re.escape(w)}(?![a-z0-9-])", where)) for w in {long, short.lower()})

    out: list[str] = []
    for long, short in defined.items():
        words = _singular_words(long)
        if words == head or len(words) <= len(tail) or words[-len(tail):] != tail or not re.search(r"[A-Z]", short):
            continue
        here = uses(long, short, text)
        if here >= least and all(uses(long, short, other) < here for other in others.values()):
            out += [long, short.lower()]
    return out


# An abbreviation list's entry: the abbreviation (two capitals or digits at least, with "&", "-" or "/"; small
# letters before, inside or closing it: "mTBI", "DoD", "SNRIs", "CBTi"), then a colon or spaces, then its long form up to the next entry.
_GLOSSARY_SHORT = r"(?:[a-z0-9]?[A-Z0-9][A-Za-z0-9&/\-]*?[A-Z0-9][a-z]{0,2})"
_GLOSSARY_ENTRY = re.compile(rf"(?<![\w-])(?P<short>{_GLOSSARY_SHORT})(?::\s*|\s+)(?P<long>(?:(?!(?<=\s){_GLOSSARY_SHORT}(?::|\s))\S+\s*)+?)"
                             rf"(?=(?<=\s){_GLOSSARY_SHORT}(?::|\s)|$)")


def _acronym_letters(short: str) -> str:
    return re.sub(r"[^a-z0-9]", "", short.lower().removesuffix("s") if short[-1:] == "s" and short[:-1].isupper() else short.lower())


def glossary(text: str) -> dict[str, str]:
    """The entries of an abbreviation list (long form, lower case -> abbreviation) as a guideline prints it, one a line
    ("T2DM: type 2 diabetes mellitus") or run together ("Abbreviation Definition OUD opioid use disorder PGB pregabalin
    ..."): an entry whose long form does not spell its letters in order is left out."""
    out: dict[str, str] = {}
    body = re.sub(r"(?i)^\s*abbreviations?\s+definitions?\b", " ", text)
    for line in body.splitlines():
        for m in _GLOSSARY_ENTRY.finditer(line.strip()):
            short, long = m.group("short"), " ".join(m.group("long").split()).strip(" ;,.")
            letters = _acronym_letters(short)
            if len(letters) < 2 or not long or long[0].lower() != letters[0] or not _holds(letters, long.lower()):
                continue
            out.setdefault(long.lower(), short)
    return out


def _kinds_named(names: list[str], text: str, min_uses: int = 3) -> list[str]:
    """The kinds of a condition (the shared lexicon's `condition_kinds`: migraine is a headache) that a document about
    it names often enough on their own: a question about a kind is about that document's condition."""
    kinds = _lexicon().get("condition_kinds") or {}
    out = []
    for name in names:
        for kind in kinds.get(name) or ():
            kind = str(kind).lower()
            if len(re.findall(rf"(?<![a-z0-9-]){re.escape(kind)}(?![a-z0-9-])", text)) >= min_uses:
                out.append(kind)
    return out


def with_conditions(vocab: Vocabulary, extra: tuple[Term, ...], acronyms: tuple[tuple[str, str], ...] = ()) -> Vocabulary:
    """The vocabulary with conditions it does not name yet (words already naming a condition are kept as they are), and
    the acronyms the documents define."""
    known = {w for t in vocab.indications for w in t.terms}
    new = tuple(t for t in extra if not set(t.terms) & known)
    return replace(vocab, indications=vocab.indications + new, acronyms=acronyms or vocab.acronyms)


def document_acronyms(texts: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Each acronym the documents define with its most used long form ("CBT" -> "cognitive behavioral therapy")."""
    from collections import Counter

    counts: Counter = Counter()
    for text in texts.values():
        for long, short in definitions(text).items():
            counts[(short, long)] += 1
    best: dict[str, tuple[int, str]] = {}
    for (short, long), n in counts.items():
        if short not in best or n > best[short][0]:
            best[short] = (n, long)
    return tuple(sorted((short, long) for short, (_, long) in best.items()))


def expand_acronyms(text: str, vocab: Vocabulary) -> str:
    """The text with the long form of each document-defined acronym it writes in capitals appended once, for retrieval
    ("CBT for chronic LBP" also searches "cognitive behavioral therapy", "low back pain")."""
    if not vocab.acronyms:
        return text
    known = dict(vocab.acronyms)
    lowered = text.lower()
    additions = []
    for w in dict.fromkeys(re.findall(r"\b[A-Z][A-Za-z0-9]*[A-Z]s?\b", text)):
        # "SNRIs" is the plural of the "SNRI" a document defines (and "SNRI" the singular of a defined "SNRIs")
        long = known.get(w) or (known.get(w[:-1]) if w.endswith("s") else known.get(f"{w}s"))
        if long and long not in lowered and long not in additions:
            additions.append(long)
    return f"{text} ({'; '.join(additions)})" if additions else text


@lru_cache(maxsize=4)
def _negated_cues(_stamp: tuple) -> tuple[re.Pattern | None, str]:
    rows = _reading(_stamp)
    cues = _masks((), rows.get("negated_condition_cues") or ())
    fillers = "|".join(re.escape(str(w)) for w in sorted(rows.get("negated_condition_fillers") or (), key=len, reverse=True))
    return cues, fillers


def negated_condition_spans(text: str, vocab: Vocabulary) -> list[tuple[int, int]]:
    """Where a text names conditions the patient does not have ("no DM/CKD", "without diabetes or CKD"): a cue of the
    document-reading words, then a short list whose every member names a condition (the vocabulary's conditions and
    populations, the acronyms the documents define, the shared lexicon's named conditions); nothing when a member names anything else
    ("no response to SSRIs", "no improvement")."""
    cues, fillers = _negated_cues(_stamp(DOCUMENT_READING))
    if cues is None:
        return []
    acronyms = {short.lower() for short, _ in vocab.acronyms}
    long_forms = {long.lower() for _, long in vocab.acronyms}
    filler = re.compile(rf"(?i)^\s*(?:(?:{fillers})\s+)*") if fillers else re.compile(r"^")

    def condition(words: str) -> bool:
        words = words.strip(" -")
        if not words:
            return False
        low = words.lower()
        if low in acronyms or low.rstrip("s") in acronyms or low in long_forms:
            return True
        if len(low) >= 5 and any(f.startswith(low + " ") for f in long_forms):
            return True  # "diabetes" of "diabetes mellitus"
        for slot in ("indications", "populations"):  # "no CKD", "not pregnant": a population the patient is not in too
            m = vocab.find(words, slot)
            if m is not None and m.start == 0 and m.end >= len(words) - 1:
                return True
        return any(s == 0 and e >= len(words) - 1 for _, _, (s, e) in named_conditions(words))

    out: list[tuple[int, int]] = []
    for cue in cues.finditer(text):
        start = cue.end() + filler.match(text[cue.end():]).end()
        rest = text[start:start + 80]
        stop = re.search(r"[.;?!()]|,\s*(?![\w-]+\s*(?:/|,|\bor\b|\bnor\b|\band\b))|$", rest)
        run = rest[:stop.start()] if stop else rest
        members = [(m.start(), m.end()) for m in re.finditer(r"[^/,]+", run)]
        parts: list[tuple[int, int]] = []
        for a, b in members:
            at = a
            for piece in re.split(r"(?i)(\b(?:or|nor|and)\b)", run[a:b]):
                if piece.strip() and piece.lower() not in ("or", "nor", "and"):
                    parts.append((at, at + len(piece)))
                at += len(piece)
        end = 0
        for a, b in parts:
            if not condition(run[a:b].strip()):
                break
            end = b
        if end:
            out.append((cue.start(), start + end))
    return out


def without_negated_conditions(text: str, vocab: Vocabulary) -> str:
    """The text without the conditions it says the patient does not have (what a search for it should not find)."""
    for a, b in reversed(negated_condition_spans(text, vocab)):
        text = f"{text[:a]} {text[b:]}"
    return " ".join(text.split())


def named_conditions(text: str) -> list[tuple[str, tuple[str, ...], tuple[int, int]]]:
    """The conditions of the shared lexicon's `named_conditions` the text names as whole words: (label, its terms, the
    span of its longest mention in the text)."""
    rows = _lexicon().get("named_conditions") or {}
    low = text.lower()
    out = []
    for label, terms in rows.items():
        words = tuple(str(t).lower() for t in terms or ())
        spans = [m.span() for t in words for m in re.finditer(rf"(?<![a-z0-9]){re.escape(t)}(?![a-z0-9])", low)]
        if spans:
            out.append((str(label), words, max(spans, key=lambda sp: (sp[1] - sp[0], -sp[0]))))
    return out


def defined_long_forms(question: str, texts: list[str]) -> list[str]:
    """The long forms the texts give the acronyms the question writes in capitals ("HBOT" where a passage says
    "hyperbaric oxygen therapy (HBOT)"): the question's subject is what those passages speak of."""
    asked = {w.lower().removesuffix("s") for w in re.findall(r"\b[A-Z][A-Za-z0-9]*[A-Z]s?\b", question) if len(w) >= 3}
    found: list[str] = []
    for text in texts:
        for long, short in definitions(text).items():
            if short.lower().removesuffix("s") in asked and long not in found:
                found.append(long)
    return found


# ---------------------------------------------------------------------------------------- words a passage may use instead
@lru_cache(maxsize=4)
def _shared_lexicon(_stamp: tuple) -> dict:
    return _read(SHARED_LEXICON)


def _lexicon() -> dict:
    return _shared_lexicon(_stamp(SHARED_LEXICON))


@lru_cache(maxsize=1)
def _mesh_classes() -> dict[str, str]:
    """The drug dictionary's classes by MeSH tree number: its entries with a tree number and no drug id of their own
    ("Benzodiazepines" D03.633.100.079.080), the classes a drug's own tree numbers fall under."""
    try:
        from assistant.doses.drugnames import warm
        from drug_named_entity_recognition import drugs_finder

        warm()
        data = drugs_finder.drug_canonical_to_data
    except Exception:  # no dictionary: the lexicon's own classes only
        return {}
    out: dict[str, str] = {}
    for canonical, row in data.items():
        if row.get("drugbank_id") or row.get("medline_plus_id") or "," in canonical or len(canonical.split()) > 3:
            continue  # a drug, or an inverted MeSH heading ("analgesics, opioid") no passage writes that way
        for tree in row.get("mesh_tree") or ():
            out.setdefault(str(tree), canonical)
    return out


def _mesh_classes_of(drug: str) -> list[str]:
    from drug_named_entity_recognition import drugs_finder

    row = drugs_finder.drug_canonical_to_data.get(drug.lower()) or {}
    classes = _mesh_classes()
    out = []
    for tree in row.get("mesh_tree") or ():
        parts = str(tree).split(".")
        out += [classes[p] for i in range(2, len(parts)) if (p := ".".join(parts[:i])) in classes]
    return out


@lru_cache(maxsize=1024)
def drug_classes(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each drug a text names with the names of the classes it belongs to: the shared lexicon's pharmacological classes
    (clonazepam: benzodiazepines) and the drug dictionary's chemical ones (MeSH)."""
    from assistant.doses.drugnames import dictionary_drugs

    rows = _lexicon().get("drug_classes") or []
    out = []
    for mention in dictionary_drugs(text):
        name = mention.canonical.lower()
        names: list[str] = []
        for row in rows:
            if name in {str(m).lower() for m in row.get("members") or ()}:
                names += [str(row.get("class", "")).lower(), *(str(t).lower() for t in row.get("terms") or ())]
        try:
            names += _mesh_classes_of(name)
        except Exception:
            pass
        names = [n for n in dict.fromkeys(names) if n and n != name]
        if names:
            out.append((mention.surface, tuple(names)))
    return tuple(out)


def _phrase_tokens(phrase: str) -> frozenset[str]:
    from assistant.lexical import tokenize

    return frozenset(tokenize(phrase))


@lru_cache(maxsize=2048)
def question_alternatives(question: str) -> dict[str, tuple[frozenset[str], ...]]:
    """For a question's words, the other words a passage may say the same thing with, as token sets (a passage meets
    the word when it holds every token of one set): the shared lexicon's equivalents ("meds": pharmacotherapy), the long
    forms of clinical acronyms, singular or plural ("SNRIs": serotonin-norepinephrine reuptake inhibitors) and the classes
    of the drugs named ("clonazepam": benzodiazepines)."""
    from assistant.lexical import tokenize
    from assistant.query import ABBREVIATIONS

    out: dict[str, list[frozenset[str]]] = {}

    def add(word: str, phrases) -> None:
        # A phrase of several words is met through its longest one ("hyaluronic acid": hyaluronic).
        for token in sorted(tokenize(word), key=lambda t: (-len(t), t))[:1]:
            for phrase in phrases:
                alt = _phrase_tokens(phrase)
                if alt and token not in alt and alt not in out.setdefault(token, []):
                    out[token].append(alt)

    low = question.lower()
    for group in _lexicon().get("equivalents") or []:
        words = [str(w).lower() for w in group]
        for word in words:
            if re.search(rf"(?<![a-z0-9-]){re.escape(word)}(?![a-z0-9-])", low):
                add(word, [w for w in words if w != word])
    for word in _WORD.findall(question):
        key = word.lower()
        long = ABBREVIATIONS.get(key) or (ABBREVIATIONS.get(key[:-1]) if key.endswith("s") else None)
        if long:
            add(word, [long])
        for row in _lexicon().get("drug_classes") or []:
            terms = [str(t).lower() for t in row.get("terms") or ()]
            if key in terms and len(key.split()) == 1:
                # "SSRIs" is met by the class's name and by any of its members ("sertraline, paroxetine ..."), and
                # "antidepressant" by the names of the classes inside it (most of whose members are its members: SNRIs)
                members = {str(m).lower() for m in row.get("members") or ()}
                inner = [str(t) for other in _lexicon().get("drug_classes") or () if other is not row
                         and (theirs := {str(m).lower() for m in other.get("members") or ()})
                         and len(theirs & members) * 2 >= len(theirs)
                         for t in [other.get("class", ""), *(other.get("terms") or ())] if t]
                add(word, [str(row.get("class", "")), *sorted(members), *inner])
    for surface, classes in drug_classes(question):
        add(surface, classes)
    return {t: tuple(alts) for t, alts in out.items()}


@lru_cache(maxsize=4)
def _framing(_stamp: tuple) -> frozenset[str]:
    from assistant.lexical import tokenize

    return frozenset(t for w in _lexicon().get("framing_words") or () for t in tokenize(str(w)))


@lru_cache(maxsize=4)
def _phase_over(_stamp: tuple) -> tuple[re.Pattern[str], re.Pattern[str]]:
    def alternation(key: str) -> str:
        ws = sorted((str(w) for w in _lexicon().get(key) or ()), key=len, reverse=True)
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ws) or "(?!x)x"

    words, closers = alternation("phase_over"), alternation("phase_over_after")
    det = r"(?:the|a|an|his|her|their)\s+"
    phrase = (rf"\b(?:{words})\s+(?:{det})?(?P<phase>(?:[\w-]+\s+)?[\w-]+)|"
              rf"\b(?<!\d\s)(?:{det})?(?P<closed>(?:[a-z][\w-]*\s+)?[a-z][\w-]*)\s+(?:(?:is|was|now|all|been)\s+){{0,2}}(?:{closers})\b"
              r"(?!\s+(?:the|a|an|his|her|their|with|\w+ing)\b)")  # "finished the course" opens a phrase, not closes one
    before = rf"\b(?:{words})\s+(?:(?:the|a|an|his|her|their|[\w-]+)\s+){{0,2}}$"
    return re.compile(f"(?i){phrase}"), re.compile(f"(?i){before}")


def phase_over_phrases() -> re.Pattern[str]:
    """A phase a text says is over ("after the loading dose", "post IVIG"): the shared lexicon's words and up to two more."""
    return _phase_over(_stamp(SHARED_LEXICON))[0]


def same_phase(word: str, phase: str) -> bool:
    """Whether a word names a phase ('loading' for 'load', 'load' for 'loading'): the same word, or one beginning the
    other when `word` has four letters or more."""
    return word == phase or len(word) >= 4 and (word.startswith(phase) or phase.startswith(word))


def phases_over(text: str) -> set[str]:
    """The treatment phases a text says are over, each by the word naming it ("done with her load": 'load'; "after
    the EU loading dose": 'loading'); words naming no phase (the shared lexicon's `treatment_phases`) are not."""
    phases = [str(p).lower() for p in _lexicon().get("treatment_phases") or ()]
    out = set()
    for m in phase_over_phrases().finditer(text.lower()):
        for w in re.findall(r"[a-z]+", m.group("phase") or m.group("closed") or ""):
            if any(same_phase(w, p) for p in phases):
                out.add(w)
                break
    return out


def ends_in_phase_over(text: str) -> bool:
    """Whether a text ends inside such a phrase ("the day after cidp" before "loading"): what follows names the phase."""
    return bool(_phase_over(_stamp(SHARED_LEXICON))[1].search(text))


def _any_of(ws, whole: bool = True) -> re.Pattern | None:
    """Any of the words or phrases (longest first, case-insensitive), as whole words; word beginnings when not `whole`."""
    ws = sorted({str(w).lower() for w in ws}, key=len, reverse=True)
    if not ws:
        return None
    return re.compile(r"(?i)(?<![\w-])(?:" + "|".join(map(re.escape, ws)) + (r")(?![\w-])" if whole else ")"))


@lru_cache(maxsize=4)
def _patient_states(_stamp: tuple) -> tuple[tuple[str, re.Pattern | None, re.Pattern | None, frozenset[str]], ...]:
    out = []
    for row in _lexicon().get("patient_states") or ():
        said = list(row.get("said") or ())
        out.append((str(row["canonical"]), _any_of(said), _any_of(said + list(row.get("clause") or ())),
                    frozenset(str(x) for x in row.get("excludes") or ())))
    return tuple(out)


# "not stable", "no longer doing well": a state the text says the patient is not in.
_NEGATION_BEFORE = re.compile(r"(?i)\b(?:no|not|never|without|nor|isn't|wasn't|hasn't|isnt|no longer)\s+(?:[\w-]+\s+){0,1}$")
# A condition clause ("when the infection clears", "during an active infection", "if infections continue despite ..."):
# a connective up to the clause's end.
_CONDITION = re.compile(r"(?i)\b(?:when|if|once|while|during|until|unless|in case of)\b[^,;.?!\u2014]*")
# A state the question supposes ("once he's better, ...", "if infections continue, ..."): it asks about that state.
_SUPPOSING = re.compile(r"(?i)\b(?:when|if|once|after)\b[^,;.?!\u2014]*")


def patient_states(question: str) -> tuple[str, ...]:
    """The states the question places its patient in (the shared lexicon's `patient_states`): a state it supposes
    ("once he's better, can we stop?") wins; otherwise the states it says, less those it negates ("not stable")."""
    states = _patient_states(_stamp(SHARED_LEXICON))
    supposed = [name for name, _, clause, _ in states if clause is not None
                and any(clause.search(m.group(0)) for m in _SUPPOSING.finditer(question))]
    if supposed:
        return tuple(supposed)
    rest = _SUPPOSING.sub(" ", question)
    out = []
    for name, said, _, _ in states:
        if said is not None and any(not _NEGATION_BEFORE.search(rest[:m.start()]) for m in said.finditer(rest)):
            out.append(name)
    return tuple(out)


def excluded_states(states: tuple[str, ...]) -> frozenset[str]:
    """The states that the patient's states rule out."""
    rows = {name: excludes for name, _, _, excludes in _patient_states(_stamp(SHARED_LEXICON))}
    return frozenset(x for s in states for x in rows.get(s, ())) - set(states)


@lru_cache(maxsize=8192)
def condition_states(text: str) -> frozenset[str]:
    """The states a statement's condition clauses name ("during an active infection, defer ..." -> active_infection)."""
    clauses = [m.group(0) for m in _CONDITION.finditer(text)]
    if not clauses:
        return frozenset()
    return frozenset(name for name, _, clause, _ in _patient_states(_stamp(SHARED_LEXICON))
                     if clause is not None and any(clause.search(c) for c in clauses))


@lru_cache(maxsize=4)
def _decisions(_stamp: tuple) -> tuple[re.Pattern | None, tuple[tuple[str, re.Pattern, re.Pattern, bool], ...]]:
    table = _lexicon().get("decisions") or {}
    form = re.compile(f"(?i){table['asked_form']}") if table.get("asked_form") else None
    out = []
    for row in table.get("actions") or ():
        asked, answered = _any_of(row.get("asked") or ()), _any_of(row.get("answered_by") or (), whole=False)
        if asked and answered:
            out.append((str(row["canonical"]), asked, answered, bool(row.get("decides_dose"))))
    return form, tuple(out)


_WH = re.compile(r"(?i)\b(?:how|what|when|which|why|where|who)\b")
_STEP_LEAD = re.compile(r"(?i)\b(?:so|then|or|just|and)\s+")


def _proposed(question: str) -> list[tuple[str, re.Match, bool]]:
    form, actions = _decisions(_stamp(SHARED_LEXICON))
    if form is None or "?" not in question:
        return []
    found = form.search(question)
    if found is None:
        # a last sentence or clause that is the step itself ("hold it?", "so leave the dose alone?"), not one naming it
        # ("Ontario higher dose?")
        last = re.split(r"[.;!?]\s", question.rstrip(" ?"))[-1].lstrip(" -—,(")
        start = question.rfind(last)
        starts = [start] + [start + m.end() for m in _STEP_LEAD.finditer(last)]
        return [(name, m, dose) for name, said, _, dose in actions
                if (m := next((x for x in (said.match(question, at) for at in starts) if x), None))]
    if _WH.search(re.split(r"[.?!;]", question[:found.start()])[-1]):
        return []  # "how fast can I increase the rate?" asks how, not whether
    return [(name, m, dose) for name, said, _, dose in actions if (m := said.search(question, found.start()))]


def proposed_actions(question: str) -> tuple[str, ...]:
    """The steps in the patient's therapy a yes/no question puts up ("ok to trial off?" -> stop; "should we hold it till
    the pneumonia's better?" -> hold), by the shared lexicon's `decisions`: a step named after the question's yes/no
    form, or in a last sentence that is only the step ("hold it?")."""
    return tuple(name for name, _, _ in _proposed(question))


def dose_decision_spans(question: str) -> list[tuple[int, int]]:
    """Where the question puts up a step about the dose itself ("leave the dose alone?"): words there ask no dose."""
    return [m.span() for _, m, dose in _proposed(question) if dose]


def without_dose_decisions(question: str) -> str:
    """The question with its steps about the dose itself blanked out (same length): what else it asks."""
    for a, b in dose_decision_spans(question):
        question = question[:a] + " " * (b - a) + question[b:]
    return question


def decides(text: str, actions: tuple[str, ...]) -> bool:
    """Whether a statement decides one of the steps put up: it names the step or the one the step is weighed against."""
    if not actions:
        return False
    return any(name in actions and answered.search(text) for name, _, answered, _ in _decisions(_stamp(SHARED_LEXICON))[1])


def framing_tokens() -> frozenset[str]:
    """The tokens of the shared lexicon's framing words ("options", "preferred"): they say how an answer is wanted,
    not what it is about."""
    return _framing(_stamp(SHARED_LEXICON))


@lru_cache(maxsize=4)
def _open_ask(_stamp: tuple) -> re.Pattern | None:
    return _masks((), [*(_lexicon().get("open_ask_patterns") or ()), *(reading().get("open_ask_patterns") or ())])


def open_ask(question: str) -> bool:
    """Whether a question asks for an intervention ("what should I start?", "options?"), by the shared lexicon's
    patterns."""
    pattern = _open_ask(_stamp(SHARED_LEXICON))
    return bool(pattern and pattern.search(question))


@lru_cache(maxsize=4)
def _medication(_stamp: tuple) -> tuple[frozenset[str], re.Pattern | None]:
    from assistant.lexical import tokenize

    words = frozenset(t for w in _lexicon().get("medication_words") or () for t in tokenize(str(w)))
    classes = [str(t) for row in _lexicon().get("drug_classes") or () for t in [row.get("class", ""), *(row.get("terms") or ())] if t]
    return words, _masks(classes, ())


def medication_tokens() -> frozenset[str]:
    """The tokens of the words that ask for a drug ("meds", "medication")."""
    return _medication(_stamp(SHARED_LEXICON))[0]


@lru_cache(maxsize=8192)
def names_a_drug(text: str) -> bool:
    """Whether a text names a drug (the drug dictionary) or a drug class (the shared lexicon's)."""
    from assistant.doses.drugnames import dictionary_drugs

    classes = _medication(_stamp(SHARED_LEXICON))[1]
    return bool((classes is not None and classes.search(text)) or dictionary_drugs(text))


@lru_cache(maxsize=4)
def _lexicon_acronyms(_stamp: tuple) -> tuple[tuple[str, str], ...]:
    """(acronym, long form) from the shared lexicon's equivalents: a group opening with a short word without spaces
    ("rtms") followed by a longer phrase ("repetitive transcranial magnetic stimulation")."""
    out = []
    for group in _lexicon().get("equivalents") or []:
        words = [str(w) for w in group]
        if len(words) >= 2 and re.fullmatch(r"[a-z][a-z0-9-]{1,6}", words[0]) and " " in words[1]:
            out.append((words[0], words[1]))
    return tuple(out)


def expand_lexicon_acronyms(text: str) -> str:
    """The text with the long form of each clinicians' acronym of the shared lexicon it writes with a capital ("rTMS",
    "HBOT") appended once, for retrieval: guidelines spell them out in their recommendations."""
    lowered = text.lower()
    additions = []
    for short, long in _lexicon_acronyms(_stamp(SHARED_LEXICON)):
        m = re.search(rf"(?<![A-Za-z0-9-]){re.escape(short)}s?(?![A-Za-z0-9-])", text, re.IGNORECASE)
        if m and re.search(r"[A-Z]", m.group(0)) and long not in lowered and long not in additions:
            additions.append(long)
    return f"{text} ({'; '.join(additions)})" if additions else text


@lru_cache(maxsize=4)
def _qualifier_mask(_stamp: tuple) -> re.Pattern | None:
    return _masks(_lexicon().get("qualifier_phrases") or (), ())


@lru_cache(maxsize=4)
def _finding_mask(_stamp: tuple, routes: Routes) -> re.Pattern | None:
    return _masks((), [fill(str(p), routes) for p in _lexicon().get("finding_patterns") or ()])


def without_findings(text: str) -> str:
    """The text without the shared lexicon's findings ("we bumped her dose in March", "normal tetanus responses"): what
    they name is the patient's history or work-up, no aspect asked (their route words are the bound corpus's)."""
    from assistant import routes

    mask = _finding_mask(_stamp(SHARED_LEXICON), routes.current())
    return mask.sub(" ", text) if mask is not None else text


def without_qualifiers(text: str) -> str:
    """The text without the shared lexicon's qualifier phrases ("on low-dose ICS" names no dose question)."""
    mask = _qualifier_mask(_stamp(SHARED_LEXICON))
    return mask.sub(" ", text) if mask is not None else text


# ------------------------------------------------------------------------------------------- the patient's age, ranking
_AGE_NUM = r"(\d{1,3}(?:\.\d)?)"
_AGE_WORD = r"(?:\s*-?\s*(?:years?|yrs?|y/?o)(?:\s*-?\s*old|\s+of\s+age)?)"


@lru_cache(maxsize=4)
def _age_patterns(_stamp: tuple) -> tuple[tuple[re.Pattern, str, bool], ...]:
    """(pattern, "low"|"high"|"range", inclusive) from the shared lexicon's age bounds."""
    rows = _lexicon().get("age_bounds") or {}

    def alt(key: str) -> str:
        words = sorted({str(w).lower() for w in rows.get(key) or ()}, key=len, reverse=True)
        return "|".join(re.escape(w) for w in words) or r"(?!x)x"

    inclusive = {str(w).lower() for w in rows.get("inclusive") or ()}
    implying = "|".join(re.escape(str(w).lower()) for w in rows.get("age_comparators") or ()) or r"(?!x)x"
    nouns = alt("age_nouns")
    lead = rf"(?:(?P<noun>\b(?:{nouns})\s+(?:(?:who\s+are|that\s+are|aged?)\s+)?)|\bage[ds]?\s*(?:of\s+)?)?"
    out: list[tuple[re.Pattern, str, bool]] = []
    for key, side in (("above", "low"), ("below", "high")):
        # "greater than 44 years", "age >65", "older than 65", "under the age of 18"
        words = alt(key)
        out.append((re.compile(rf"(?i)(?<![\w]){lead}(?P<cmp>{words})\s*(?P<aged>(?:the\s+)?age(?:\s+of)?\s+)?{_AGE_NUM}(?P<years>{_AGE_WORD})?"
                               rf"(?![\d%/]|\.\d|\s*(?:[a-zµμ]{{1,4}}/|kg|mg|mcg|g|ml|cm|mm|lbs?|mmhg|units?|%|per)\b)"), side, False))
        # "65 years and older", "aged 65 or older"
        out.append((re.compile(rf"(?i)(?P<aged>\bage[ds]?\s+)?{_AGE_NUM}(?P<years>{_AGE_WORD})?\s*(?P<cmp>{alt(key + '_after')})"
                               rf"(?![\w])"), side, False))
    out.append((re.compile(rf"(?i)(?P<aged>\bage[ds]?\s+(?:between\s+)?)?{_AGE_NUM}\s*(?:-|–|to|and)\s*{_AGE_NUM}"
                           rf"(?P<years>{_AGE_WORD})?(?![\d%/]|\.\d)"), "range", True))
    return tuple((p, side, inc) for p, side, inc in out) + ((re.compile(implying), "implying", False),
                                                           (re.compile("|".join(map(re.escape, inclusive)) or r"(?!x)x"),
                                                            "inclusive", False))


def age_bounds(text: str) -> list[tuple[float | None, float | None]]:
    """The age bounds a text states, as (lowest, highest) in years (None: unbounded), in the order written."""
    if not re.search(r"\d", text):
        return []
    *patterns, (implying, _, _), _ = _age_patterns(_stamp(SHARED_LEXICON))
    found: list[tuple[int, float | None, float | None]] = []
    taken = elapsed_spans(text)  # "for over 2 years", "within 6 months after": a length of time, no age
    for pattern, side, _ in sorted(patterns, key=lambda p: p[1] != "range"):
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            groups = m.groupdict()
            aged = bool(groups.get("aged") or groups.get("noun")) or bool(re.match(r"(?i)\s*age", m.group(0)))
            cmp = (groups.get("cmp") or "").lower()
            if not (groups.get("years") or aged or "age of" in m.group(0).lower() or implying.fullmatch(cmp)):
                continue  # a number without a word of age is no age ("over 60 kg", "<30 per hour")
            nums = [float(g) for g in m.groups() if g and re.fullmatch(r"\d{1,3}(?:\.\d)?", g)]
            if side == "range" and len(nums) == 2 and nums[0] < nums[1]:
                found.append((m.start(), nums[0], nums[1]))
            elif side == "low" and nums:
                found.append((m.start(), nums[0], None))
            elif side == "high" and nums:
                found.append((m.start(), None, nums[0]))
            else:
                continue
            taken.append(m.span())
    return [(low, high) for _, low, high in sorted(found)]


def _inclusive_bound(text: str) -> bool:
    *_, (inclusive, _, _) = _age_patterns(_stamp(SHARED_LEXICON))
    return bool(inclusive.search(text))


def age_asked(question: str) -> float | None:
    """The age a question's own age bound speaks of ("women over 44": 45, "65 and older": 65, "under 18": 17): an age
    that bound's statements hold, for a question that gives no patient's age."""
    bounds = age_bounds(question)
    if not bounds:
        return None
    low, high = bounds[0]
    inclusive = _inclusive_bound(question)
    if low is not None and high is not None:
        return (low + high) / 2
    if low is not None:
        return low if inclusive else low + 1
    return high if inclusive else max(0.5, high - 1)


def age_fit(text: str, age: float) -> float | None:
    """How a statement's age bounds fit a patient of this age: None when it states none; the tightness (0-1] of the
    closest bound that holds them ("greater than 44" for 45: 0.98, "18 or older": 0.4); -1.0 when no bound holds them."""
    bounds = age_bounds(text)
    if not bounds or age <= 0:
        return None
    inclusive = _inclusive_bound(text)
    best = -1.0
    for low, high in bounds:
        above = low is None or age > low or (inclusive and age == low)
        below = high is None or age < high or (inclusive and age == high)
        if above and below:
            tight = (low / age if low else 1.0) * (age / high if high else 1.0)
            best = max(best, min(1.0, tight))
    return best


@lru_cache(maxsize=4)
def _ranking(_stamp: tuple) -> tuple[re.Pattern | None, re.Pattern | None]:
    asks = [*(_lexicon().get("ranking_ask_patterns") or ()), *(reading().get("ranking_ask_patterns") or ())]
    return _masks((), asks), _masks((), _lexicon().get("ranking_statement_patterns") or ())


def asks_to_rank(question: str) -> bool:
    """Whether a question asks which option ranks first ("which one is preferred?", "first line?")."""
    asks = _ranking(_stamp(SHARED_LEXICON))[0]
    return bool(asks and asks.search(question))


@lru_cache(maxsize=8192)
def ranks_options(text: str) -> bool:
    """Whether a statement ranks options ("X is the preferred agent, followed by Y")."""
    ranks = _ranking(_stamp(SHARED_LEXICON))[1]
    return bool(ranks and ranks.search(text))


def _cue_before(cues, between: str) -> re.Pattern | None:
    """Any of the cue phrases, then the words `between` allows, at the end of a text (the text before a name)."""
    words = sorted({str(w).lower() for w in cues or ()}, key=len, reverse=True)
    return re.compile(r"(?i)(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")\s+" + between + "$") if words else None


def _cue_after(cues, lead: str) -> re.Pattern | None:
    """Any of the cue phrases after the characters `lead` allows, from the start of a text (the clause after a name)."""
    words = sorted({str(w).lower() for w in cues or ()}, key=len, reverse=True)
    return re.compile(r"(?i)^" + lead + r"(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])") if words else None


def _cued(text: str, start: int, end: int, before: re.Pattern | None, after: re.Pattern | None, clause_end: str) -> bool:
    """Whether the name at text[start:end] has a cue before it (within 60 characters) or after it in its clause."""
    if before is not None and before.search(text[max(0, start - 60):start]):
        return True
    clause = re.split(clause_end, text[end:end + 60], maxsplit=1)[0]
    return bool(after is not None and after.search(clause))


@lru_cache(maxsize=4)
def _history(_stamp: tuple) -> tuple[re.Pattern | None, re.Pattern | None]:
    # (up to three words between, a list's "and a" inside its item: "failed PT, NSAIDs and a steroid shot")
    before = _cue_before(_lexicon().get("history_drug_cues"),
                         r"(?:[\w/-]+(?:,\s+|\s+(?:and|or|&)\s+(?:an?\s+|the\s+)?|\s+)){0,3}")
    return before, _masks((), _lexicon().get("asks_another_patterns") or ())


@lru_cache(maxsize=4)
def _history_after(_stamp: tuple) -> re.Pattern | None:
    return _cue_after(_lexicon().get("history_drug_after_cues"), r"[\w\s/,-]{0,40}?")


def _tried(text: str, start: int, end: int) -> bool:
    """Whether the drug named at text[start:end] is what the patient has tried: a cue before it ("failed X") or after it
    in the same clause ("X didn't help", "X and Y both failed")."""
    return _cued(text, start, end, _history(_stamp(SHARED_LEXICON))[0], _history_after(_stamp(SHARED_LEXICON)), r"[.;?!]")


def named_as_history(text: str, name: str) -> bool:
    """Whether every mention of a drug's name in a text is the patient's history ("failed NSAIDs and a steroid shot")."""
    before = _history(_stamp(SHARED_LEXICON))[0]
    starts = [m.start() for m in re.finditer(rf"(?i)(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text)] if name else []
    return bool(before and starts) and all(_tried(text, start, start + len(name)) for start in starts)


@lru_cache(maxsize=4)
def _proposing(_stamp: tuple) -> tuple[re.Pattern | None, re.Pattern | None]:
    data = _lexicon().get("proposing") or {}
    return _cue_before(data.get("before"), r"(?:[\w/-]+\s+){0,2}"), _cue_after(data.get("after"), r"[\w\s()/-]{0,40}?")


def put_forward(text: str, start: int, end: int) -> bool:
    """Whether the drug named at text[start:end] is put forward for the patient ("if we have to use pred", "use
    efgartigimod (Vyvgart) instead"), by the shared lexicon's `proposing` cues."""
    return _cued(text, start, end, *_proposing(_stamp(SHARED_LEXICON)), r"[.;?!,]")


def asks_another(question: str) -> bool:
    """Whether a question asks for something besides what the patient takes ("add-on?", "add what next?", "what else?"),
    by the shared lexicon's `asks_another_patterns`."""
    another = _history(_stamp(SHARED_LEXICON))[1]
    return bool(another and another.search(question))


@lru_cache(maxsize=1024)
def history_drugs(question: str) -> tuple[str, ...]:
    """The drugs and drug classes (their names as written, lower case) a question names only as what the patient already
    takes or has tried ("already on metformin. what add-on?", "failed NSAIDs and a steroid shot. hyaluronic acid?"),
    when it asks for something else to give or names another treatment; empty otherwise."""
    from assistant.doses.drugnames import dictionary_drugs

    before, another = _history(_stamp(SHARED_LEXICON))
    if before is None:
        return ()
    classes = _medication(_stamp(SHARED_LEXICON))[1]
    named: dict[str, list[tuple[int, str]]] = {}
    for m in dictionary_drugs(question):
        named.setdefault(m.canonical.lower(), []).append((m.start, m.surface.lower(), m.end))
    rows = {str(t).lower(): row for row in _lexicon().get("drug_classes") or ()
            for t in [row.get("class", ""), *(row.get("terms") or ())] if t}
    for m in classes.finditer(question) if classes is not None else ():
        row = rows.get(m.group(0).lower()) or {}
        key = str(row.get("class") or m.group(0)).lower()  # a class is named by any of its terms ("steroid shot")
        named.setdefault(key, []).append((m.start(), m.group(0).lower(), m.end()))
        named[key] += [(-1, str(t).lower(), -1) for t in row.get("terms") or () if (-1, str(t).lower(), -1) not in named[key]]
    history = {key for key, spots in named.items() if all(_tried(question, at, end) for at, _, end in spots if at >= 0)}
    asks_else = open_ask(question) or (another is not None and bool(another.search(question))) or bool(set(named) - history)
    if not history or not asks_else:
        return ()
    return tuple(dict.fromkeys(w for key in history for w in (key, *(surface for _, surface, _ in named[key]))))


@lru_cache(maxsize=4)
def _non_drug(_stamp: tuple) -> re.Pattern | None:
    return _masks(_lexicon().get("non_drug_words") or (), ())


def asks_non_drug(question: str) -> bool:
    """Whether a question asks for an option that is not a drug ("non drug option w/ evidence?")."""
    pattern = _non_drug(_stamp(SHARED_LEXICON))
    return bool(pattern and pattern.search(question))


RARE_WORD_ZIPF = 2.6


@lru_cache(maxsize=1024)
def specific_equivalents(question: str) -> tuple[str, ...]:
    """The other names the shared lexicon's equivalents give a specific thing the question names ("hyaluronic acid":
    viscosupplementation, hylan), rare words only (never "treatment" for "tx"): a guideline's recommendation may name it
    only so, and searching its recommendations by them finds it."""
    from wordfreq import zipf_frequency

    def rarest(word: str) -> float:
        return min((zipf_frequency(part, "en") for part in re.findall(r"[a-z]+", word)), default=9.0)

    low = question.lower()
    out: list[str] = []
    for group in _lexicon().get("equivalents") or []:
        words = [str(w).lower() for w in group]
        named = [w for w in words if re.search(rf"(?<![a-z0-9-]){re.escape(w)}(?![a-z0-9-])", low)]
        if not named or min(rarest(w) for w in named) >= RARE_WORD_ZIPF:
            continue  # only a specific name the question uses ("hyaluronic acid"), not "injection" or "meds"
        for word in words:
            rare = all(zipf_frequency(part, "en") < RARE_WORD_ZIPF for part in re.findall(r"[a-z]+", word))
            if rare and word not in low and not any(word.startswith(o) or o.startswith(word) for o in out):
                out.append(word)
    return tuple(out)


def drug_class_words(text: str) -> tuple[str, ...]:
    """The drug classes a text names by the shared lexicon's words ("SSRIs", "benzos"), as written."""
    classes = _medication(_stamp(SHARED_LEXICON))[1]
    return tuple(dict.fromkeys(m.group(0) for m in classes.finditer(text))) if classes is not None else ()


# ------------------------------------------------------------------------- reading questions over a site's own documents
DOCUMENT_READING = Path(__file__).parent / "data" / "document-reading.yaml"


@lru_cache(maxsize=4)
def _reading(_stamp: tuple) -> dict:
    return _read(DOCUMENT_READING)


def reading() -> dict:
    """The shared words for reading questions over a site's own guideline documents (data/document-reading.yaml)."""
    return _reading(_stamp(DOCUMENT_READING))


@lru_cache(maxsize=4)
def _elapsed(_stamp: tuple) -> re.Pattern | None:
    rows = _reading(_stamp).get("elapsed_time") or {}
    units, after, before, between = (rows.get(k) or () for k in ("units", "after", "before", "between"))
    if not units:
        return None
    unit = "|".join(sorted(map(str, units), key=len, reverse=True))
    amount = rf"(?<![\d.])\d{{1,3}}(?:\.\d+)?(?:\s*(?:-|–|to)\s*\d{{1,3}}(?:\.\d+)?)?\s*-?\s*(?:{unit})\b"
    parts = []
    if after:
        parts.append(rf"{amount}\s*(?:{'|'.join(map(str, after))})")
    if before:
        gap = "|".join(re.escape(str(w)) for w in sorted(between, key=len, reverse=True)) or r"(?!x)x"
        # ... but "for 6 month old" names an age
        parts.append(rf"(?<![\w-])(?:{'|'.join(map(str, before))})\s+(?:(?:{gap})\s*)?{amount}(?!\s*-?\s*(?:old|of\s+age)\b)")
    return re.compile("|".join(parts), re.IGNORECASE)


def elapsed_spans(text: str) -> list[tuple[int, int]]:
    """Where a text counts a length of time or the time since an event ("3 months post CVA", "6 wks after ischemic
    stroke", "2 yrs since injury", "for 3 months"): spans no age may be read from."""
    pattern = _elapsed(_stamp(DOCUMENT_READING))
    return [m.span() for m in pattern.finditer(text)] if pattern is not None else []


@lru_cache(maxsize=4)
def _scope(_stamp: tuple) -> tuple[re.Pattern | None, re.Pattern | None, frozenset[str], dict[str, int]]:
    rows = _reading(_stamp)
    cues = _masks((), rows.get("scope_exclusion_patterns") or ())
    own = _masks(rows.get("scope_self_words") or (), ())
    filler = frozenset(str(w).lower() for w in rows.get("scope_filler_words") or ())
    numbers = {str(k).lower(): int(v) for k, v in (rows.get("number_words") or {}).items()}
    return cues, own, filler, numbers


def scope_exclusions(text: str) -> list[str]:
    """The sentences of a guideline's text that say whom or what the guideline itself does not address ("Pregnant women
    are also excluded from the scope of this CPG"; not "outside the scope of this review")."""
    cues, own, _, _ = _scope(_stamp(DOCUMENT_READING))
    if cues is None or own is None:
        return []
    out = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z(])", " ".join(text.split())):
        if cues.search(sentence) and own.search(sentence):
            out.append(sentence.strip())
    return out


_STOP = frozenset("a an and are as at be but by for from has have if in into is it its of on or such that the their then there "
                  "these they this to was were will with what which who how when where why does do did can could should "
                  "would i me my we our you your he she him her his them about also same ok so pt any more need".split())


def _scope_words(text: str, filler: frozenset[str]) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z0-9'-]+", text.lower()) if w not in _STOP and w not in filler and len(w) >= 3]


def excluded_by_scope(question: str, sentences: list[str], age: float | None = None,
                      populations: tuple[tuple[str, tuple[str, ...]], ...] = (), age_groups: frozenset[str] = frozenset(),
                      own_terms: tuple[str, ...] = (), other_terms: tuple[str, ...] = ()) -> str | None:
    """What of the question a guideline's scope sentences exclude, or None: the patient's age within an age bound they
    state ("children younger than four years" for a 3-year-old), a population they name (label, its words; an age group
    only by a bound when the sentence states one), or a condition the question names in their words ("post-stroke
    depression", "bipolar") that is neither the guideline's own condition (`own_terms`) nor another indexed guideline's
    (`other_terms`: that guideline covers it)."""
    from wordfreq import zipf_frequency

    _, _, filler, numbers = _scope(_stamp(DOCUMENT_READING))
    number = re.compile(r"(?i)\b(" + "|".join(map(re.escape, sorted(numbers, key=len, reverse=True))) + r")\b") if numbers else None
    own = {w for t in own_terms for w in t.lower().split()}
    q_all = _scope_words(question, filler)
    q_words = [w for w in q_all if w not in own]
    for sentence in sentences:
        text = number.sub(lambda m: str(numbers[m.group(1).lower()]), sentence) if number else sentence
        bounds = age_bounds(text)
        if age is not None and bounds:
            for low, high in bounds:
                if (low is None or age > low) and (high is None or age < high):
                    return f"patients aged {_fmt_age(age)}"
        for label, terms in populations:
            if label in age_groups and bounds:
                continue  # "children younger than four years" excludes young children, not every child
            if any(re.search(rf"(?i)(?<![a-z0-9-]){re.escape(t)}(?![a-z0-9-])", text) for t in terms):
                return label
        low = text.lower()
        words = set(_scope_words(low, filler))

        def elsewhere(phrase: str) -> bool:  # another indexed guideline's condition: that one covers it
            return any(re.search(rf"(?<![a-z0-9]){re.escape(t)}(?![a-z0-9])", phrase.replace("-", " ")) for t in other_terms)

        for a, b in zip(q_all, q_all[1:]):
            phrase = f"{a} {b}"
            if a in own and b in own:
                continue  # the guideline's own condition
            if re.search(rf"(?<![a-z0-9-]){re.escape(a)}\W+{re.escape(b)}(?![a-z0-9-])", low) and not elsewhere(phrase):
                return phrase
        for w in q_words:
            if w in words and zipf_frequency(w, "en") < SCOPE_RARE_ZIPF and not elsewhere(w):
                return w
    return None


SCOPE_RARE_ZIPF = 4.0  # a single word of the question this rare, named in a scope exclusion, is what it excludes


def _fmt_age(age: float) -> str:
    return f"{age:.0f} years" if age >= 1 else f"{age * 12:.0f} months"


@lru_cache(maxsize=4)
def _asked_quantities(_stamp: tuple) -> tuple[tuple[re.Pattern, re.Pattern], ...]:
    return tuple((re.compile(str(row["asks"]), re.IGNORECASE), re.compile(str(row["states"]), re.IGNORECASE))
                 for row in _reading(_stamp).get("asked_quantities") or () if row.get("asks") and row.get("states"))


def document_asked_quantities() -> tuple[tuple[re.Pattern, re.Pattern], ...]:
    """(what a question asks, what a statement answering it states) beside the composer's own: a dose limit."""
    return _asked_quantities(_stamp(DOCUMENT_READING))


@lru_cache(maxsize=4)
def _follow_on(_stamp: tuple) -> re.Pattern | None:
    return _masks((), _reading(_stamp).get("follow_on_patterns") or ())


def follows_on_in_time(text: str) -> bool:
    """Whether a turn places itself in time after the one before ("6 mo later, still SOB on the LAMA"): it is about the
    same patient and condition (document-reading.yaml `follow_on_patterns`)."""
    pattern = _follow_on(_stamp(DOCUMENT_READING))
    return bool(pattern and pattern.search(text))


DOCUMENT_CONDITION_PREFIX = "doc:"


def is_document_condition(name: str) -> bool:
    """Whether a condition is one an indexed guideline is about (named by its title: `document_conditions`), not one
    of the shared lexicon's."""
    return name.startswith(DOCUMENT_CONDITION_PREFIX)


@lru_cache(maxsize=4)
def _bare_age(_stamp: tuple) -> re.Pattern | None:
    return _masks((), _reading(_stamp).get("bare_age_patterns") or ())


def bare_age(text: str) -> float | None:
    """An age written as a bare number beside the person it belongs to ("her husband, 70, african american", "if she
    were 31", "another pt who is 45"): document-reading.yaml `bare_age_patterns`, whose first group is the age."""
    pattern = _bare_age(_stamp(DOCUMENT_READING))
    found = pattern.search(text) if pattern else None
    if found is None:
        return None
    value = next((g for g in found.groups() if g), None)
    return float(value) if value and 0 < float(value) < 120 else None


@lru_cache(maxsize=4)
def _qualifier_words(_stamp: tuple) -> tuple[str, ...]:
    return tuple(str(w).lower() for w in _reading(_stamp).get("condition_qualifiers") or ())


def condition_qualifier(text: str, start: int) -> str:
    """The qualifier words written just before a condition named at `start` ("episodic" migraine, "mild-moderate" MDD,
    "stage 2" HTN, "chronic" PTSD): a follow-up about the same condition keeps them (document-reading.yaml
    `condition_qualifiers`)."""
    words = _qualifier_words(_stamp(DOCUMENT_READING))
    if not words:
        return ""
    head = text[:start]
    alternation = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    found = re.search(rf"(?i)(?<![\w-])((?:(?:{alternation})[\s,/-]+(?:to\s+|or\s+|and\s+)?)+)$", head)
    return " ".join(found.group(1).replace(",", " ").split()) if found else ""
