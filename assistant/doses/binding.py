"""What a cited passage's dose is bound to beyond its drug and value: the formulation of its table row or sentence
("Bupropion SR ...: max. dose/day 200 mg twice daily" is not the XR row's 450 mg), how its daily total is divided
("2-20 mg/day (divided bid or tid)" is not 2-20 mg once daily), the course limit a footnote of its row sets
("Ketorolac^e ...", "e Indicated for short-term use only (up to 5 days in adults)"), and the condition the guideline
holding it is about (a header "[source: <title> | <section>]" before the passage text). The cues are data
(assistant/doses/data/binding.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.cadence import days
from assistant.doses.numbers import NUM, number

BINDING_FILE = Path(__file__).parent / "data" / "binding.yaml"
# A passage may open with the reference it comes from: "[source: VA/DoD CPG for ... Osteoarthritis | Appendix F]".
_HEADER = re.compile(r"^\s*\[source:\s*(?P<head>[^\]\n]*)\]\s*\n?")


def _alternative(word: str) -> str:
    body = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", word.strip()))
    acronym = len(word) <= 5 and sum(c.isupper() for c in word) >= 2 or word.isupper() and len(word) <= 3
    return body if acronym else f"(?i:{body})"


def _group_pattern(words: list[str]) -> re.Pattern:
    alts = sorted({str(w) for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(_alternative(w) for w in alts) + r")(?![A-Za-z])")


@dataclass(frozen=True)
class _Cues:
    formulations: tuple[tuple[str, re.Pattern], ...]
    topics: tuple[tuple[str, re.Pattern], ...]
    divided_window: int
    once_allowed: re.Pattern
    counts: tuple[tuple[int, re.Pattern], ...]
    once_daily: re.Pattern
    course_limit: re.Pattern
    ages_above: tuple[re.Pattern, ...] = ()
    ages_exact: tuple[re.Pattern, ...] = ()
    age_ranges: tuple[re.Pattern, ...] = ()
    older_adult: tuple[int, str] | None = None
    no_benefit: re.Pattern | None = None
    labelled_durations: re.Pattern | None = None
    benefit_trials: tuple[re.Pattern, ...] = ()
    combined_with: re.Pattern | None = None
    exception: re.Pattern | None = None
    unchanged: re.Pattern | None = None
    sexes: tuple[tuple[str, re.Pattern, re.Pattern], ...] = ()


@lru_cache(maxsize=1)
def cues() -> _Cues:
    data = yaml.safe_load(BINDING_FILE.read_text(encoding="utf-8"))
    div = data["divided"]
    return _Cues(
        formulations=tuple((name, _group_pattern(words)) for name, words in data["formulations"].items()),
        topics=tuple((name, _group_pattern(words)) for name, words in data["topics"].items()),
        divided_window=int(div["window"]),
        once_allowed=re.compile(div["once_allowed"], re.I),
        counts=tuple((int(n), re.compile("|".join(ps), re.I)) for n, ps in div["counts"].items()),
        once_daily=re.compile(data["once_daily"]),
        course_limit=re.compile(data["course_limit"]),
        ages_above=tuple(re.compile(rf"(?i)(?<![\w.]){p}(?!\d)") for p in data["ages"]["above"]),
        ages_exact=tuple(re.compile(rf"(?i)(?<![\w.]){p}") for p in data["ages"]["exact"]),
        age_ranges=tuple(re.compile(rf"(?i)(?<![\w.]){p}") for p in data["ages"].get("ranges") or ()),
        older_adult=(int(data["ages"]["older_adult_from"]), str(data["ages"]["older_adult_circumstance"]))
        if "older_adult_from" in data["ages"] else None,
        no_benefit=re.compile(data["no_benefit"]),
        combined_with=re.compile(data["combined_with"]),
        exception=re.compile(data["exception"]),
        unchanged=re.compile(data["unchanged"]) if data.get("unchanged") else None,
        sexes=tuple((name, re.compile("|".join(e["patient"])), re.compile("|".join(e["row"])))
                    for name, e in (data.get("sexes") or {}).items()),
        labelled_durations=re.compile(r"(?i)\b(?P<label>" + "|".join(
            re.escape(w).replace(r"\ ", r"\s+") for w in sorted(data["labelled_durations"], key=len, reverse=True))
            + r")\b\s*(?::|is|of|=|lasts|should\s+last|should\s+be)?\s*(?:at\s+least\s+)?(?P<lo>" + NUM + r")(?:\s*(?:-|–|to)\s*"
            r"(?P<hi>" + NUM + r"))?\s*(?P<unit>days?|weeks?|months?)\b"),
        benefit_trials=tuple(re.compile(p.replace("{NUM}", NUM), re.I) for p in data.get("benefit_trials") or ()))


def combined_with(text: str, start: int) -> bool:
    """Whether the drug named at start is the other part of a combination product ("combination product with ...")."""
    return bool(cues().combined_with.search(text[max(0, start - 60):start]))


def named_as_exception(text: str, start: int) -> bool:
    """Whether the circumstance named at start is an exception to the dose beside it: its comma-delimited item names a
    dose adjustment or an avoidance before it ("dose adjustment in moderate renal impairment")."""
    item = re.split(r"[,;:]", text[max(0, start - 120):start])[-1]
    return bool(cues().exception.search(item))


def named_unchanged(text: str, end: int) -> bool:
    """Whether the circumstance named up to end is followed by words saying the dose does not change for it."""
    c = cues()
    return bool(c.unchanged and c.unchanged.match(text, end))


# ---- passage headers and the conditions they name -------------------------------------------------------------------
def cited_passage(text: str, title: str | None = None, section: str | None = None) -> str:
    """A passage as the dose check reads it with the reference it comes from: the header names the guideline (and
    section) holding it, so that a dose is not grounded by another condition's guideline."""
    head = " | ".join(p.replace("]", ")").replace("\n", " ") for p in (title, section) if p)
    return f"[source: {head}]\n{text}" if head else text


def split_passage(passage: str) -> tuple[str, str]:
    """(header, text) of a cited passage; the header is empty when it names no source."""
    m = _HEADER.match(passage)
    return (m.group("head"), passage[m.end():]) if m else ("", passage)


def topics(text: str) -> frozenset[str]:
    """The condition families a text names."""
    return frozenset(name for name, pattern in cues().topics if pattern.search(text or ""))


def preferred_sources(passages: list[str], text_topics: frozenset[str]) -> list[bool]:
    """Which cited passages may ground the text's doses: when some passage's guideline is about a condition the text
    names, those whose guideline is about other conditions only may not (naproxen's low back pain maximum does not
    ground a dose for osteoarthritis beside the osteoarthritis table). A passage whose header names no condition, or
    a text that names none, keeps every passage."""
    heads = [topics(split_passage(p)[0]) for p in passages]
    if not text_topics or not any(h & text_topics for h in heads):
        return [True] * len(passages)
    return [not h or bool(h & text_topics) for h in heads]


@lru_cache(maxsize=1)
def _purposes() -> tuple[tuple[str, re.Pattern], ...]:
    data = yaml.safe_load(BINDING_FILE.read_text(encoding="utf-8"))
    return tuple((name, _group_pattern(words)) for name, words in data.get("purposes", {}).items())


def purposes(text: str) -> frozenset[str]:
    """The purposes (prevention, acute treatment) a text names."""
    return frozenset(name for name, pattern in _purposes() if pattern.search(text or ""))


def purpose_sources(passages: list[str], asked: frozenset[str]) -> list[bool]:
    """Which cited passages may ground the text's doses by the purpose of their table: when the question names a
    purpose, a passage whose title (its first two lines) names other purposes only may not ("Abortive Dosing
    Information" for migraine prevention); an untitled passage may."""
    heads = [purposes("\n".join(split_passage(p)[1].lstrip().split("\n")[:2])) for p in passages]
    if not asked:
        return [True] * len(passages)
    return [not h or bool(h & asked) for h in heads]


# ---- formulations -----------------------------------------------------------------------------------------------
def formulations(text: str) -> frozenset[str]:
    return frozenset(name for name, pattern in cues().formulations if pattern.search(text))


def _row_span(text: str, start: int, end: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", end)
    return s, len(text) if e == -1 else e


def _row_head_end(text: str, row_start: int, row_end: int) -> int | None:
    """Where a table row's first cell (the drug and its product labels) ends: its first ': ' when the row is a
    rendered table row ("Bupropion SR (NDRIs): initial dose ..."), else None."""
    m = re.compile(r":\s").search(text, row_start, row_end)
    if m is None or m.start() - row_start > 120 or ";" not in text[m.end():row_end] and "\n" not in text[row_start:row_end] \
            and text[row_start:m.start()].count(" ") > 10:
        return None
    return m.start()


_LABEL_BEFORE = r"\s*:\s*$"  # "Sustained release: 80-160 mg daily": a label that opens the value after it


def passage_formulations(text: str, start: int, end: int, drug_end: int | None) -> frozenset[str]:
    """The formulations a passage amount is bound to: those its row's first cell names, a label that opens its value
    ("Immediate release: 80-160 mg/day"), one in brackets right after it ("75 mg (SR)"), or those named right after
    its drug's name in prose ("bupropion SR 150 mg")."""
    c = cues()
    after = re.match(r"\s*\(\s*([A-Za-z][\w -]{0,20})\)", text[end:end + 26])
    if after and (own := formulations(after.group(1))):
        return own
    row_start, row_end = _row_span(text, start, end)
    found: set[str] = set()
    head_end = _row_head_end(text, row_start, row_end)
    if head_end is not None and head_end < start:
        found |= formulations(text[row_start:head_end])
        between = text[head_end:start]
        labels = [(m.start(), name) for name, pattern in c.formulations for m in pattern.finditer(between)
                  if re.match(_LABEL_BEFORE, between[m.end():m.end() + 3]) or re.match(r"\s*:", between[m.end():])]
        if labels:
            found.add(max(labels)[1])
        return frozenset(found)
    if drug_end is not None and drug_end <= start:
        found |= formulations(text[drug_end:min(start, drug_end + 24)])
    return frozenset(found)


def text_formulations(text: str, sentence: tuple[int, int], start: int, end: int, drug_end: int | None) -> frozenset[str]:
    """The formulations a text names for its dose: between its drug's name (else its sentence's start) and the dose,
    or in brackets right after the dose ("450 mg (XR)")."""
    after = re.match(r"\s*\(\s*([A-Za-z][\w -]{0,20})\)", text[end:end + 26])
    if after and (own := formulations(after.group(1))):
        return own
    if drug_end is None or not sentence[0] <= drug_end <= start:
        return formulations(text[sentence[0]:start])
    # "extended-release bupropion 450 mg", "bupropion SR 150 mg": the words just before the name hold for it too.
    name_start = text.rfind(" ", sentence[0], max(sentence[0], drug_end - 1))
    before = text[max(sentence[0], name_start - 24):max(sentence[0], name_start)]
    before = re.split(r"[;,.:]", before)[-1]
    # The name's own last word with the words after it ("sumatriptan nasal" + "spray": a nasal spray).
    return formulations(before) | formulations(text[max(sentence[0], name_start):start])


def formulations_conflict(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    return bool(mine and theirs and not mine & theirs)


# ---- divided daily totals ---------------------------------------------------------------------------------------------
def divided_counts(text: str, end: int) -> frozenset[int] | None:
    """How many doses a day a passage amount's daily total is divided into ("(divided bid or tid)": {2, 3}; "in
    divided doses": {2, 3, 4}; "(daily or divided bid)": {1, 2}); None when it is not said to be divided."""
    c = cues()
    window = text[end:end + c.divided_window]
    window = re.split(r"[;\n]", window)[0]
    m = re.search(r"(?i)\bdivided\b", window)
    if m is None or re.search(r"\d\s*(?:mg|mcg|g|units?)\b", window[:m.start()], re.I):
        return None
    allowed = bool(c.once_allowed.search(window))
    tail = window[m.start():]
    paren = tail.split(")")[0]
    head = window[:m.start()]
    counts = {n for n, p in c.counts if p.search(paren) or p.search(head)} - ({1} if not allowed else set())
    if re.search(r"(?i)\b1\s*(?:-|–|to|or)\s*\d\s+divided", window):
        allowed = True
    counts = counts or {2, 3, 4}
    return frozenset(counts | ({1} if allowed else set()))


def once_daily(cadence_text: str | None, text: str, end: int) -> bool:
    """Whether a text gives its dose once a day in so many words ("2-20 mg once daily", "450 mg QD")."""
    c = cues()
    if cadence_text and c.once_daily.search(cadence_text):
        return True
    return bool(c.once_daily.match(text, end) or c.once_daily.search(text[end:end + 20].split(";")[0].split(",")[0]))


# ---- course limits of a row (its footnotes) ----------------------------------------------------------------------------
_FOOTNOTE_MARK = re.compile(r"(?<=[a-z])(?P<mark>[a-h])(?=[;:,)\s(]|$)")


def row_course_limit(text: str, start: int, drug: str | None, drug_start: int | None, drug_end: int | None) -> float | None:
    """The longest course (days) a passage allows for the drug of a dose at `start`: a limit its row (or sentence)
    states, or one a footnote states whose mark the row's drug carries ("Ketorolace" ... "e Indicated for short-term
    use only (up to 5 days in adults)"). None when neither does."""
    c = cues()
    row_start, row_end = _row_span(text, start, start)
    limits = [float(m.group(1)) * days(m.group(2)) for m in c.course_limit.finditer(text, row_start, row_end)]
    if drug_start is not None and drug_end is not None and row_start <= drug_start:
        word_end = drug_end
        while word_end < row_end and text[word_end].isalpha():
            word_end += 1  # "Ketorolace": the mark runs into the name
        mark = text[drug_end:word_end] if 0 < word_end - drug_end <= 2 else ""
        if mark and mark.isalpha() and mark.islower():
            for m in re.finditer(rf"(?m)^\s*{re.escape(mark[-1])}\s+(?P<note>[A-Z][^\n]*)", text):
                limits += [float(n.group(1)) * days(n.group(2)) for n in c.course_limit.finditer(m.group("note"))]
    return min(limits) if limits else None


# ---- what the text binds its dose to ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextBinding:
    """What a text's dose is bound to, read from the text: the formulations it names for it, whether it is given once
    a day in so many words, and the course length its sentence gives it when the dose's own words give none ("can be
    continued for up to 14 days at 10 mg every 4-6 hours")."""

    formulations: frozenset[str] = frozenset()
    once_daily: bool = False
    duration: tuple[float, float] | None = None
    daily_ceiling: float | None = None  # a daily maximum the text states beside a dose repeated within the day


def sentence_duration(text: str, sentence: tuple[int, int], own: tuple[float, float] | None,
                      others_have_duration: bool, start: int | None = None) -> tuple[float, float] | None:
    """The one course length (days, a day or more) the dose's sentence names before it ("continued for up to 14 days
    ... at 10 mg"), when the dose's own words name none and no other dose of the sentence takes it. "Over two days"
    spreads one dose, and words after the dose are its own cadence's."""
    from assistant.doses.cadence import _DURATION
    from assistant.doses.numbers import number

    if own is not None or others_have_duration:
        return own
    found = []
    for m in _DURATION.finditer(text, sentence[0], start if start is not None else sentence[1]):
        if (m.group(1) or "").lower() != "for":
            continue
        lo_raw, hi_raw, period = m.group(4), m.group(5), m.group(6)
        step = days(period)
        if step < 1:
            continue
        lo = 1.0 if lo_raw.lower() in ("a", "an") else number(lo_raw)[0]
        found.append((lo * step, (number(hi_raw)[0] if hi_raw else lo) * step))
    return found[0] if len(found) == 1 else None


# ---- ages as circumstances --------------------------------------------------------------------------------------
def age_qualifiers(part: str) -> frozenset[str]:
    """Age circumstances a stretch of text names: a threshold ("age>60" for ">60 years of age", "older than 60") or a
    patient's own age ("age=68" for "a 68-year-old")."""
    c = cues()
    found = {f"age>{int(m.group('n'))}" for p in c.ages_above for m in p.finditer(part)}
    if not found:
        found |= {f"age:{lo}-{hi}" for lo, hi in _age_ranges(part)}
    if not found:
        found |= {f"age={int(m.group('n'))}" for p in c.ages_exact for m in p.finditer(part)}
    return frozenset(found)


def _age_ranges(text: str) -> set[tuple[int, int]]:
    """The age bands with both ends a text names ("ages 4-11 years" -> (4, 11))."""
    out = set()
    for p in cues().age_ranges:
        for m in p.finditer(text):
            lo, hi = int(m.group("lo")), int(m.group("hi"))
            if lo < hi:
                out.add((lo, hi))
    return out


def passage_age_thresholds(text: str) -> frozenset[int]:
    return frozenset(int(m.group("n")) for p in cues().ages_above for m in p.finditer(text))


def passage_age_ranges(text: str) -> frozenset[tuple[int, int]]:
    return frozenset(_age_ranges(text))


def ages_met(quals: frozenset[str], thresholds: frozenset[int],
             ranges: frozenset[tuple[int, int]] = frozenset()) -> frozenset[str]:
    """A text's circumstances with its ages read against a passage's age thresholds and bands: a 68-year-old (or
    "older than 60") meets "age>60", an 8-year-old (or "ages 5-11") the band "ages 4-11 years"; an age no threshold or
    band speaks to is no circumstance of the passage's."""
    out = {q for q in quals if not q.startswith("age")}
    for q in quals:
        if q.startswith("age="):
            out |= {f"age>{n}" for n in thresholds if int(q[4:]) > n}
            out |= {f"age:{lo}-{hi}" for lo, hi in ranges if lo <= int(q[4:]) <= hi}
        elif q.startswith("age>"):
            out |= {f"age>{n}" for n in thresholds if int(q[4:]) >= n}
        elif q.startswith("age:"):
            lo, hi = (int(v) for v in q[4:].split("-"))
            out |= {f"age:{a}-{b}" for a, b in ranges if a <= lo and hi <= b}
            out |= {f"age>{n}" for n in thresholds if lo > n}
    return frozenset(out)


def no_benefit(text: str, start: int, end: int) -> bool:
    """Whether a passage's amount stands in a clause saying it brought no benefit."""
    c = cues()
    lo = max(text.rfind(ch, 0, start) for ch in ";.\n") + 1
    hi = min([i for i in (text.find(ch, end) for ch in ";\n") if i != -1] or [len(text)])
    return bool(c.no_benefit and c.no_benefit.search(text, lo, hi))


def labelled_durations(text: str) -> list[tuple[int, int, str, tuple[float, float]]]:
    """(start, end, label, days) of each length a text gives under a label ("Adequate trial: 8 – 16 weeks")."""
    out = []
    found = [(m, " ".join(m.group("label").lower().split())) for m in cues().labelled_durations.finditer(text)]
    found += [(m, "trial") for p in cues().benefit_trials for m in p.finditer(text)
              if not any(o.start() <= m.start("lo") < o.end() for o, _ in found)]
    for m, label in sorted(found, key=lambda f: f[0].start()):
        step = days(m.group("unit"))
        lo = number(m.group("lo"))[0]
        hi = number(m.group("hi"))[0] if m.group("hi") else lo
        # A trial in words of benefit is reported as its length ("two weeks"), a labelled one with its label.
        start = m.start() if "label" in m.re.groupindex else m.start("lo")
        out.append((start, m.end(), label, (lo * step, hi * step)))
    return out


def trial_kind(label: str) -> str:
    """A duration label's kind: a trial of the drug, or the length of treatment."""
    return "trial" if "trial" in label else "treatment duration"


def older_adult(quals: frozenset[str]) -> frozenset[str]:
    """The older-adult circumstance for a patient's own age at or over its threshold ("age=78"), else nothing."""
    c = cues()
    if c.older_adult is None:
        return frozenset()
    start, name = c.older_adult
    return frozenset({name}) if any(q.startswith("age=") and int(q[4:]) >= start for q in quals) else frozenset()


def patient_sex(text: str) -> str | None:
    """The one sex a text gives its patient ("a 35 yo man", "72M", "she"), else None."""
    found = {name for name, patient, _ in cues().sexes if patient.search(text or "")}
    return found.pop() if len(found) == 1 else None


def row_sexes(line: str) -> frozenset[str]:
    """The sexes a passage's row gives its drug for ("in females >18 years old"); empty when it names none."""
    return frozenset(name for name, _, row in cues().sexes if row.search(line))
