"""Polarity word by word: what each negation of a text takes in its scope (assistant/data/support-polarity.yaml), so that a
statement's claim word can be compared with the same word in the span it cites ("later editions kept it" against "was
not retained in later editions"; "does not need reassessment" against "should be reassessed"), and the comparisons,
preferences and mutually exclusive modifiers a text states.

A verbal negation ("not", "never", "cannot", "too wide ... to") takes the claim words after it (words WordNet knows as
verbs, adjectives or adverbs) up to the first word that only names a thing, or a preposition once it holds one; a nominal
one ("no", "without", "free of", "rather than") takes the next few words, things included. A negation just before a
negative predicate ("does not contraindicate") is that predicate's, and takes nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.support_cues import _stemmer, cues, wordnet

POLARITY_FILE = Path(__file__).parent / "data" / "support-polarity.yaml"


@dataclass(frozen=True)
class _PolarityCues:
    verbal: re.Pattern
    nominal: re.Pattern
    reach: int
    boundaries: frozenset[str]
    coordinators: frozenset[str]
    uncompared: frozenset[str]
    function: frozenset[str]
    prepositions: frozenset[str]
    nominal_through: frozenset[str]
    alternatives: re.Pattern
    verbal_ends: frozenset[str]
    antecedent: re.Pattern
    no_preference: re.Pattern
    preference: re.Pattern
    choosing: re.Pattern
    modality: dict[str, re.Pattern]
    references: re.Pattern
    recommending: re.Pattern
    equal: re.Pattern
    unequal: re.Pattern
    up: tuple[str, ...]
    bound_words: frozenset[str]
    down: tuple[str, ...]
    exclusive: tuple[frozenset[str], ...]
    scales: tuple[tuple[str, ...], ...]
    classes: tuple[tuple[frozenset[str], ...], ...]
    preferring: re.Pattern

    @property
    def modifiers(self) -> frozenset[str]:
        return frozenset().union(*self.exclusive, *map(frozenset, self.scales))
    antonyms: tuple[tuple[str, str], ...]
    prefixes: tuple[str, ...]
    prefix_negator_reach: int = 4
    widening: re.Pattern | None = None  # a statement's words that lift a condition ("even when", "whatever the")
    widening_source: re.Pattern | None = None  # a source's words that lift or leave open a condition
    restricting: re.Pattern | None = None  # a source's words that set one ("when", "only if", "coincides with")
    prefix_negators: frozenset[str] = frozenset()  # words before a word that negate it as a prefix does ("none ... X")
    evaluative: frozenset[str] = frozenset()


def _norm_word(word: str) -> str:
    s = _stemmer().stemWord(word.lower())
    return cues().synonyms.get(s, s)


@lru_cache(maxsize=1)
def polarity_cues() -> _PolarityCues:
    data = yaml.safe_load(POLARITY_FILE.read_text(encoding="utf-8"))
    scope = data["scope"]
    stem = _stemmer().stemWord
    words = lambda xs: rf"(?<![\w-])(?:{'|'.join(sorted(xs, key=len, reverse=True))})(?![\w-])"  # noqa: E731
    return _PolarityCues(
        verbal=re.compile(words(scope["verbal"]), re.I), nominal=re.compile(words(scope["nominal"]), re.I),
        reach=int(scope.get("nominal_reach", 3)), boundaries=frozenset(scope["boundaries"]),
        coordinators=frozenset(scope.get("coordinators", ())), uncompared=frozenset(scope.get("uncompared", ())),
        function=frozenset(scope["function"]), prepositions=frozenset(scope["prepositions"]),
        nominal_through=frozenset(scope.get("nominal_through", ())),
        verbal_ends=frozenset(scope.get("verbal_ends", ())),
        alternatives=re.compile(words(scope.get("alternatives", ["(?!x)x"])), re.I),
        antecedent=re.compile(data["antecedent"], re.I), no_preference=re.compile(data["no_preference"], re.I),
        preference=re.compile(data["preference"], re.I), choosing=re.compile(data["choosing"], re.I),
        modality={k: re.compile(v, re.I) for k, v in data.get("modality", {}).items()},
        recommending=re.compile(data["recommending"], re.I), references=re.compile(data["references"], re.I),
        equal=re.compile(data["comparison"]["equal"], re.I), unequal=re.compile(data["comparison"]["unequal"], re.I),
        up=tuple(data["directions"]["up"]), bound_words=frozenset(_norm_word(w) for w in data.get("bound_words", ())), down=tuple(data["directions"]["down"]),
        exclusive=tuple(frozenset(stem(w) for w in group) for group in data.get("exclusive", ())),
        scales=tuple(tuple(stem(w) for w in group) for group in data.get("scales", ())),
        classes=tuple(tuple(frozenset(_norm_word(w) for w in cls) for cls in group) for group in data.get("exclusive_classes", ())),
        preferring=re.compile(data["preferring"], re.I),
        antonyms=tuple((_norm_word(a), _norm_word(b)) for a, b in data.get("antonyms", ())),
        prefixes=tuple(data.get("negative_prefixes", ())),
        prefix_negator_reach=int(data.get("prefix_negator_reach", 4)),
        **{k: re.compile(data["scope_widening"][k], re.I) for k in ("widening", "widening_source", "restricting")
           if k in data.get("scope_widening", {})},
        prefix_negators=frozenset(f(str(w).lower()) for w in data.get("prefix_negators", ()) for f in (str, stem)),
        evaluative=frozenset(_norm_word(w) for w in data.get("evaluative", ())),
    )


_TOKEN = re.compile(r"⟨[^⟩]+⟩|[a-z][a-z0-9]*|[0-9]+(?:\.[0-9]+)?|[,;:()!?]|\.(?!\d)")
_PUNCT = frozenset(",;:()!?.")


def _claim_word(raw: str) -> bool:
    """A word that says something of a thing rather than only names one: WordNet knows it (one of its first senses) as a
    verb, adjective or adverb, or does not know it at all."""
    wn = wordnet(cues().wordnet_senses)
    if wn is None:
        return True
    senses = wn.synsets(_stemmer().stemWord(raw))
    return not senses or any(s // 10**8 in (1, 2, 3) for s in senses)


@dataclass(frozen=True)
class Scoped:
    """A text's words in order (stems, synonyms merged; concept tokens whole), whether each is in the scope of a
    negation, which segment (a piece between commas, clause marks and clause words) each stands in, and whether that
    segment holds a negation or negative predicate at all."""

    words: tuple[str, ...]
    negated: tuple[bool, ...]
    segment: tuple[int, ...]
    segment_negative: tuple[int, ...]  # how many negations and negative predicates each segment holds
    segment_neutral: tuple[bool, ...] = ()  # "insufficient evidence to recommend for or against": left to the grade
    predicates: frozenset[int] = frozenset()  # the words that are negative predicates ("stopped", "avoid")

    def in_header(self, i: int) -> bool:
        """Whether word i stands before the first number of a text that holds four or more (a table's header)."""
        numbers = [j for j, w in enumerate(self.words) if w[:1].isdigit()]
        return len(numbers) >= 4 and i < numbers[0]

    def negative_beside(self, i: int) -> bool:
        """Whether word i's segment holds a negation or negative predicate other than word i itself."""
        return self.segment_negative[self.segment[i]] > (1 if i in self.predicates else 0)

    @property
    def negated_words(self) -> frozenset[str]:
        return frozenset(w for w, n in zip(self.words, self.negated) if n)

    def neighbours(self, i: int, reach: int = 3, segment: bool = True) -> frozenset[str]:
        """The content words within `reach` content words of word i, and (with `segment`) those of its segment."""
        light = polarity_cues().function | polarity_cues().prepositions
        content = [j for j, w in enumerate(self.words) if w not in light]
        k = content.index(i) if i in content else next((n for n, j in enumerate(content) if j > i), len(content))
        near = {j for j in content[max(0, k - reach):k + reach + 1]}
        if segment:
            near |= {j for j in content if self.segment[j] == self.segment[i]}
        return frozenset(self.words[j] for j in near if self.words[j] != self.words[i])

    @property
    def content(self) -> frozenset[str]:
        light = polarity_cues().function | polarity_cues().prepositions
        return frozenset(w for w in self.words if w not in light)


def _blank(text: str, rx: re.Pattern) -> str:
    return rx.sub(lambda m: " " * len(m.group(0)), text)


@lru_cache(maxsize=4096)
def scoped(text: str, conceptualised: str) -> Scoped:
    """The words of a text (as `_conceptualise` gives it) with the negation scope of each; limits ("no more than"),
    neutral wordings ("for or against") and statements of no difference are no negations. A recommendation against
    ("we suggest against", "should not be used", "Strong against") negates its verb; a preference ("A over B") makes
    its segment one that holds a negation, and takes no scope (the preference check reads it)."""
    c, pc = cues(), polarity_cues()
    low = _blank(re.sub(r"n't\b", " not", conceptualised), pc.references)
    neutral_at = [m.start() for m in c.neutral.finditer(low)]
    against_at = {m.start(): m.end() for rx in (c.against, c.against_direction) for m in rx.finditer(low)}
    graded_against = {m.start() for m in c.graded.finditer(low) if m.group(2) and m.group(2).lower() == "against"}
    preference = [m for rx in (c.preference, pc.preference) for m in rx.finditer(low)]
    preference_at = {m.start() for m in preference}
    for rx in (c.limits, c.neutral, pc.equal, pc.no_preference):
        low = _blank(low, rx)
    cue_at: dict[int, tuple[str, int, bool]] = {}  # kind, end, whether its scope runs on through "of"/"for"
    for m in preference:  # "we suggest A over B": B is not what is suggested
        if pc.choosing.search(low[low.rfind(".", 0, m.start()) + 1:m.start()]):
            cue_at.setdefault(m.start(), ("nominal", m.end(), False))
    too_at = set()
    for kind, rx in (("verbal", pc.verbal), ("nominal", pc.nominal)):
        for m in rx.finditer(low):
            if m.group(0).startswith("too") and m.group(0).endswith("to"):  # "too wide for body weight alone to show":
                too_at.add(m.start())  # the words between are read as they are, the scope starts after "to"
                cue_at.setdefault(m.end() - 2, (kind, m.end(), True))
            else:
                cue_at.setdefault(m.start(), (kind, m.end(), not pc.alternatives.fullmatch(m.group(0))))
    negative_at = {m.start() for m in c.negative.finditer(low)}
    syn, stem = c.synonyms, _stemmer().stemWord
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(low)]
    words: list[str] = []
    negated: list[bool] = []
    segment: list[int] = []
    seg_neg, seg_neutral, bounds = [0], [False], [0]
    predicates: list[int] = []
    light = pc.function
    i, seg, scope_kind, scope_left, holds, through = 0, 0, None, 0, False, True
    in_against = -1
    while i < len(tokens):
        raw, start, end = tokens[i]
        if raw in _PUNCT or raw in pc.boundaries:
            seg += 1
            seg_neg.append(0)
            seg_neutral.append(False)
            bounds.append(start)
            scope_kind = None
            if raw in _PUNCT:
                i += 1
                continue
        if start in against_at:
            in_against = against_at[start]
            seg_neg[seg] += 1
        if start in preference_at or start in graded_against:
            seg_neg[seg] += 1
        if start in cue_at:
            kind, cue_end, through = cue_at[start]
            seg_neg[seg] += 1
            while i < len(tokens) and tokens[i][1] < cue_end:  # the cue's own words
                i += 1
            nxt = next((t for t in tokens[i:] if t[0] not in light and t[0] not in pc.prepositions), None)
            if kind == "verbal" and nxt is not None and nxt[1] in negative_at:
                scope_kind, scope_left, holds = "nominal", 1, False  # "does not contraindicate": only the predicate
            elif kind == "verbal" and nxt is not None and nxt[0] not in _PUNCT and (
                    nxt[0].startswith("⟨") or not _claim_word(nxt[0])):
                scope_kind, scope_left, holds = "nominal", pc.reach, False  # "not children", "not a reason to stop"
            else:
                scope_kind, scope_left, holds = kind, pc.reach, False
            continue
        if start in negative_at or start in too_at:
            seg_neg[seg] += 1
            if start in negative_at:
                predicates.append(len(words))
        key = raw if raw.startswith("⟨") else syn.get(stem(raw), stem(raw))
        inside = (start < in_against and raw not in light and raw not in pc.prepositions
                  and raw not in ("against", "strong", "strongly", "weak", "weakly"))
        if scope_kind == "verbal" and holds and raw in pc.verbal_ends:
            scope_kind = None  # "have not responded | to several adequate trials"
        if scope_kind is not None and raw not in light:
            if raw in pc.coordinators:
                if scope_kind == "nominal" or holds:
                    scope_kind = None
            elif raw in pc.prepositions:
                if holds and not (scope_kind == "nominal" and through and raw in pc.nominal_through):
                    scope_kind = None  # a nominal scope runs on through "of" and "for" ("no need for an accredited
                    # program", "free of serious infections")
            elif scope_kind == "verbal":
                if raw.startswith("⟨") or raw[0].isdigit() or not _claim_word(raw):
                    scope_kind = None
                else:
                    inside = holds = True
            else:
                inside = holds = True
                scope_left -= 1
                if scope_left <= 0:
                    scope_kind = None
        words.append(key)
        negated.append(inside)
        segment.append(seg)
        i += 1
    bounds.append(len(low) + 1)
    for at in neutral_at:
        seg_neutral[max(k for k in range(len(bounds) - 1) if bounds[k] <= at)] = True
    return Scoped(tuple(words), tuple(negated), tuple(segment), tuple(seg_neg), tuple(seg_neutral), frozenset(predicates))


def _antonym_said(negative: Scoped, i: int, positive: Scoped, j: int) -> bool:
    """Whether the negation that takes word i in its scope also takes a word whose WordNet antonym the other side says
    among the words beside its word j: "not lower than" is "at least as high as", "lack of strong evidence" is "weak
    evidence"."""
    from assistant.support_cues import wordnet_antonyms

    antonyms, syn = wordnet_antonyms(), cues().synonyms
    seg = negative.segment[i]
    scope = {w for w, n, g in zip(negative.words, negative.negated, negative.segment) if n and g == seg}
    near = positive.neighbours(j) | {positive.words[j]}
    return any(syn.get(a, a) in near and syn.get(a, a) != w for w in scope - polarity_cues().uncompared
               for a in antonyms.get(w, ()))  # (a broad synonym group, "give" for "take", says too little)


def scope_problems(statement: Scoped, span: list[Scoped], skip: frozenset[str], whole: list[Scoped] | None = None) -> list[str]:
    """Claim words the statement negates where the span (the units carrying its claim) states them, or states where the
    span negates them, the positive side's segment holding no other negation; each word against its use in the span
    that shares most neighbours with it (a tie: one of the same polarity). A word the statement uses as often as the
    whole span (`whole`), each use with the polarity of the span's use in the same place, agrees."""
    out = []
    for i, w in enumerate(statement.words):
        if w in skip or w in polarity_cues().uncompared or w[0].isdigit() or len(w) < 3:
            continue
        uses = [(s, j) for s in span for j, x in enumerate(s.words) if x == w]
        if not uses:
            continue
        mine = [k for k, x in enumerate(statement.words) if x == w]
        every = [(s, j) for s in (whole or span) for j, x in enumerate(s.words) if x == w]
        if len(mine) > 1 and len(every) == len(mine) and every[mine.index(i)][0].negated[every[mine.index(i)][1]] == \
                statement.negated[i]:  # the statement uses the word as often as the span, and in the same order with
            continue  # the same polarity ("without stopping it, or stopping the LABA" against "(not discontinuing) ICS
            # dose or discontinuing LABA")
        near, local, about = statement.neighbours(i), statement.neighbours(i, segment=False), statement.content
        neg = statement.negated[i]
        s, j = max(uses, key=lambda u: (len(local & u[0].neighbours(u[1], segment=False)),
                                        len(near & u[0].neighbours(u[1])) + len(about & u[0].content),
                                        u[0].negated[u[1]] == neg))
        if s.negated[j] == neg or statement.segment_neutral[statement.segment[i]] or s.segment_neutral[s.segment[j]]:
            continue
        if not near & s.neighbours(j):
            continue  # used among other words
        if s.in_header(j) or statement.in_header(i):
            continue  # a table's header names what its cells give ("Major Comorbidity"), it asserts nothing
        if _antonym_said(*((statement, i, s, j) if neg else (s, j, statement, i))):
            continue  # "lack of strong evidence for their efficacy" said as "weak efficacy evidence"
        positive_side_negative = s.negative_beside(j) if neg else statement.negative_beside(i)
        if positive_side_negative:
            continue
        out.append(f"polarity: '{w}' is {'negated' if neg else 'stated'} in the statement, "
                   f"{'stated' if neg else 'negated'} in the source")
    return sorted(set(out))
