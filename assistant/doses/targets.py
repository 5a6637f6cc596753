"""Numbers that are not doses but that a wrong value makes unsafe, held to the cited passage where no rule speaks:
a level a text sets as a treatment's target ("titrate up to a hemoglobin of 12.5 g/dL") against the targets the
passage recommends or recommends against; a waiting time ("resume metformin 6 hours later") against the times the
passage gives beside the same drug and the same kind of step; a level below which a drug is contraindicated ("only
contraindicated below 15") against the passage's. The words are data (assistant/doses/data/passage-targets.yaml),
which also says which body weight doses are calculated on (weight_basis.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.cadence import days
from assistant.doses.lexicon import Lexicon
from assistant.doses.numbers import fmt, number
from assistant.doses.parse import Amount, Scan, scan
from assistant.doses.scope import family_of, is_measured
from assistant.models import DoseFinding

TARGETS_FILE = Path(__file__).parent / "data" / "passage-targets.yaml"
_TOL = 0.01  # a bound this close to the passage's is the passage's


def _words(words) -> re.Pattern:
    return re.compile(r"(?<![\w-])(?:" + "|".join(r"[\s-]+".join(map(re.escape, w.split())) for w in words)
                      + r")(?![\w-])", re.I)


@dataclass(frozen=True)
class _Vocabulary:
    target: re.Pattern
    recommend: re.Pattern
    against: re.Pattern
    analytes: tuple[tuple[str, re.Pattern], ...]
    window: int
    groups: tuple[tuple[str, re.Pattern, int, bool], ...]  # (name, words, window, the words only before the time)
    zero: re.Pattern
    basis: re.Pattern  # a dosing word, a preposition and the weight (group "kind" names which: actual, adjusted, ...)
    basis_kinds: tuple[tuple[str, re.Pattern], ...]
    not_asserted: re.Pattern
    threshold_window: int
    thresholds: tuple[tuple[str, re.Pattern], ...]


def _group(name: str, spec, window: int) -> tuple[str, re.Pattern, int, bool]:
    """A timing group: its words (a list), or {words, window, before} for a group read only close before the time."""
    if isinstance(spec, dict):
        return name, _words(spec["words"]), int(spec.get("window", window)), bool(spec.get("before", False))
    return name, _words(spec), window, False


@lru_cache(maxsize=1)
def vocabulary() -> _Vocabulary:
    data = yaml.safe_load(TARGETS_FILE.read_text(encoding="utf-8"))
    timing, basis = data["timing"], data["weight_basis"]
    kinds = tuple((k, _words(v)) for k, v in basis["kinds"].items())
    weight = "|".join(p.pattern for _, p in kinds)
    return _Vocabulary(
        target=_words(data["target_cues"]), recommend=_words(data["recommend"]), against=_words(data["against"]),
        analytes=tuple((k, _words(v)) for k, v in data["analytes"].items()),
        window=int(timing["window"]),
        groups=tuple(_group(k, v, int(timing["window"])) for k, v in timing["groups"].items()),
        zero=re.compile(r"(?i)(?<![\w-])(?:" + "|".join(data["zero_time"]) + r")(?![\w-])"),
        basis=re.compile(rf"(?i){_words(basis['dosing']).pattern}[^.;:]{{0,40}}?{_words(basis['preposition']).pattern}"
                         rf"\s+(?:(?:the|an?|their|the\s+patient['’]s)\s+)?(?P<kind>{weight})"),
        basis_kinds=kinds, not_asserted=_words(basis["not_asserted"]),
        threshold_window=int(data["thresholds"]["window"]),
        thresholds=tuple((k, _words(v)) for k, v in data["thresholds"]["groups"].items()))


@lru_cache(maxsize=256)
def _joined(text: str, lex: Lexicon) -> Scan:
    """A passage scanned with its PDF line breaks inside a sentence read as spaces ("between 110 and 180\\nmg/dL")."""
    return scan(re.sub(r"\n(?=[a-zµ%(])", " ", text), lex)


def _clause(sc: Scan, a: Amount) -> str:
    """The words of a level's clause before it (after the last ';', ':' or comma-and)."""
    s_start, _ = sc.sentences[a.sentence]
    return re.split(r"[;:]|,\s+(?:and|but|then)\b", sc.text[s_start:a.start])[-1]


def _analytes(text: str) -> set[str]:
    return {name for name, pattern in vocabulary().analytes if pattern.search(text)}


def _bounds(a: Amount) -> tuple[float | None, float | None]:
    """The lower and upper bounds a level states (None where it states none: "below 7" has no lower bound)."""
    lo, hi = a.canon
    if a.comparator in ("<", "<=") or (a.is_max and a.comparator is None and lo == hi):
        return None, hi
    if a.comparator in (">", ">="):
        return lo, None
    return lo, hi


def _region(a: Amount, tail: str) -> tuple[float, float]:
    """The span of values a passage level names: "above 11.5" is (11.5, inf), "<110" is (-inf, 110), "180 or less"
    (-inf, 180), "between 110 and 180" [110, 180]."""
    lo, hi = a.canon
    if a.comparator in ("<", "<=") or re.match(r"(?i)\s*(?:or\s+(?:less|lower|below))\b", tail):
        return float("-inf"), hi
    if a.comparator in (">", ">=") or re.match(r"(?i)\s*(?:or\s+(?:more|higher|above|greater))\b", tail):
        return lo, float("inf")
    return lo, hi


def _inside(v: float, region: tuple[float, float]) -> bool:
    lo, hi = region
    return lo + _TOL * abs(lo) < v < hi - _TOL * abs(hi) if lo != float("-inf") and hi != float("inf") else (
        v < hi - _TOL * abs(hi) if lo == float("-inf") else v > lo + _TOL * abs(lo))


def _outside(v: float, region: tuple[float, float]) -> bool:
    lo, hi = region
    return v < lo - _TOL * abs(lo) or v > hi + _TOL * abs(hi)


def _recommended(srcs: list[Scan], lex: Lexicon, dim: str, named: set[str]) -> tuple[list, list]:
    """The target regions the passages recommend and those they recommend against, in one dimension, from sentences
    that recommend and name a target (and the text's analyte, where it names one)."""
    voc = vocabulary()
    good, bad = [], []
    for src in srcs:
        js = _joined(src.text, lex)
        for b in js.amounts:
            if b.info is None or b.info.dim != dim or b.observed:
                continue
            s_start, s_end = js.sentences[b.sentence]
            before = js.text[s_start:b.start]
            if not voc.recommend.search(before) or not voc.target.search(before):
                continue
            if named and not named & _analytes(js.text[s_start:s_end]):
                continue
            region = _region(b, js.text[b.end:b.end + 20])
            (bad if voc.against.search(before) else good).append((region, js.text[s_start:s_end].strip()))
    return good, bad


def target_findings(sc: Scan, srcs: list[Scan] | None, lex: Lexicon) -> list[DoseFinding]:
    """A finding for every treatment target the text sets on a level (not IgG: rules speak for that) that the cited
    passages' recommendations speak for: out_of_range when a bound it states lies where a passage recommends against,
    or outside every target a passage recommends. Nothing when no cited passage recommends a target in its unit."""
    if not srcs:
        return []
    voc = vocabulary()
    out: list[DoseFinding] = []
    for a in sc.amounts:
        if a.info is None or a.info.dim != "conc" or a.observed or a.problem or is_measured(sc, a):
            continue
        if family_of(a, sc) != "other" or not voc.target.search(_clause(sc, a)):
            continue
        s_start = sc.sentences[a.sentence][0]
        named = _analytes(sc.text[max(s_start, a.start - 60):a.end + 30])
        good, bad = _recommended(srcs, lex, a.info.dim, named)
        if not good and not bad:
            continue
        stated = [v for v in _bounds(a) if v is not None]
        against = next((why for region, why in bad if any(_inside(v, region) for v in stated)), None)
        unmet = good and all(any(_outside(v, region) for v in stated) for region, _ in good)
        if against is None and not unmet:
            continue
        why = against or good[0][1]
        out.append(DoseFinding(
            text=sc.text[a.start:a.end], start=a.start, end=a.end, value=[a.low, a.high] if a.is_range else a.low,
            unit=a.unit, per_kg=False, verdict="out_of_range",
            message=f"A target of {a.text.strip()} is not what the cited passage recommends: \"{why[:200]}\"."))
    return out


_TIME = re.compile(r"(?i)(?<![\w.])(?P<lo>\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(?P<hi>\d+(?:\.\d+)?))?[\s-]+"
                   r"(?P<unit>minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?)\b(?![/-])")


# One hour written without a number ("repeat every hour as needed", "after an hour").
_ONE_HOUR = re.compile(r"(?i)\b(?:every|each|an|one)\s+hour\b(?![/-])")


def _times(text: str) -> list[tuple[int, int, float, float]]:
    """(start, end, low, high) in days of every stated length of time."""
    out = [(m.start(), m.end(), days("hour"), days("hour")) for m in _ONE_HOUR.finditer(text)]
    for m in _TIME.finditer(text):
        step = days(m.group("unit"))
        lo = number(m.group("lo"))[0] * step
        out.append((m.start(), m.end(), lo, number(m.group("hi"))[0] * step if m.group("hi") else lo))
    return out


def _near(pattern: re.Pattern, text: str, start: int, end: int, window: int, before: bool = False) -> bool:
    if before:
        return any(start - window <= m.end() <= start for m in pattern.finditer(text))
    return any(m.end() >= start - window and m.start() <= end + window for m in pattern.finditer(text))


def _drugs_of(sc: Scan, k: int) -> set[str]:
    """The drugs sentence k names, else those of the nearest sentence before it in its run of ';'-joined parts (a table
    row's "dose 2.5 mg at onset; can repeat after 4-hours": the row's drug)."""
    while True:
        named = {d.canonical for d in sc.in_sentence(sc.drugs, k)}
        if named or k == 0 or not sc.text[sc.sentences[k - 1][0]:sc.sentences[k - 1][1]].rstrip().endswith(";"):
            return named
        k -= 1


def passage_times(sc: Scan, srcs: list[Scan] | None, lex: Lexicon, ruled: set[int]) -> list[DoseFinding]:
    """A finding for every waiting time the text gives a drug beside a step word (resume, withhold) where a cited
    passage gives the same drug a time beside a word of the same step: ungrounded unless it is one of the passage's
    times. Times the timing rules speak for (starting at a position in ruled) and a dose's own cadence are left."""
    if not srcs:
        return []
    voc = vocabulary()
    out: list[DoseFinding] = []
    for start, end, lo, hi in _times(sc.text):
        if start in ruled or any(a.start <= start < a.end or 0 <= start - a.end <= 12 for a in sc.amounts):
            continue  # a dose's own course or cadence ("0.4 g/kg daily for 5 days"): the dose checks speak for it
        s_start, s_end = sc.sentences[sc.sentence_of(start)]
        sentence = sc.text[s_start:s_end]
        drugs = _drugs_of(sc, sc.sentence_of(start))
        groups = [(g, p, w, b) for g, p, w, b in voc.groups if _near(p, sentence, start - s_start, end - s_start, w, b)]
        if not drugs or not groups:
            continue
        theirs = []
        for src in srcs:
            js = _joined(src.text, lex)
            for k, (p_start, p_end) in enumerate(js.sentences):
                words = js.text[p_start:p_end]
                mine = _drugs_of(js, k)
                if not mine & drugs:
                    continue
                for t_start, t_end, t_lo, t_hi in _times(words):
                    if any(_near(p, words, t_start, t_end, w, b) for _, p, w, b in groups):
                        theirs.append((t_lo, t_hi, words[t_start:t_end]))
        if not theirs or any(t_lo / 1.1 <= lo and hi <= t_hi * 1.1 for t_lo, t_hi, _ in theirs):
            continue
        out.append(DoseFinding(
            text=sc.text[start:end], start=start, end=end, drug=sorted(drugs)[0], value=lo if lo == hi else [lo, hi],
            unit="day", per_kg=False, verdict="ungrounded",
            message=f"The cited passage gives {' or '.join(dict.fromkeys(t for _, _, t in theirs))} here, not "
                    f"{sc.text[start:end]} ({fmt(lo)} days)."))
    return out


def zero_times(text: str) -> list[tuple[int, int]]:
    """Spans of words that state a time of zero ("on the same day as", "immediately")."""
    return [(m.start(), m.end()) for m in vocabulary().zero.finditer(text)]


_BOUND = re.compile(r"(?i)(?P<cmp>\bbelow|\bunder|\bless\s+than|<|≤|\babove|\bover|\bgreater\s+than|>|≥)\s*"
                    r"(?:an?\s+)?"
                    r"(?:(?:e?GFR|CrCl|level|value)\s+(?:of\s+)?)?(?P<n>\d+(?:\.\d+)?)(?!\d|\.\d)")


def _bounds_by_cue(text: str, window: int) -> list[tuple[int, int, str, bool, float]]:
    """(start, end, group, below, value) of every comparator and number with a threshold word close before it."""
    voc = vocabulary()
    out = []
    for m in _BOUND.finditer(text):
        for group, pattern in voc.thresholds:
            if any(c.end() <= m.start() and m.start() - c.end() <= window for c in pattern.finditer(text)):
                below = m.group("cmp").strip().lower() in ("below", "under", "less than", "<", "≤")
                out.append((m.start("n"), m.end("n"), group, below, float(m.group("n"))))
                break
    return out


def threshold_findings(sc: Scan, srcs: list[Scan] | None, lex: Lexicon) -> list[DoseFinding]:
    """A finding for every level below or above which the text says a drug is contraindicated, where a cited passage
    gives that drug, the same analyte and the same kind of threshold another number: ungrounded."""
    if not srcs:
        return []
    voc = vocabulary()
    out: list[DoseFinding] = []
    for k in range(len(sc.sentences)):
        c_start, c_end = sc.chain_span(k)
        if sc.sentences[k][0] != c_start:
            continue  # each run of joined sentences once
        words = sc.text[c_start:c_end]
        drugs = {d.canonical for d in sc.drugs if c_start <= d.start < c_end}
        named = _analytes(words)
        if not drugs or not named:
            continue
        for start, end, group, below, value in _bounds_by_cue(words, voc.threshold_window):
            theirs = []
            for src in srcs:
                js = _joined(src.text, lex)
                for j, (p_start, p_end) in enumerate(js.sentences):
                    if not drugs & {d.canonical for d in js.in_sentence(js.drugs, j)}:
                        continue
                    sentence = js.text[p_start:p_end]
                    if not named & _analytes(sentence):
                        continue
                    theirs += [v for _, _, g, b, v in _bounds_by_cue(sentence, voc.threshold_window)
                               if g == group and b == below]
            if not theirs or any(abs(v - value) <= 1e-6 * max(1.0, v) for v in theirs):
                continue
            out.append(DoseFinding(
                text=words[start:end], start=c_start + start, end=c_start + end, drug=sorted(drugs)[0], value=value,
                unit="level", per_kg=False, verdict="ungrounded",
                message=f"The cited passage gives {' or '.join(fmt(v) for v in dict.fromkeys(theirs))} as the level "
                        f"{'below' if below else 'above'} which it is {group}, not {fmt(value)}."))
    return out


_CMP = r"(?P<cmp><=|≤|<|\bbelow\b|\bunder\b|\bless\s+than\b)"


@dataclass(frozen=True)
class _Goal:
    bound: float
    unit: str
    analytes: frozenset[str]
    ages: frozenset[str]
    conditions: frozenset[str]
    sentence: str


@lru_cache(maxsize=1)
def _goal_words() -> tuple[re.Pattern, str, re.Pattern, re.Pattern]:
    data = yaml.safe_load(TARGETS_FILE.read_text(encoding="utf-8"))["population_goals"]
    return (_words(data["cues"]), "(?:" + "|".join(data["units"]) + ")",
            re.compile(r"(?i)\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in data["inclusive"])
                       + r")\b[^,;.]*"),
            re.compile(r"(?i)(?:^|(?<=[\s(,;]))(?:" + "|".join(re.escape(w) for w in data["negated"]) + r")[\s-]*$"))


def _conditions(text: str, negated: re.Pattern | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """(conditions named, conditions named as absent: "no diabetes") by binding.yaml's topics."""
    from assistant.doses.binding import cues

    has, lacks = set(), set()
    for name, pattern in cues().topics:
        for m in pattern.finditer(text):
            (lacks if negated is not None and negated.search(text[max(0, m.start() - 14):m.start()]) else has).add(name)
    return frozenset(has - lacks), frozenset(lacks)


def _passage_goals(passage: str) -> list[_Goal]:
    """Every goal a passage sentence recommends, with the population the sentence gives it for."""
    from assistant.doses.binding import age_qualifiers, split_passage

    voc = vocabulary()
    cue, units, inclusive, _ = _goal_words()
    head, body = split_passage(passage)
    own, _ = _conditions(head)  # the guideline's own condition: every patient it speaks of has it
    flat = re.sub(r"\s+", " ", body)
    out = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z0-9])", flat):
        if not voc.recommend.search(sentence) or not cue.search(sentence):
            continue
        for m in re.finditer(rf"{_CMP}\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>{units})", sentence, re.I):
            before = sentence[:m.start()]
            restricting = inclusive.sub(" ", before)
            conditions, _ = _conditions(restricting)
            out.append(_Goal(float(m.group("n")), re.sub(r"\s+", "", m.group("unit")).lower(),
                             frozenset(_analytes(sentence)), frozenset(q for q in age_qualifiers(restricting)
                                                                      if q.startswith("age>")),
                             conditions - own, sentence.strip()))
    return out


def goal_findings(sc: Scan, sources: list[str] | None, context: str | None) -> list[DoseFinding]:
    """A goal the text gives for the patient ("at goal for his age (<150)") that is not the goal the cited passage
    recommends for the patient's population: of the passage's goals for the analyte (the text's, else the question's)
    whose ages and conditions the patient meets, the most specific speak ("60 years and over with type 2 diabetes:
    <140" over "60 years and over: <150" for a 65-year-old with T2DM). Nothing when no passage goal applies, or when
    the patient's age or a condition the goals differ by is not known (the text cannot be held to one of them)."""
    if not sources:
        return []
    from assistant.doses.binding import age_qualifiers, ages_met

    cue, units, _, negated = _goal_words()
    goals = [g for p in sources for g in _passage_goals(p)]
    if not goals:
        return []
    patient = " ".join(filter(None, (context, sc.text)))
    has, lacks = _conditions(patient, negated)
    ages = age_qualifiers(context or "") | age_qualifiers(sc.text)
    text_goal = re.compile(rf"(?i)\b(?:{cue.pattern})\b[^.;\d<≤]{{0,40}}?{_CMP}\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>{units})?"
                           rf"|{_CMP.replace('?P<cmp>', '?:')}\s*(?P<n2>\d+(?:\.\d+)?)\s*(?P<unit2>{units})?\s+(?:{cue.pattern})")
    out = []
    for m in text_goal.finditer(sc.text):
        n = float(m.group("n") or m.group("n2"))
        unit = re.sub(r"\s+", "", (m.group("unit") or m.group("unit2") or "")).lower()
        s_start, s_end = sc.sentences[sc.sentence_of(m.start())]
        clause = re.split(r"[;:,]|\band\b", sc.text[s_start:m.start() + 1])[-1]
        named = _analytes(clause) or _analytes(sc.text[s_start:s_end]) or _analytes(context or "")
        if not named:
            continue
        of_analyte = [g for g in goals if g.analytes & named and (not unit or unit == g.unit)]
        if any(g.ages for g in of_analyte) and not ages:
            continue  # the goals differ by age and the patient's is not known
        if any(c not in has and c not in lacks for g in of_analyte for c in g.conditions):
            continue  # nor is it known whether the patient has a condition a goal is for
        fitting = [g for g in of_analyte if g.analytes & named and (not unit or unit == g.unit)
                   and g.conditions <= has and {f"age>{int(q[4:])}" for q in g.ages} <= ages_met(
                       ages, frozenset(int(q[4:]) for q in g.ages)) | {q for q in ages if q.startswith("age>")}]
        if not fitting:
            continue
        most = max(len(g.conditions) + len(g.ages) for g in fitting)
        speaking = [g for g in fitting if len(g.conditions) + len(g.ages) == most]
        if any(abs(g.bound - n) <= _TOL * g.bound for g in speaking):
            continue
        lo = m.start("n") if m.group("n") else m.start("n2")
        hi = m.end("n") if m.group("n") else m.end("n2")
        out.append(DoseFinding(text=sc.text[lo:hi], start=lo, end=hi, value=n, unit=unit or speaking[0].unit,
                               per_kg=False, verdict="out_of_range",
                               message=f"A goal of {fmt(n)} is not the goal the cited passage recommends for this "
                                       f"patient: \"{speaking[0].sentence[:200]}\"."))
    return out
