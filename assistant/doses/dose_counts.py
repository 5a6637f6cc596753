"""Doses a text gives a drug in a period ("two doses a day are fine", "every 2 hours"), held to the most a cited
passage allows the same drug ("maximum of one dose per 24 hours", "up to 4 times daily"): more than the passage's
most is withheld. Words in data/dose-counts.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.cadence import days
from assistant.doses.lexicon import Lexicon
from assistant.doses.negation import span_negated
from assistant.doses.numbers import NUM, fmt, number
from assistant.doses.parse import Scan
from assistant.models import DoseFinding

COUNTS_FILE = Path(__file__).parent / "data" / "dose-counts.yaml"
_PERIOD_UNIT = r"(?P<unit>hours?|hrs?|h|days?|d|weeks?|wks?|months?)"


@dataclass(frozen=True)
class _Words:
    count: re.Pattern  # a count in a period; group "most" when a most-word stands before it
    periods: dict[str, float]
    times: dict[str, float]


@dataclass(frozen=True)
class _Count:
    start: int
    end: int
    n: float
    period: float  # days
    most: bool

    @property
    def per_day(self) -> float:
        return self.n / self.period


@lru_cache(maxsize=1)
def _words() -> _Words:
    data = yaml.safe_load(COUNTS_FILE.read_text(encoding="utf-8"))
    times = {str(k).lower(): float(v) for k, v in data["times"].items()}
    periods = {str(k).lower(): float(v) for k, v in data["periods"].items()}
    most = "|".join(data["most"])
    counted = "|".join(data["counted"])
    joiners = "|".join(re.escape(j) for j in data["period_joiners"])
    word_period = "|".join(periods)
    count = (rf"(?:(?P<n>{NUM})\s+(?:{counted})|(?P<t>{'|'.join(times)}))"
             rf"\s*(?:(?:{joiners})\s*(?:(?P<pn>\d+(?:\.\d+)?)[\s-]*)?{_PERIOD_UNIT}\b|(?P<word>{word_period})\b)")
    return _Words(count=re.compile(rf"(?i)(?:(?P<most>\b(?:{most}))\s+)?(?<![\w.]){count}"), periods=periods,
                  times=times)


def counts(text: str, start: int = 0, end: int | None = None) -> list[_Count]:
    """Every count of doses in a period the text states between start and end."""
    w = _words()
    out = []
    for m in w.count.finditer(text, start, len(text) if end is None else end):
        n = w.times[m.group("t").lower()] if m.group("t") else number(m.group("n"))[0]
        if m.group("word"):
            period = w.periods[m.group("word").lower()]
        else:
            period = (float(m.group("pn")) if m.group("pn") else 1.0) * days(m.group("unit"))
        if n > 0 and period > 0:
            out.append(_Count(m.start(), m.end(), n, period, bool(m.group("most"))))
    return out


def _line(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end == -1 else end


def passage_limits(src: Scan, drug: str, lex: Lexicon | None) -> list[_Count]:
    """The most doses a passage allows the drug in a period: a most-count after the drug is named in its sentence, or
    in a table row (a line that opens with the drug's name) whose sentence names none."""
    from assistant.doses.grounding import same_drug

    out = []
    for c in counts(src.text):
        if not c.most:
            continue
        line_start = _line(src.text, c.start)[0]
        sentence_start = src.sentences[src.sentence_of(c.start)][0]
        named = [d for d in src.drugs if max(line_start, sentence_start) <= d.start < c.start] or [
            d for d in src.drugs if line_start <= d.start < c.start and not src.text[line_start:d.start].strip()][:1]
        if named and same_drug(named[-1].canonical, drug, lex):
            out.append(c)
    return out


def _drug_of(sc: Scan, pos: int, answer_drug: str | None) -> str | None:
    """The drug a count in the text is about: the last named before it (in its sentence, else in the text), else the
    answer's drug when the text names none."""
    before = [d for d in sc.drugs if d.end <= pos]
    if before:
        return before[-1].canonical
    return answer_drug if not sc.drugs else None


def _stated(sc: Scan, answer_drug: str | None) -> dict[str, list[_Count]]:
    """The counts the text states per drug (a ruled-out count, "never two doses a day", is not one); a drug whose text
    states no most of its own also counts its doses' repeats within a day ("50 mg every 2 hours": 12 a day)."""
    out: dict[str, list[_Count]] = {}
    for c in counts(sc.text):
        drug = _drug_of(sc, c.start, answer_drug)
        if drug and not span_negated(sc, c.start, c.end):
            out.setdefault(drug, []).append(c)
    for a in sc.amounts:
        t = a.cadence
        drug = _drug_of(sc, a.end, answer_drug)
        if not drug or t.kind != "dose" or t.single or t.interval is None or not 0 < t.interval[0] < 1:
            continue
        if any(c.most for c in out.get(drug, ())) or span_negated(sc, a.start, a.end):
            continue
        end = a.end + len(t.text or "")
        out.setdefault(drug, []).append(_Count(a.start, end, 1.0, t.interval[0], False))
    return out


def dose_count_findings(sc: Scan, srcs: list[Scan] | None, lex: Lexicon | None,
                        answer_drug: str | None = None) -> list[DoseFinding]:
    """A count of doses in a period above the most the cited passages allow the same drug: withheld."""
    if not srcs:
        return []
    out = []
    for drug, stated in _stated(sc, answer_drug).items():
        limits = [lim for src in srcs for lim in passage_limits(src, drug, lex)]
        if not limits:
            continue
        lim = min(limits, key=lambda c: c.per_day)
        for c in stated:
            if c.per_day <= lim.per_day * (1 + 1e-6):
                continue
            out.append(DoseFinding(
                text=sc.text[c.start:c.end], start=c.start, end=c.end, drug=drug, value=c.n, unit="dose",
                per_kg=False, frequency=f"{fmt(c.n)} per {fmt(c.period)} day(s)", verdict="out_of_range",
                message=f"{fmt(c.n)} dose(s) of {drug} in {_period_words(c.period)} is more than the cited passage's "
                        f"maximum of {fmt(lim.n)} in {_period_words(lim.period)}."))
    return out


def _period_words(period: float) -> str:
    if abs(period - 1) < 1e-9:
        return "24 hours"
    if period < 1:
        return f"{fmt(period * 24)} hours"
    return f"{fmt(period)} days"
