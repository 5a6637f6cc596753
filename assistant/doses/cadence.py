"""Cadence grammar: how often a dose repeats ("every 3-4 weeks", "q4w", "daily for 5 days"), per dose or per course."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.doses.numbers import NUM, SEP, number

_DAYS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30.4375, "y": 365.25}


def days(unit: str) -> float:
    """Length in days of a period word as written ('weeks', 'wk', 'h', 'months')."""
    unit = unit.lower()
    if unit.startswith("mi"):
        return 1 / 1440
    return _DAYS["m" if unit.startswith("mo") else ("h" if unit.startswith("h") else unit[0])]


@dataclass(frozen=True)
class Cadence:
    """How a dose repeats: per dose or per course, the interval and the duration, in days."""

    kind: str = "dose"
    interval: tuple[float, float] | None = None
    duration: tuple[float, float] | None = None
    single: bool = False
    text: str | None = None
    infusion: tuple[float, float] | None = None  # how long one infusion (or one rate) runs, in days
    cycle: tuple[float, float] | None = None  # a whole course repeated ("for 2 days, repeated every 3 weeks"), days
    flags: tuple[str, ...] = ()

    @property
    def bare(self) -> bool:
        """True when the words name no cadence at all."""
        return self.interval is None and self.duration is None and self.kind == "dose" and not self.single


_PERIOD = r"(?P<unit>hours?|hrs?|h|days?|weeks?|wks?|months?)"
_EVERY = re.compile(rf"(?i)\b(?:every|each)\s+(?:(?P<other>other)\s+|(?P<lo>{NUM})(?:{SEP}(?P<hi>{NUM}))?\s+)?"
                    rf"{_PERIOD}\b")
# "0.4 g/kg/4 weeks", "per 3-4 weeks": only right after the amount (the pattern is anchored).
# "12 mg per 24-hours": a hyphen may join the number and its period.
_PER_N = re.compile(rf"(?i)^\s*(?:/|\bper\s+|\bin\s+|\bevery\s+)\s*(?P<lo>{NUM})(?:{SEP}(?P<hi>{NUM}))?(?:\s*|-){_PERIOD}\b")
_Q = re.compile(r"(?i)(?<![A-Za-z])q\.?\s?(?P<lo>\d+(?:\.\d+)?)(?:\s*[-–]\s*(?P<hi>\d+))?\s*"
                r"(?P<unit>hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mo)\b")
# ("once aday", "twice aday": a PDF's words run together are read as written apart.)
_FREQ_WORDS = re.compile(r"(?i)\b(?:(once\s+)?(daily|weekly|monthly|fortnightly|biweekly|nightly)(?:[a-e](?=\s|$))?|once\s+(?:a|per)\s*"
                         r"(day|week|month)|(?:per|a|each)[\s-](day|week|month)|every\s+(day|week|month)"
                         r"|(twice|thrice|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[2-9]|1[0-2])\s+times)"
                         r"\s+(?:a\s*|per\s+|each\s+)?(?:day|daily)"
                         r"|(?:on|in)\s+any\s+(?:single\s+|one\s+)?(day)|(?:on\s+)?each\s+of\s+the\s+(?:\w+\s+)?(day)s)\b|(?<![A-Za-z])(BID|TID|QID|QOD|QD|"
                         r"q\.o\.d\.|q\.d\.|b\.i\.d\.|t\.i\.d\.)(?![A-Za-z])|\b(every other day)\b")
_DURATION = re.compile(rf"(?i)(?:\b(for|over|on|x|across)|(×))\s+(?P<each>(?:each|every)\s+of\s+(?:the\s+)?)?"
                       rf"(?:a\s+total\s+of\s+|the\s+next\s+|the\s+first\s+|up\s+to\s+|at\s+most\s+|no\s+more\s+than\s+"
                       rf"|a\s+period\s+of\s+)?({NUM}|an?(?=\s+(?:day|week|month|fortnight)\b))(?:{SEP}({NUM}))?\s+"
                       r"(?:consecutive\s+|successive\s+)?(days?|weeks?|months?|hours?|hrs?|h|minutes?|mins?)\b")
_DURATION_BEFORE = re.compile(rf"(?i)\b(?P<lo>{NUM})(?:{SEP}(?P<hi>{NUM}))?\s+(?:consecutive\s+)?(?P<unit>days?|weeks?)\s+of\s+"
                              r"(?:[\w-]+\s+){0,3}?(?:at|given\s+at|dosed\s+at)\s*$")
_SINGLE = re.compile(r"(?i)\b(?:once(?!\s+(?:daily|weekly|monthly|a\b|a(?:day|week|month)\b|per\b|every\b))"
                     r"|single(?!\s+day)(?:\s+dose|\s+infusion)?"
                     r"|one[- ]time|one[- ]off|stat)\b")
_SINGLE_BEFORE = re.compile(r"(?i)\b(?:single|one[- ]time|one[- ]off|loading)(?:\s+(?:iv|dose|infusion|bolus))*"
                            r"(?:\s+of)?\s*:?\s*$")
_COURSE_AFTER = re.compile(r"(?i)^[\s,(]*(?:in\s+total|in\s+all|all\s+told|altogether|overall|total(?:\s+dose)?|per\s+course|(?:is\s+|as\s+)?(?:a|the)\s+"
                           r"(?:[A-Za-zé'-]+\s+){0,2}?(?:total|course)(?!\s+of\b)|in\s+divided|(?:for|over|across|throughout)\s+the\s+(?:(?:whole|entire|full)\s+)?course)\b")
# "a total of 2 g/kg", "the total course is 2 g/kg", "the course total is 2 g/kg", "the total dose per course = 2 g/kg".
_COURSE_BEFORE = re.compile(r"(?i)\b(?:total(?:\s+(?:course\s+)?dose|\s+course)?(?:\s+(?:per|for|of)\s+(?:the\s+|a\s+|each\s+)?course)?"
                            r"(?:\s+of|\s+(?:is|=|comes\s+to|amounts\s+to)(?:\s+(?:about|approximately))?)?"
                            r"|course\s+(?:total|dose)(?:\s+(?:of|is|=))?|course\s+of|divided\s+over"
                            r"|adds?\s+up\s+to|sums?\s+to)\s*:?\s*$")
_CYCLE = re.compile(rf"(?i)\brepeat(?:ed)?\s+(?:(?:every|each)\s+(?:(?P<other>other)\s+|(?P<lo>{NUM})(?:{SEP}(?P<hi>{NUM}))?\s+)?"
                    rf"{_PERIOD}\b|(?P<word>daily|weekly|monthly)\b)")
_FREQ_INTERVALS = {"daily": 1, "nightly": 1, "weekly": 7, "monthly": 30.4375, "fortnightly": 14, "biweekly": 14,
                   "day": 1, "week": 7, "month": 30.4375, "twice": 0.5, "three times": 1 / 3, "four times": 0.25,
                   "thrice": 1 / 3, "two times": 0.5, "2 times": 0.5, "3 times": 1 / 3, "4 times": 0.25,
                   "bid": 0.5, "tid": 1 / 3, "qid": 0.25, "qd": 1, "q.d.": 1, "qod": 2, "q.o.d.": 2,
                   "b.i.d.": 0.5, "t.i.d.": 1 / 3, "every other day": 2}


# "once or twice daily", "three to four times daily", "2-3 times a day", "TID – QID": a span of doses a day.
_FREQ_COUNTS = {"once": 1, "one": 1, "1": 1, "qd": 1, "twice": 2, "two": 2, "2": 2, "bid": 2, "thrice": 3, "three": 3,
                "3": 3, "tid": 3, "four": 4, "4": 4, "qid": 4}
_FREQ_RANGE = re.compile(r"(?i)\b(?P<a>once|one|two|three|four|[1-4])\s*(?:times?\s+)?(?:or|to|-|–)\s*(?P<b>twice|two|three|four"
                         r"|[1-4])\s+(?:times\s+)?(?:a\s+|per\s+|each\s+)?(?:day|daily)\b"
                         r"|(?<![A-Za-z])(?P<x>QD|BID|TID|QID)\s*(?:[-–/]|to|or)\s*(?P<y>BID|TID|QID)(?![A-Za-z])")


def _frequency_range(source: str, m: re.Match) -> tuple[tuple[float, float], str] | None:
    """The (shortest, longest) interval of a span of doses a day holding the frequency words m found."""
    for r in _FREQ_RANGE.finditer(source):
        if r.start() <= m.start() < r.end():
            lo, hi = (_FREQ_COUNTS[(r.group("a") or r.group("x")).lower()],
                      _FREQ_COUNTS[(r.group("b") or r.group("y")).lower()])
            if lo < hi:
                return (1 / hi, 1 / lo), r.group(0)
    return None


def _numbered_interval(m: re.Match) -> tuple[float, float]:
    """(shortest, longest) interval in days from 'every 3-4 weeks', '/4 weeks', 'q3-4w', 'every other day',
    'repeated daily'."""
    if m.groupdict().get("word"):
        return (_FREQ_INTERVALS[m.group("word").lower()],) * 2
    step = days(m.group("unit"))
    lo = 2.0 if m.groupdict().get("other") else (number(m.group("lo"))[0] if m.group("lo") else 1.0)
    hi = number(m.group("hi"))[0] if m.group("hi") else lo
    return lo * step, hi * step


def _interval(source: str, after: bool) -> tuple[tuple[float, float] | None, str | None, tuple[str, ...]]:
    """The interval a stretch of text names: (days, the words, ISMP flags).

    After an amount the first phrase counts (in order of how plainly it names an interval); before it,
    the phrase nearest the amount.
    """
    patterns = (_EVERY, _PER_N, _Q, _FREQ_WORDS) if after else (_EVERY, _Q, _FREQ_WORDS)
    found = [m for m in (next(p.finditer(source), None) if after else (list(p.finditer(source)) or [None])[-1]
                         for p in patterns) if m is not None]
    if not found:
        return None, None, ()
    m = found[0] if after else max(found, key=lambda x: x.end())
    if m.re is not _FREQ_WORDS:
        return _numbered_interval(m), m.group(0), ()
    word = next(g for g in m.groups()[1:] if g).lower()
    flags = (("QOD" if "o" in word else "QD"),) if word in ("qd", "q.d.", "qod", "q.o.d.") else ()
    if (span := _frequency_range(source, m)) is not None:
        return span[0], span[1], flags
    if word not in _FREQ_INTERVALS and word.endswith(" times"):  # "six times daily": every 4 hours
        word = " ".join(word.split())
        return (1 / number(word.split()[0])[0],) * 2, m.group(0), flags
    return (_FREQ_INTERVALS[word],) * 2, m.group(0), flags  # ISMP: QD misread as QID, QOD as QD


def scan_cadence(before: str) -> Cadence:
    """Cadence named in a stretch of text before a calculation ("weekly SCIG dose = ...")."""
    return cadence("", before, None)


def cadence(after: str, before: str, unit_per: str | None) -> Cadence:
    """Read the cadence from the words after (and failing that, just before) an amount."""
    kind, interval, duration, single, words, flags, lasting = "dose", None, None, False, None, (), None
    infusion = None
    if unit_per in ("day", "week", "month"):
        interval = (_FREQ_INTERVALS[unit_per],) * 2
    elif unit_per == "course":
        kind = "course"
    if interval is None:
        interval, words, flags = _interval(after, after=True)
        if interval is None:
            interval, words, flags = _interval(before, after=False)
    for m in _DURATION.finditer(after):
        word, lo_raw, hi_raw, period = (m.group(1) or m.group(2)), m.group(4), m.group(5), m.group(6)
        lo = 1.0 if lo_raw.lower() in ("a", "an") else number(lo_raw)[0]
        span = (lo, number(hi_raw)[0] if hi_raw else lo)
        step = days(period)
        if m.group("each") and step >= 1 and interval is None:
            interval = (step, step)  # "on each of 5 days": one dose a day, for 5 days
        if step < 1:
            infusion = (span[0] * step, span[1] * step)  # "over 10-12 hours", "for 3 hours": one infusion's length
            single = single or word.lower() == "over"
        elif step >= 1:
            duration = (span[0] * step, span[1] * step)
            if word.lower() == "over" and interval is None:
                kind = "course"  # "2 g/kg over 2-5 days": a total divided over the days
            elif interval is None:
                interval = (1.0, 1.0)  # "0.4 g/kg for 5 days" reads as daily
        lasting = m.group(0)
        break
    if duration is None and infusion is None and interval is not None and interval[0] == interval[1] == 1 and (
            ahead := list(_DURATION.finditer(before))) and re.fullmatch(r"[\s,:=]*(?:is|gives|means|of)?[\s,:=]*",
                                                                       before[ahead[-1].end():]):
        # "over 4 days = 0.5 g/kg per day", "for 5 days: 0.4 g/kg daily": the course named just before a daily dose.
        m = ahead[-1]
        lo_raw, hi_raw, period = m.group(4), m.group(5), m.group(6)
        lo = 1.0 if lo_raw.lower() in ("a", "an") else number(lo_raw)[0]
        if days(period) >= 1:
            duration = (lo * days(period), (number(hi_raw)[0] if hi_raw else lo) * days(period))
            lasting = m.group(0)
    if duration is None and infusion is None and (m := _DURATION_BEFORE.search(before)):
        # "three days of IVIG at 0.4 g/kg/day": the course named before the dose it repeats.
        lo, hi = number(m.group("lo"))[0], number(m.group("hi"))[0] if m.group("hi") else number(m.group("lo"))[0]
        duration = (lo * days(m.group("unit")), hi * days(m.group("unit")))
        interval = interval or (1.0, 1.0)
        lasting = f"for {m.group('lo')}{'-' + m.group('hi') if m.group('hi') else ''} {m.group('unit')}"
    if _SINGLE.search(after) or _SINGLE_BEFORE.search(before):
        single = interval is None
    # "the course total of 0.4 g/kg per day for 5 days": the total is of the whole regimen, not of this daily dose.
    course_after = _COURSE_AFTER.search(after)
    if course_after and unit_per in ("day", "week") and not re.search(r"(?i)course", course_after.group(0)):
        course_after = None  # "50-200 mg/day in divided doses", "4 g/day total": a daily total, not a course
    # (A repeat of its own and no course length keeps it a repeated dose, "the total dose is 0.4 g/kg daily", unless the
    # words before name the course itself: "the CIDP loading course of 2 g/kg as a daily dose would give ...".)
    course_before = _COURSE_BEFORE.search(before)
    if course_after or (course_before and unit_per not in ("day", "week")
                        and ("course" in course_before.group(0).lower() or interval is None or duration is not None)):
        kind = "course"
        if unit_per is None:
            interval = None  # "2 g/kg is a total for the course, not a daily dose": the words name no repeat
    cycle = None
    if duration and (m := _CYCLE.search(after)):
        cycle = _numbered_interval(m)
        lasting = f"{lasting}, {m.group(0)}"
    if interval is None:
        words = None
    text = " ".join(filter(None, (words, lasting))) or None
    return Cadence(kind=kind, interval=interval, duration=duration, single=single, text=text, flags=flags,
                   infusion=infusion, cycle=cycle)
