"""Lengths of time a rule gives that are not doses: how long to wait, how long before a switch ("defer live vaccines
for 11 months after Kawasaki IVIG", "at least 3 months of regular IVIG before switching"). A stated time next to a
timing rule's cue word, in a sentence with its context words, must be the rule's; elsewhere a time is not checked."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.doses.cadence import days
from assistant.doses.matching import source_text
from assistant.doses.numbers import NUM, SEP, fmt, number
from assistant.doses.parse import Scan
from assistant.doses.rules import NormRule, RuleBook
from assistant.models import DoseFinding

_TIME = re.compile(rf"(?i)(?<![\w.])(?P<lo>{NUM})(?:{SEP}(?P<hi>{NUM}))?[\s-]+(?P<unit>days?|weeks?|months?|years?)\b")
_NEAR = 60  # characters between a stated time and its cue word
_CLAUSE = re.compile(r"[;:]|,\s+(?:and|but|while|whereas)\b|\b(?:and\s+then|whereas|but)\b", re.I)


@lru_cache(maxsize=256)
def _words(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?i)(?<![\w-])(?:" + "|".join(r"[\s-]+".join(map(re.escape, w.split())) for w in words) + ")")


def _timing_rules(book: RuleBook) -> list[NormRule]:
    return [n for n in book.norm if n.family == "timing" and n.rule.timing is not None]


def timing_findings(book: RuleBook, sc: Scan) -> list[DoseFinding]:
    """A finding for every stated time a timing rule speaks for: verified when it is the rule's, else out_of_range."""
    rules = _timing_rules(book)
    if not rules:
        return []
    out: list[DoseFinding] = []
    for m in _TIME.finditer(sc.text):
        if any(a.start <= m.start() < a.end for a in sc.amounts):
            continue  # part of a dose ("0.4 g/kg/4 weeks"): the dose checks speak for it
        s_start, s_end = sc.sentences[sc.sentence_of(m.start())]
        # The clause around the time: a cue in another clause of the sentence is about another time.
        cuts = [s_start] + [c.end() + s_start for c in _CLAUSE.finditer(sc.text[s_start:s_end])] + [s_end]
        c_start = max(c for c in cuts if c <= m.start())
        c_end = min(c for c in cuts if c >= m.end())
        clause, sentence = sc.text[c_start:c_end], sc.text[s_start:s_end]
        around = sc.text[max(c_start, m.start() - _NEAR):min(c_end, m.end() + _NEAR)]
        step = days(m.group("unit"))
        lo = number(m.group("lo"))[0] * step
        hi = (number(m.group("hi"))[0] if m.group("hi") else number(m.group("lo"))[0]) * step
        for n in rules:
            cue = n.rule.timing
            if not _words(tuple(cue.near)).search(around) or not all(
                    _words(tuple(group)).search(sentence) for group in cue.context):
                continue
            if not _words(tuple(cue.near)).search(clause):
                continue
            rlo = n.lo if n.lo is not None else 0.0
            rhi = n.hi if n.hi is not None else float("inf")
            ok = lo >= rlo / 1.1 and hi <= rhi * 1.1
            base = dict(text=m.group(0), start=m.start(), end=m.end(), drug=n.rule.drug,
                        value=[number(m.group("lo"))[0], number(m.group("hi"))[0]] if m.group("hi") else
                        number(m.group("lo"))[0], unit=m.group("unit").lower().rstrip("s"), per_kg=False,
                        rule_id=n.rule.id, source=source_text(n))
            span = fmt(n.rule.min) if n.rule.min is not None and n.rule.min == n.rule.max else (
                f"{fmt(n.rule.min)}-{fmt(n.rule.max)}" if n.rule.min is not None and n.rule.max is not None
                else f"at most {fmt(n.rule.max)}" if n.rule.max is not None else f"at least {fmt(n.rule.min)}")
            unit = n.rule.unit + ("" if n.rule.max == 1 and n.rule.min in (None, 1) else "s")
            if ok:
                out.append(DoseFinding(**base, verdict="verified",
                                       message=f"{m.group(0)}: rule {n.rule.id} gives {span} {unit}."))
            else:
                out.append(DoseFinding(**base, verdict="out_of_range",
                                       message=f"{m.group(0)} is not the {span} {unit} of rule {n.rule.id} "
                                               f"({n.rule.note or n.rule.indication})."))
            break
    return out
