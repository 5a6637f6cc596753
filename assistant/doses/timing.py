"""Lengths of time a rule gives that are not doses: how long to wait, how long before a switch ("defer live vaccines
for 11 months after Kawasaki IVIG", "at least 3 months of regular IVIG before switching"). A stated time next to a
timing rule's cue word, in a sentence with its context words, must be the rule's; elsewhere a time is not checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.cadence import days
from assistant.doses.matching import source_text
from assistant.doses.numbers import NUM, SEP, fmt, number
from assistant.doses.parse import Scan
from assistant.doses.rules import NormRule, RuleBook
from assistant.doses.targets import zero_times
from assistant.models import DoseFinding

_TIME = re.compile(rf"(?i)(?<![\w.])(?P<lo>{NUM})(?:{SEP}(?P<hi>{NUM}))?[\s-]+"
                   rf"(?P<unit>minutes?|mins?|hours?|hrs?|h|days?|weeks?|wks?|months?|mos?|years?)\b(?![/-])")
_NEAR = 60  # characters between a stated time and its cue word
_CLAUSE = re.compile(r"[;:]|,\s+(?:and|but|while|whereas)\b|\b(?:and\s+then|whereas|but)\b|,(?=\s+(?:then|thereafter|"
                     r"after\s+that|afterwards|later|once)\b)", re.I)
# A clause that opens the next circumstance of a sequence ("..., then every 6-12 months").
_NEXT = re.compile(r"(?i)^[\s,;:]*(?:and\s+)?(?:then|thereafter|after\s+that|afterwards|later(?:\s+on)?|once|subsequently)\b")
# What lies between a dose and the time that is its own cadence ("2 g/kg over 10-12 hours", "0.4 g/kg/day for 5 days",
# "0.5 mL/kg/h for the first 30 minutes"): the dose checks speak for such a time.
_DOSE_CADENCE = re.compile(r"(?i)^[\s,()]*(?:(?:IV|SC|intravenously|subcutaneously|daily|a\s+day|per\s+day|once|given|"
                           r"infused|run|as\s+(?:a\s+)?(?:single|one)\s+(?:infusion|dose)|in\s+(?:a\s+)?(?:single|one)"
                           r"\s+infusion|split|divided)\s*,?\s*)*(?:over|for|every|each|q|in|during|across)?\s*"
                           r"(?:the\s+)?(?:first|next|initial)?\s*$")


@dataclass(frozen=True)
class _Stated:
    """A stated length of time: a number and its unit ("11 months"), or words that state none ("on the same day")."""

    start: int
    end: int
    text: str
    unit: str
    value: float | list[float]
    lo: float  # days
    hi: float


def _stated_times(text: str) -> list[_Stated]:
    """Every stated length of time, in the order of the text: numbers with a unit and words of zero time."""
    found = [_Stated(z0, z1, text[z0:z1], "day", 0.0, 0.0, 0.0) for z0, z1 in zero_times(text)]
    for m in _TIME.finditer(text):
        lo, hi = number(m.group("lo"))[0], number(m.group("hi"))[0] if m.group("hi") else None
        step = days(m.group("unit"))
        found.append(_Stated(m.start(), m.end(), m.group(0), m.group("unit").lower().rstrip("s"),
                             [lo, hi] if hi is not None else lo, lo * step, (hi if hi is not None else lo) * step))
    return sorted(found, key=lambda t: t.start)


@lru_cache(maxsize=256)
def _words(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?i)(?<![\w-])(?:" + "|".join(r"[\s-]+".join(map(re.escape, w.split())) for w in words) + ")")


@lru_cache(maxsize=256)
def _compound_words(words: tuple[str, ...]) -> re.Pattern:
    """Words that may also end a hyphenated compound ("IVIG-resistant" names "resistant"; "non-resistant" does not)."""
    return re.compile(r"(?i)(?<!\w)(?<!\bnon-)(?<!\bnot-)(?:" + "|".join(
        r"[\s-]+".join(map(re.escape, w.split())) for w in words) + ")")


def _timing_rules(book: RuleBook) -> list[NormRule]:
    return [n for n in book.norm if n.family == "timing" and n.rule.timing is not None]


def _dose_cadence(sc: Scan, start: int, c_start: int) -> bool:
    """Whether a stated time is the cadence of the dose just before it in its clause ("2 g/kg over 10-12 hours")."""
    before = [a for a in sc.amounts if c_start <= a.end <= start and a.info is not None
              and a.info.dim != "conc" and not a.info.dim.startswith("other")]  # a level has no cadence
    return bool(before) and bool(_DOSE_CADENCE.match(sc.text[before[-1].end:start]))


def _distance(pattern: re.Pattern, text: str, lo: int, hi: int) -> int | None:
    """Characters between the span [lo, hi) of text and the nearest match of pattern, None when none."""
    gaps = [lo - m.end() if m.end() <= lo else m.start() - hi if m.start() >= hi else 0 for m in pattern.finditer(text)]
    return min(gaps) if gaps else None


ELAPSED_FILE = Path(__file__).parent / "data" / "elapsed.yaml"
# A clock time ("08:00", "20:30", "8:15"): two of them in a question state the time between them.
_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3])[:h]([0-5]\d)(?![\d:])")


@lru_cache(maxsize=1)
def _elapsed_words() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    data = yaml.safe_load(ELAPSED_FILE.read_text(encoding="utf-8"))
    return _words(tuple(data["now"])), re.compile(r"(?i)^[\s,]*(?:" + "|".join(
        r"\s+".join(map(re.escape, w.split())) for w in data["after_time"]) + r")\b"), re.compile(
        r"(?i)\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in data["before_time"]) + r")\s*$"), re.compile(
        r"(?i)(?:\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in data["negated"]) + r")\b|n['’]t\b)")


def _time_passed(text: str) -> tuple[float, str] | None:
    """The time a question says has passed, in days, and its words: a stated time read as passed ("12 hours ago",
    "after 12 hours"), else the span between its first and last clock times ("finished at 08:00, still febrile at
    20:00": 12 hours; a later time earlier on the clock is the next day). None when it states none, or two passed times
    that disagree."""
    _, after, before, _ = _elapsed_words()
    passed = {round(t.hi, 6): t.text for t in _stated_times(text) if t.unit != "day" or t.hi > 0
              if after.match(text[t.end:t.end + 20]) or before.search(text[max(0, t.start - 25):t.start])}
    if len(passed) == 1:
        ((value, words),) = passed.items()
        return value, words
    if passed:
        return None
    clocks = [(int(m.group(1)) * 60 + int(m.group(2)), m.group(0)) for m in _CLOCK.finditer(text)]
    if len(clocks) < 2:
        return None
    minutes = clocks[-1][0] - clocks[0][0]
    return (minutes if minutes > 0 else minutes + 1440) / 1440, f"{clocks[0][1]} to {clocks[-1][1]}"


# Words of zero time that act now ("switch straight away", "right away").
_ZERO_NOW = re.compile(r"(?i)\b(?:straight\s+away|right\s+away|immediately|at\s+once|now)\b")


def _elapsed_findings(rules: list[NormRule], sc: Scan, ctx: Scan | None, checked: set[str]) -> list[DoseFinding]:
    """A statement that acts now on a timing rule whose time must have passed (or not yet): "counts as IVIG-resistant
    already - hang the second dose now" is checked against the time the question says has passed (08:00 to 20:00 is
    12 hours, not the 36 hours resistance needs). A rule a stated time of the text already spoke for is left alone."""
    if ctx is None:
        return []
    now, negated = _elapsed_words()[0], _elapsed_words()[3]
    passed = _time_passed(ctx.text)
    if passed is None:
        return []
    value, words = passed
    out: list[DoseFinding] = []
    for index, (s_start, s_end) in enumerate(sc.sentences):
        sentence = sc.text[s_start:s_end]
        cue = now.search(sentence) or next((z for z in _ZERO_NOW.finditer(sentence)), None)
        if cue is None or any(t.hi > 0 for t in _stated_times(sentence)):
            continue  # a statement with its own time: the stated-time check speaks for it
        clause = _CLAUSE.split(sentence[:cue.start()])[-1] + sentence[cue.start():].split(";")[0].split(",")[0]
        if negated.search(clause):
            continue  # "not resistant yet - wait", "no second dose now"
        where = sentence + "\n" + ctx.text
        for n in rules:
            t = n.rule.timing
            if t.elapsed is None or n.rule.id in checked or not all(
                    _compound_words(tuple(group)).search(where) for group in t.context):
                continue
            if t.context and not any(_compound_words(tuple(group)).search(sentence) for group in t.context):
                continue  # the statement itself must name the rule's circumstance, not only the question
            if t.unless and _words(tuple(t.unless)).search(sentence):
                continue
            rlo = n.lo if n.lo is not None else 0.0
            rhi = n.hi if n.hi is not None else float("inf")
            ok = value >= rlo / 1.1 if t.elapsed == "at_least" else value <= rhi * 1.1
            hours = value * 24
            shown = f"{fmt(round(hours, 1))} hours" if hours < 72 else f"{fmt(round(value, 1))} days"
            checked.add(n.rule.id)
            base = dict(text=sentence[cue.start():cue.end()], start=s_start + cue.start(), end=s_start + cue.end(),
                        drug=n.rule.drug, value=round(value / days(n.rule.unit), 2), unit=n.rule.unit, per_kg=False, rule_id=n.rule.id,
                        source=source_text(n))
            need = f"{'at least' if t.elapsed == 'at_least' else 'at most'} {fmt(n.rule.min if t.elapsed == 'at_least' else n.rule.max)} {n.rule.unit}s"
            if ok:
                if n.rule.evidence != "weak":
                    out.append(DoseFinding(**base, verdict="verified", message=(
                        f"{shown} have passed ({words}); rule {n.rule.id} needs {need}.")))
            else:
                out.append(DoseFinding(**base, verdict="out_of_range", message=(
                    f"Acted on {sentence[cue.start():cue.end()]!r} when {shown} have passed ({words}); rule {n.rule.id} "
                    f"needs {need} ({n.rule.note or n.rule.indication}).")))
    return out


def timing_findings(book: RuleBook, sc: Scan, ctx: Scan | None = None) -> list[DoseFinding]:
    """A finding for every stated time a timing rule speaks for: verified when it is the rule's, else out_of_range.
    Of several rules whose cues fit, the one whose cue word stands nearest the time speaks; the context words may be
    in the run of ';'-joined sentences or in the question (ctx)."""
    rules = _timing_rules(book)
    if not rules:
        return []
    out: list[DoseFinding] = []
    for m in _stated_times(sc.text):
        if any(a.start <= m.start < a.end for a in sc.amounts):
            continue  # part of a dose ("0.4 g/kg/4 weeks"): the dose checks speak for it
        s_start, s_end = sc.sentences[sc.sentence_of(m.start)]
        # The clause around the time: a cue in another clause of the sentence is about another time.
        cuts = [s_start] + [c.end() + s_start for c in _CLAUSE.finditer(sc.text[s_start:s_end])] + [s_end]
        c_start = max(c for c in cuts if c <= m.start)
        c_end = min(c for c in cuts if c >= m.end)
        if _dose_cadence(sc, m.start, c_start):
            continue
        clause = sc.text[c_start:c_end]
        p_start, p_end = sc.chain_span(sc.sentence_of(m.start))
        sentence = sc.text[p_start:p_end]
        where = sentence + ("\n" + ctx.text if ctx is not None else "")
        a_lo, a_hi = max(c_start, m.start - _NEAR), min(c_end, m.end + _NEAR)
        around = sc.text[a_lo:a_hi]
        lo, hi = m.lo, m.hi
        fitting = []
        for n in rules:
            cue = n.rule.timing
            near = _words(tuple(cue.near))
            if not near.search(around) or not near.search(clause) or not all(
                    _words(tuple(group)).search(where) for group in cue.context):
                continue
            if cue.unless and _words(tuple(cue.unless)).search(sentence):
                continue
            own = clause if _NEXT.match(clause) else where
            if not all(_words(tuple(group)).search(own) for group in cue.circumstance):
                continue
            fitting.append((_distance(near, around, m.start - a_lo, m.end - a_lo), n))
        if not fitting:
            continue
        n = min(fitting, key=lambda f: f[0])[1]
        rlo = n.lo if n.lo is not None else 0.0
        rhi = n.hi if n.hi is not None else float("inf")
        ok = lo >= rlo / 1.1 and hi <= rhi * 1.1
        base = dict(text=m.text, start=m.start, end=m.end, drug=n.rule.drug,
                    value=m.value, unit=m.unit, per_kg=False,
                    rule_id=n.rule.id, source=source_text(n))
        span = fmt(n.rule.min) if n.rule.min is not None and n.rule.min == n.rule.max else (
            f"{fmt(n.rule.min)}-{fmt(n.rule.max)}" if n.rule.min is not None and n.rule.max is not None
            else f"at most {fmt(n.rule.max)}" if n.rule.max is not None else f"at least {fmt(n.rule.min)}")
        unit = n.rule.unit + ("" if n.rule.max == 1 and n.rule.min in (None, 1) else "s")
        if ok and n.rule.evidence == "weak":
            continue  # a weak source verifies nothing: a time that agrees with it is simply not checked
        if ok:
            out.append(DoseFinding(**base, verdict="verified",
                                   message=f"{m.text}: rule {n.rule.id} gives {span} {unit}."))
        else:
            out.append(DoseFinding(**base, verdict="out_of_range",
                                   message=f"{m.text} is not the {span} {unit} of rule {n.rule.id} "
                                           f"({n.rule.note or n.rule.indication})."))
    return out + _elapsed_findings(rules, sc, ctx, {f.rule_id for f in out if f.rule_id})
