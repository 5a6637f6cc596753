"""Named things in a text: drugs and indications from the vocabulary, routes and age bands, each with its span."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.doses.schema import Vocabulary


@dataclass(frozen=True)
class Mention:
    """A named thing in the text: a drug, indication, route or age band, with its span."""

    canonical: str
    start: int
    end: int
    surface: str = ""
    product: str | None = None
    route: str | None = None


def _synonym_alternative(word: str) -> str:
    body = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", word.strip()))
    # Short acronyms (ITP, PID, SCIG) are case-sensitive so ordinary words never match them.
    acronym = len(word) <= 5 and sum(c.isupper() for c in word) >= 2
    return body if acronym else f"(?i:{body})"


Index = dict[str, tuple[tuple[str, re.Pattern], ...]]


@dataclass(frozen=True, eq=False)  # hashed by identity: it is a key of the scan cache, built once per rulebook
class Lexicon:
    """Per kind (drugs, indications): (canonical, pattern) for every synonym, indexed by the synonym's first word."""

    drugs: Index
    indications: Index
    not_indications: frozenset[str] = frozenset()
    qualifiers: tuple[tuple[str, re.Pattern], ...] = ()  # circumstances a dose is stated for ("renal", "older adults")


_TOKEN = re.compile(r"[a-z]+|[0-9]+")


def lexicon(vocabulary: Vocabulary) -> Lexicon:
    """Compile a vocabulary (the RuleBook keeps the result, so this runs once per rule directory)."""
    def build(entries) -> Index:
        # Indexed by first word, so a text only tries the synonyms whose first word it contains.
        index: dict[str, list] = {}
        for e in entries:
            for w in {e.canonical.replace("_", " "), *e.synonyms}:
                first = _TOKEN.findall(w.lower())[0]
                pattern = re.compile(rf"{_synonym_alternative(w)}(?![A-Za-z])")
                index.setdefault(first, []).append((e.canonical, pattern))
        return {k: tuple(v) for k, v in index.items()}
    qualifiers = tuple((e.canonical, re.compile(r"(?i)(?<![A-Za-z])(?:" + "|".join(
        _synonym_alternative(w) for w in sorted({e.canonical.replace("_", " "), *e.synonyms}, key=len, reverse=True))
        + r")(?![A-Za-z])")) for e in vocabulary.dose_qualifiers)
    return Lexicon(drugs=build(vocabulary.drugs), indications=build(vocabulary.indications),
                   not_indications=frozenset(_fold(w) for w in vocabulary.not_indications), qualifiers=qualifiers)


def _fold(words: str) -> str:
    return " ".join(re.split(r"[\s-]+", words.lower().replace("’", "'").strip()))


# ---- conditions the vocabulary does not list ------------------------------------------------------------------------
# A disease named by its form ("Evans syndrome", "vasculitic neuropathy", "dermatomyositis") that is not in the
# vocabulary: no rule is for it, so no other disease's rule may verify a dose for it.
_HEADS = (r"syndromes?|diseases?|disorders?|palsy|crisis|rejection|failure|deficiency|(?:poly|radiculo|myelo|encephalo|"
          r"nephro|cardiomyo|gammo|retino)?(?:neuro)?pathy|thrombocytopenia|neutropenia|(?:pan)?cytopenia|an(?:a)?emia"
          r"|aplasia|vasculitis|arthritis|dermatitis|myositis|myelitis|encephalitis|meningitis|hepatitis|nephritis"
          r"|uveitis|otitis(?:\s+media)?|sinusitis|colitis|(?:myo|peri)?carditis|glomerulonephritis|sclerosis|fibrosis"
          r"|emesis|lymphoma|leuk(?:a)?emia|myeloma|sepsis|infections?|pemphigoid|pemphigus|lupus|alopecia|urticaria"
          r"|psoriasis|asthma|epilepsy|dementia|autism|narcolepsy|neuritis|optica|purpura|ha?emophilia|thalass(?:a)?emia"
          r"|shock|injury|neuropathy|myopathy|polyneuropathy|[a-z]+(?:itis|osis|(?:a)?emia|opathy|penia|plasia|emesis)")
_STOP = (r"the|a|an|with|for|in|and|or|of|to|after|before|is|are|was|give|given|gives|patients?|adults?|children|child"
         r"|infants?|who|that|this|these|those|no|not|any|all|on|at|by|from|as|than|ivig|scig|igg|dose|doses|has|have"
         r"|had|get|gets|receive|receives|treat|treated|treating|treatment|use|used|using|mg|g|kg|ml|per|each|every|once"
         r"|daily|weekly|monthly|recipients?|during|if|when|while|then|also|only|even|but|so|such|its|their|his|her")
_HEAD = re.compile(rf"(?i)(?<![\w-])(?:{_HEADS})(?![\w-])")
# Up to three words before the head word that name it ("Miller Fisher", "vasculitic"), not the sentence's grammar.
_MODIFIERS = re.compile(rf"(?i)(?<![\w'’-])(?:(?!(?:{_STOP})\b)[a-zà-ÿ][\w'’-]*\s+){{1,3}}$")
_GENERIC = re.compile(r"(?i)syndromes?|diseases?|disorders?|crisis|failure|deficiency|shock|injury|infections?|sclerosis"
                      r"|fibrosis|neuropathy|myopathy|purpura|lupus")
# A condition named as a risk or a consequence is not what the dose is for ("to reduce the risk of aseptic meningitis").
_NOT_FOR = re.compile(r"(?i)\b(?:risk|history|signs?|symptoms?|prevent\w*|reduc\w*|avoid\w*|caus\w*|cause|trigger\w*"
                      r"|side[- ]effects?|adverse|monitor\w*|watch\w*|check\w*|rule\s+out|exclude\w*)\b")


def unlisted_conditions(text: str, lex: Lexicon, known: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Diseases named by their form that the vocabulary does not list (canonical 'unlisted:<words>')."""
    found = []
    for h in _HEAD.finditer(text):  # the head word first (cheap), then the words that name it
        mods = _MODIFIERS.search(text, max(0, h.start() - 60), h.start())
        start, end = (mods.start() if mods else h.start()), h.end()
        phrase = text[start:end]
        if any(start < k.end and k.start < end for k in known):
            continue  # a listed indication (or a drug) named there: the vocabulary speaks for it
        words = _fold(phrase)
        parts = words.split()
        if len(parts) == 1 and _GENERIC.fullmatch(words):
            continue  # "the disease", "this syndrome": a head word alone names no disease
        if any(" ".join(parts[i:]) in lex.not_indications for i in range(len(parts))):
            continue
        clause = re.split(r"[,;:()]|\b(?:for|in|with)\b", text[max(0, start - 60):start])[-1]
        if _NOT_FOR.search(clause):
            continue  # "to reduce the risk of aseptic meningitis", "prevents pneumonia and sinusitis"
        found.append(Mention(f"unlisted:{words}", start, end, phrase))
    return tuple(found)


def _product(surface: str) -> tuple[str | None, str | None]:
    if re.search(r"^SC|^fSC|subcut|SubQ", surface, re.I):
        return "scig", "sc"
    if re.search(r"^IV|^IGIV|intraven", surface, re.I):
        return "ivig", "iv"
    return None, None


_ROUTES = re.compile(r"(?<![A-Za-z])(?:(IV|i\.v\.)|(SC|SQ|SubQ|s\.c\.)|(PO|p\.o\.)|(IM|i\.m\.))(?![A-Za-z])"
                     r"|(?i:\b(?:(intravenous(?:ly)?)|(subcutaneous(?:ly)?)|(oral(?:ly)?|by mouth)"
                     r"|(intramuscular(?:ly)?))\b)")
_ROUTE_NAMES = ("iv", "sc", "po", "im") * 2
# Age words and short forms of "years old" are data (assistant/doses/data/ages.yaml).
_AGE_DATA = yaml.safe_load((Path(__file__).parent / "data" / "ages.yaml").read_text(encoding="utf-8"))
_AGE_NAMES = tuple(_AGE_DATA["bands"])
_AGES = re.compile(r"(?i)\b(?:" + "|".join(f"({'|'.join(words)})" for words in _AGE_DATA["bands"].values()) + r")\b")
# "a 9-year-old", "4 yo", "children 5-11 years", "12 years and older": the age band from the numbers.
_NUMERIC_AGE = re.compile(r"(?i)\b(?:(\d{1,2})(?:\s*|-)(?:" + "|".join(_AGE_DATA["years_old"]) + r")(?![\w/])"
                          r"|aged\s+(\d{1,2})\b|(\d{1,2})\s*(?:years?|yrs?)"
                          r"\s+(?:and|or)\s+(?:older|over|above)|(?:\d{1,2})\s*[-–]\s*(\d{1,2})\s*(?:years?|yrs?)\b)")


def _numeric_ages(text: str) -> tuple[Mention, ...]:
    """Age bands written as numbers: under 12 a child, 12 and older (labels' adult dosing) or 18 and over an adult."""
    found = []
    for m in _NUMERIC_AGE.finditer(text):
        old, aged, older, upper = (int(g) if g else None for g in m.groups())
        if older is not None:
            band = "adult" if older >= 12 else None
        else:
            age = next(v for v in (old, aged, upper) if v is not None)
            band = "child" if age < 12 else "adult" if age >= 18 else None
        if band:
            found.append(Mention(band, m.start(), m.end(), m.group(0)))
    return tuple(found)


def _lowered(text: str) -> str:
    """Lower-cased with every position kept (a few characters grow when lower-cased: keep those as they are)."""
    if len(text.lower()) == len(text):
        return text.lower()
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _vocabulary_mentions(text: str, index: Index, tokens: set[str], lowered: str) -> tuple[Mention, ...]:
    found = []
    for token in tokens & index.keys():
        starts, pos = [], lowered.find(token)
        while pos != -1:
            if pos == 0 or not lowered[pos - 1].isalnum():
                starts.append(pos)
            pos = lowered.find(token, pos + 1)
        for canonical, pattern in index[token]:
            for m in filter(None, (pattern.match(text, start) for start in starts)):
                product, route = _product(m.group(0))
                found.append(Mention(canonical, m.start(), m.end(), m.group(0), product, route))
    found.sort(key=lambda x: (x.start, -x.end))
    kept, last_end = [], -1
    for mention in found:  # the longest synonym wins where two overlap
        if mention.start >= last_end:
            kept.append(mention)
            last_end = mention.end
    return tuple(kept)


def _named(pattern: re.Pattern, names: tuple[str, ...], text: str) -> tuple[Mention, ...]:
    """Mentions of a pattern whose numbered groups stand for names[i]."""
    return tuple(Mention(names[next(i for i, g in enumerate(m.groups()) if g)], m.start(), m.end(), m.group(0))
                 for m in pattern.finditer(text))


@dataclass(frozen=True)
class Mentions:
    """Every drug, indication, route and age band a text names."""

    drugs: tuple[Mention, ...]
    indications: tuple[Mention, ...]
    routes: tuple[Mention, ...]
    ages: tuple[Mention, ...]


def mentions(text: str, lex: Lexicon) -> Mentions:
    """Find the drugs and indications of the vocabulary, the routes and the age bands in a text."""
    lowered = _lowered(text)
    tokens = set(_TOKEN.findall(lowered))
    return Mentions(drugs=_vocabulary_mentions(text, lex.drugs, tokens, lowered),
                    indications=_vocabulary_mentions(text, lex.indications, tokens, lowered),
                    routes=_named(_ROUTES, _ROUTE_NAMES, text),
                    ages=tuple(sorted(_named(_AGES, _AGE_NAMES, text) + _numeric_ages(text), key=lambda m: m.start)))
