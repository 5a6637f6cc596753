"""Extraction grammar for doses: a deterministic scan of amounts, drugs, indications, weights and cadence.

No model is involved: every pattern is a regular expression over the text, and everything found
keeps its character span. What the grammar cannot read fully is marked with a `problem`, which the
checker turns into an `ambiguous` verdict (fail closed).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from assistant.doses.cadence import Cadence, cadence
from assistant.doses.combinations import brand_mentions, share_cadence, split_pairs
from assistant.doses.drugnames import dictionary_drugs
from assistant.doses.lexicon import Lexicon, Mention, mentions, unlisted_conditions
from assistant.doses.numbers import DECIMAL_COMMA, DIGNUM, NUM, SEP, WORDNUM, number
from assistant.doses.units import NUMERATORS, UNIT, UnitInfo, normalise_unit, unit_info

_SP = r"[ \t\u00a0\u2009\u202f]*"  # spaces, including the non-breaking and thin ones


def _amount_pattern(num: str) -> re.Pattern:
    return re.compile(  # the lookahead lets the engine skip, cheaply, every position that cannot start an amount
        rf"(?=[\d.a-zA-Z])(?:(?i:between)\s+(?P<b1>{num})(?:{_SP}(?P<bu>{UNIT}))?\s+and\s+(?P<b2>{num})"
        rf"|(?i:from)\s+(?P<f1>{num})(?:{_SP}(?P<fu>{UNIT}))?\s+(?i:to)\s+(?P<f2>{num})"
        rf"|(?P<n1>{num})(?:{_SP}(?P<u1>{UNIT}))?(?P<sep>{SEP})(?P<n2>{num})"
        rf"|(?P<n0>{num})){_SP}(?P<unit>{UNIT})(?P<tail>{_SP}/{_SP}[A-Za-z]+)?")


_AMOUNT = _amount_pattern(NUM)
# Number words are rare in answers and costly to try at every position: only texts with one pay for them.
_AMOUNT_DIGITS = _amount_pattern(DIGNUM)
_HAS_WORDNUM = re.compile(rf"(?i){WORDNUM}\s+(?:{NUMERATORS}|[-–]|to\s|and\s)")
# "the two units (mg/dL and g/L)": units of measurement counted in words, not an amount in international units.
_COUNTED = re.compile(rf"(?i)\b(?:the|these|those|both|all|its|their)\s+{WORDNUM}\s+units?$")
_CMP = re.compile(r"(?i)(<=|>=|=<|=>|≤|≥|<|>|no more than|not more than|no greater than|not greater than|no higher than"
                  r"|not higher than|no lower than|not lower than|less than|lower than|below|under|greater than|more than|higher than"
                  r"|above|over|exceeding|at least|at or above|at or below|no less than|not less than|faster than|quicker than"
                  r"|slower than|beyond|in excess of|no faster than|not faster than|no quicker than|no slower than)\s*:?\s*$")
_CMP_NAMES = {"<=": "<=", "=<": "<=", "≤": "<=", "at or below": "<=", ">=": ">=", "=>": ">=", "≥": ">=",
              "no more than": "<=", "not more than": "<=", "no greater than": "<=", "not greater than": "<=",
              "no higher than": "<=", "not higher than": "<=", "no lower than": ">=", "not lower than": ">=",
              "at least": ">=", "at or above": ">=", "no less than": ">=", "not less than": ">=", "no faster than": "<=",
              "not faster than": "<=", "no quicker than": "<=", "no slower than": ">="}
_MAX = re.compile(r"(?i)(?:\b(?:max(?:imum)?|ceiling|upper\s+limit)\b[^.;\d]{0,50}?(?:\bis|\bof|:)|\bcapped\s+at|\bcap\s+of|\bat\s+or\s+below"
                  r"|\b(?:stops?|tops?\s+out|maxes\s+out|peaks?\s+out)\s+at"
                  r"|\bkeep\w*\s+(?:the\s+)?(?:daily\s+)?(?:total|dose|rate)?\s*(?:to|at|under|below)"
                  r"|\bstay\w*\s+(?:below|under)|\bmax(?:imum)?\.?(?:\s+(?:daily|single|total|rate|dose|infusion|of|:))*"
                  r"|\bceiling(?:\s+(?:of|is|at|:))?|\blimit\s+(?:of|is)"
                  r"|\b(?:may|can|could)\s+(?:be\s+)?(?:go|gone|increas\w*|rais\w*|titrat\w*|advanc\w*)\s+(?:up\s+)?to"
                  r"|(?<!add )(?<!adds )\bup\s+to|(?:\b(?:not|never)|n['’]t)\s+(?:to\s+)?(?:exceed|go\s+(?:above|beyond|over)"
                  r"|be\s+(?:above|more\s+than|higher\s+than))|\bavoid\w*\s+(?:[\w-]+\s+){0,3}?(?:above|over|exceeding"
                  r"|beyond|more\s+than|greater\s+than|higher\s+than)|\bnot\s+to"
                  r"\s+exceed|\b(?:no|not|never)\s+more\s+than|(?:\b(?:not|never)|n['’]t)\s+(?:be\s+)?(?:give|go|use|take|run|infuse"
                  r"|let|raise|increase|push|titrate)\w*\s+(?:[\w-]+\s+){0,3}?(?:more|higher|greater|faster)\s+than"
                  r"|\bat\s+most|\b(?:do|should)\s+not\s+exceed|\bhighest\s+(?:[\w-]+\s+){0,2}dose\b[^.;\d]{0,50}?"
                  r"|\blimit(?:ed)?\s+to|\blimit(?:s|ing)?\s+(?:[\w-]+\s+){1,3}?to"
                  r"|≤|<=|<|\bless\s+than|\bbelow|\bunder"
                  r"|\bmax(?:imum)?\.?\s*(?:(?:single|daily)\s+)?(?:dose\s*)?(?:/|per\s+)\s*(?:day|24\s*h\w*))\s*:?\s*$")
# A lead-in naming what a list gives as its limits ("Daily ceilings for OTC analgesics:", "Maximum doses:"): the
# amounts after its colon are maxima, except those in parentheses (an aside: "(500 mg doses preferred)").
_CEILING_LEAD = re.compile(r"(?i)\b(?:ceilings?|maxim(?:um|a)|max(?:imum)?\s+doses?|upper\s+limits?|(?:daily|dose)\s+limits?"
                           r"|caps?)\b")


def _chain_start(text: str, sentences, k: int) -> int:
    """Where the run of ';'-joined sentences holding sentence k starts (one sentence of prose, a list of items)."""
    while k > 0 and text[sentences[k - 1][0]:sentences[k - 1][1]].rstrip().endswith(";"):
        k -= 1
    return sentences[k][0]


def _ceiling_lead(text: str, s_start: int, start: int) -> bool:
    colon = text.find(":", s_start, start)
    if colon == -1:
        return False
    lead, rest = text[s_start:colon], text[colon:start]
    return bool(_CEILING_LEAD.search(lead)) and not re.search(r"\d", lead) and rest.count("(") <= rest.count(")")


def _lead_cadence(text: str, s_start: int, start: int) -> Cadence | None:
    """The cadence a list's lead-in names for every item after its colon ("Daily ceilings: ibuprofen 3,200 mg; naproxen
    1,500 mg"), when the lead holds no amount of its own and the item is not inside parentheses."""
    colon = text.find(":", s_start, start)
    if colon == -1 or re.search(r"\d", text[s_start:colon]) or text.count("(", colon, start) > text.count(")", colon, start):
        return None
    lead = cadence("", text[s_start:colon], None)
    return lead if lead.interval is not None and lead.duration is None else None


# "each 100 mg/kg more", "per 100 mg/dL higher trough", "rises by 73 mg/dL": a step or slope, not a dose.
_STEP_BEFORE = re.compile(r"(?i)(?:\b(?:(?:per|each|every)(?:\s+(?:extra|additional|further))?|add(?:s|ed|ing)?(?:\s+(?:another|a\s+further))?|increases?\s+of|increments?\s+of|rises?\s+of|steps?\s+of"
                          r"|(?:up|down)\s+by|(?:increases?|decreases?|reductions?)\s+(?:in\s+steps\s+)?of)"
                          r"|\b(?:rais|ris|increas|fall|fell|drop|reduc|lower|decreas|adjust|titrat)\w*\s+(?:[\w/.-]+\s+)"
                          r"{0,4}?by)\s+(?:about\s+|approximately\s+|roughly\s+|around\s+|nearly\s+|~\s*)?$|(?:^|[\s(,;:])\+\s*$")
_ROUNDING = re.compile(r"(?i)\b(?:nearest\s+(?:whole\s+)?(?:multiple\s+of\s+)?|in\s+steps\s+of\s+|(?:multiples?|steps?)\s+of\s+)$")
# "IgG was 2.1 g/L", "the trough rose from 3 to 7 g/L": a patient's measured value, not a recommendation.
# The verbs are data (assistant/doses/data/levels.yaml).
_OBSERVED = re.compile(r"(?i)\b(?:" + "|".join(yaml.safe_load((Path(__file__).parent / "data" / "levels.yaml").read_text(
    encoding="utf-8"))["observed_verbs"]) + r")\s+(?:(?:from|to|at|about|only|just)\s+)*$")
# Between two amounts of one list: only the first one's cadence and "and" ("6 mg per dose and 12 mg per 24 hours").
_LIST_AND = re.compile(r"(?i)^(?:\s*(?:per|a|an|each|every|in|/)\s*[\w-]*(?:\s+hours?|\s+days?)?)?\s*(?:,\s*)?(?:and|or|,)\s*$")
# "split into two infusions of 0.5 g/kg", "given as 2 equal doses of 15 g": one part of the dose named before it.
_PART = re.compile(rf"(?i)\b(?:split|divided|given|administered|spread|separated)\s+(?:up\s+)?(?:into|in|as|over)\s+"
                   rf"(?P<n>{NUM})\s+(?:equal\s+|separate\s+|smaller\s+|divided\s+)?(?:infusions|doses|parts|portions)"
                   r"\s+of\s+(?:about\s+|approximately\s+)?$")
# "40 g on each of two consecutive days": one of that many equal parts of a dose, read right after the amount.
_PART_AFTER = re.compile(r"(?i)^\s*(?:IV\s+)?(?:on\s+)?each\s+of\s+(?:the\s+)?(?P<n>two|three|four|five|[2-5])\s+"
                         r"(?:consecutive\s+|successive\s+|separate\s+)?(?:days|infusions)\b")
_PART_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}
# The dose a titration raises to ("increasing to 25 mg once daily", "may be increased to 25 mg").
_RAISED_TO = re.compile(r"(?i)\b(?:increas|rais|titrat|uptitrat|advanc)\w*\s+(?:the\s+dose\s+)?(?:up\s+)?to\s+$")
_STEP_AFTER = re.compile(r"(?i)^\s*(?:higher|more|increase|increment|rise|greater|lower|less)\b")
_WEIGHT = re.compile(rf"(?P<n>{NUM}){_SP}[-‑]?{_SP}(?P<u>kg|kilograms?|lbs?|pounds)(?![A-Za-z/])(?!\s*per\b)")
# "x 1.37", "times 1.37", "a factor of 0.4", "the factor for Hizentra is 1.37", "multiplying by 0.6"; not "multiply by
# 60 minutes".
# "x 56" after a number ("0.4 × 56") is an operand: the factor is the number before the sign.
_FACTOR = re.compile(r"(?i)(?:\bfactor(?:\s+for\s+[\w-]+)?\s+(?:of\s+|is\s+|=\s*|:\s*)?|\bappl(?:y|ying|ied)\s+"
                     rf"(?:a\s+|the\s+)?|\bmultipl(?:y|ying|ied)\s+(?:[\w()-]+\s+){{0,5}}?by\s+|(?<![\d.]\s)(?<![\d.])[×x*]\s*)"
                     rf"(?P<a>\d*\.?\d+)(?![\d^]|[.,]\d|\s*(?:kg|g\b|mg|mL|%|weeks?|days?|minutes?|min\b|hours?|h\b|10\^))"
                     rf"|(?:[×x*]|\btimes\b)\s*(?P<c>\d*\.\d+)(?![\d^]|[.,]\d|\s*(?:kg|g\b|mg|mL|%|10\^))|(?P<b>\d*\.\d+)(?:\s*[×x*]\s*(?:\(|\d+(?![.,]\d))|\s*[×*]\s*(?=[A-Za-z])|\s+x\s+(?=[A-Za-z]))"
                     r"|(?<![\d.])(?P<d>\d*\.\d+|\d+)\s+times\s+(?:the|as\s+much)\b")
# A factor written in words ("multiplied by one point three seven", "a factor of zero point four"): a decimal only, so
# "multiply by two" (doubling a dose) stays the words it is.
_FACTOR_WORDS = re.compile(r"(?i)(?:\bfactor(?:\s+for\s+[\w-]+)?\s+(?:of\s+|is\s+|=\s*|:\s*)?|\bmultipl(?:y|ying|ied)\s+"
                           r"(?:[\w()-]+\s+){0,5}?by\s+|\btimes\s+)(?P<w>" + WORDNUM + r")")
# "multiply by 1.37 for Hizentra or by 1.30 for Cuvitru": a second factor of the same multiplication.
_FACTOR_MORE = re.compile(r"(?i)\b(?:or|and)\s+by\s+(?P<a>\d*\.?\d+)(?![\d^]|\s*(?:kg|g\b|mg|mL|%|weeks?|days?|min))")
_PERCENT = re.compile(rf"(?P<n>{DIGNUM})\s*%")
# A dash before a capital starts a new item, not before a frequency abbreviation ("1.5 g TID – QID").
_SENT_END = re.compile(r"[.!?](?=\s|$)|[;\n•]|\s[-–]\s(?=[A-Z])(?!(?:BID|TID|QID|QD|QOD|QHS)\b)")
_ABBREV = re.compile(r"(?i)(?:\b(?:e\.g|i\.e|vs|approx|dr|etc|fig|al|ca|incl|max|min|no|wk|wks|hr|hrs)|\b[A-Za-z])$")
_UNIT_ABBREV = {"min", "hr", "hrs", "wk", "wks", "max", "g", "h", "l", "d"}
_STOP = re.compile(r"(?i)\bthen\b|\bfollowed\s+by\b|\bwhereas\b|\bbut\b|\bversus\b|\bcompared\s+with\b")
# "0.5 mg/kg/min of a 10% product is 0.3 mL/kg/h": the concentration a restatement is worked at may stand between.
_AT_STRENGTH = r"(?:(?:of|for|with|using|in|at)\s+(?:an?\s+|the\s+)?\d+(?:[.,]\d+)?\s*%(?:\s+[A-Za-z]+){0,2}?\s*,?\s*)?"
_COMPANION = re.compile(r"(?i)^\s*" + _AT_STRENGTH + r"(?:\(\s*(?:i\.e\.,?|that\s+is,?|=|≈|~|about|approximately|approx\.|or|equivalent\s+to"
                        r"|equal\s+to)?\s*|[=≈]\s*|(?:,|\s[-–—])?\s*(?:i\.e\.,?|that\s+is,?|that['’]s|which\s+is|(?:is\s+)?equivalent\s+to|(?:is\s+)?equal\s+to"
                        r"|equals|or\s+about|or\s+approximately|(?:is\s+)?(?:the\s+)?same\s+as|corresponds?\s+to"
                        r"|corresponding\s+to|converts?\s+to|is)\s*(?:about|approximately)?\s*"
                        # "below 2 mg/kg/min, i.e. under 1.2 mL/kg/h": a limit restated keeps its limit word
                        r"(?:(?:under|below|less\s+than|at\s+most|up\s+to|no\s+more\s+than)\s*)?"
                        r"|\s+(?:every|each|per|q)\s[^()]{1,20}?\s*\(\s*)$")


# After an amount in parentheses: the circumstance it is the dose for ("(20 mg in older adults)", "(5 mg with propranolol)").
# A weight there ("(28 g for a 70 kg adult)") makes it the same dose for this patient, a restatement.
# So does an amount its parenthesis gives a judgement of its own ("(500 mg doses preferred over bigger ones)").
OWN_CIRCUMSTANCE = re.compile(r"(?i)(?:[^()\d]{0,12}?\b(?:in|for|with|if|when|on|during|while|after|before)\b"
                               r"(?![^()]*\d\s*(?:kg|lbs?|pounds)\b)(?![^()]*\b(?:this|the|a|an)\s+patient)"
                               r"|\s*(?:doses?|tablets?|capsules?)\s+(?:(?:are|is|being)\s+)?(?:preferred|advised|"
                               r"recommended|favou?red)\b)[^()]*\)")


# "28 g, or 280 mL of a 10% product": a bare "or" between an amount and a volume of it (or the mass of a volume) is the
# same dose in another form. Between amounts of one kind "or" is an alternative ("28 g or 30 g"), not a restatement.
# The dose's cadence may stand between ("28 g every 4 weeks, or 280 mL").
_OTHER_FORM = re.compile(r"(?i)^\s*" + _AT_STRENGTH + r"(?:(?:every|each|per|a|once\s+(?:a|every))\s+(?:\d+\s+)?[a-z]+|weekly|daily|monthly)?"
                         r"\s*,?\s*or\s+(?:about\s+|approximately\s+)?$")
_FORMS = {"mass", "volume"}


def _other_form(gap: str, prev: Amount, a: Amount) -> bool:
    return bool(prev.info and a.info and {prev.info.dim, a.info.dim} == _FORMS and _OTHER_FORM.match(gap))


# Words that restate a dose in another form, which may be over another period ("i.e. 7 g a week").
_RESTATE = re.compile(r"(?i)\bi\.e\.|\bthat\s+is\b|\bwhich\s+is\b|\bor\b|\bequivalent\b|\bcorrespond|\bequals\b|=|≈")


@dataclass(frozen=True)
class Amount:
    """A number (or range) with a dose unit, as written, with its cadence and notation flags."""

    start: int
    end: int
    text: str
    low: float
    high: float
    is_range: bool
    unit: str
    info: UnitInfo | None
    comparator: str | None = None
    is_max: bool = False
    flags: tuple[str, ...] = ()
    problem: str | None = None
    decimals: int = 0
    cadence: Cadence = field(default_factory=Cadence)
    head: int | None = None
    sentence: int = 0
    step: bool = False
    observed: bool = False
    parts: int | None = None  # "split into two infusions of 0.5 g/kg": one of this many equal parts of a dose
    component: str | None = None  # "phentermine/topiramate 3.75/23 mg": the component this strength is the dose of
    pair_end: int | None = None  # the first strength of a pair: where the pair's second strength ends
    raised_to: bool = False  # the dose a titration raises to ("increasing to 25 mg", "may increase to 25 mg")

    @property
    def canon(self) -> tuple[float, float]:
        """(low, high) in the canonical unit of the amount's dimension."""
        f = self.info.factor if self.info else 1.0
        return self.low * f, self.high * f


@dataclass(frozen=True)
class Weight:
    """A patient body weight stated in the text, in kg, and which weight it is (ideal, adjusted, actual)."""

    start: int
    end: int
    kg: float
    kind: str
    sentence: int


@dataclass(frozen=True)
class Scan:
    """Everything the grammar found in one text."""

    text: str
    sentences: tuple[tuple[int, int], ...]
    amounts: tuple[Amount, ...]
    drugs: tuple[Mention, ...]
    indications: tuple[Mention, ...]
    routes: tuple[Mention, ...]
    ages: tuple[Mention, ...]
    weights: tuple[Weight, ...]
    factors: tuple[tuple[int, int, float], ...]
    percents: tuple[tuple[int, int, float], ...]
    conditions: tuple[Mention, ...] = ()  # diseases named by their form that the vocabulary does not list

    def sentence_of(self, pos: int) -> int:
        """Index of the sentence holding character pos."""
        return _sentence_index(self.sentences, pos)

    def in_sentence(self, items, i: int) -> list:
        """The items (with .start) that fall in sentence i."""
        s, e = self.sentences[i]
        return [m for m in items if s <= m.start < e]

    def chain_span(self, k: int) -> tuple[int, int]:
        """The run of sentences joined by ';' or ':' that holds sentence k (one sentence of prose, as a reader sees it)."""
        first = last = k
        while first > 0 and self.text[slice(*self.sentences[first - 1])].rstrip().endswith((";", ":")):
            first -= 1
        while last + 1 < len(self.sentences) and self.text[slice(*self.sentences[last])].rstrip().endswith((";", ":")):
            last += 1
        return self.sentences[first][0], self.sentences[last][1]


def _sentence_index(sentences: tuple[tuple[int, int], ...], pos: int) -> int:
    return min(bisect_right([start for start, _ in sentences], pos) - 1, len(sentences) - 1)


def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        if m.group(0) == "." and (ab := _ABBREV.search(text[max(0, m.start() - 8):m.start()])) and not (
                ab.group(0).lower() in _UNIT_ABBREV and re.match(r"\s+[A-Z]", text[m.end():m.end() + 3])):
            continue  # "e.g. IVIG" runs on; "8 mg/kg/min. Patients" ends a sentence
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text) + 1))
    return tuple(spans)


_PERIOD_WORDS = {"daily": "day", "weekly": "week", "monthly": "month"}


def _amount(m: re.Match, text: str) -> Amount:
    g = m.groupdict()
    raw_lo = g["b1"] or g["f1"] or g["n1"] or g["n0"]
    raw_hi = g["b2"] or g["f2"] or g["n2"] or raw_lo
    (lo, p1), (hi, p2) = number(raw_lo), number(raw_hi)
    unit, flags = normalise_unit(g["unit"])
    tail = g["tail"]
    if tail and (period := _PERIOD_WORDS.get(tail.strip(" /").lower())) and "/" not in unit.replace("/kg", ""):
        unit, tail = f"{unit}/{period}", None  # "25-50 mg/daily" in a dosage table: per day
    info = unit_info(unit)
    problem = p1 or p2
    first_unit = g["bu"] or g["fu"] or g["u1"]
    if first_unit:
        # "400 mg/kg to 0.6 g/kg": the low end is in its own unit
        u_lo, _ = normalise_unit(first_unit)
        i_lo = unit_info(u_lo)
        if i_lo is None or info is None or i_lo.dim != info.dim:
            problem = problem or f"the two ends of {m.group(0)!r} are in different kinds of unit"
        else:
            lo = lo * i_lo.factor / info.factor
    if info is None:
        problem = problem or f"unit {unit!r} is not one the checker knows"
    pair = tail and re.match(rf"{_SP}{DIGNUM}", text[m.end():])  # "ergotamine 1 mg/caffeine 100 mg"
    if tail and not pair and not dictionary_drugs(tail.strip(" /")):  # "naltrexone 16 mg/bupropion 180 mg": a pair
        problem = problem or f"unrecognised unit part {tail.strip()!r}"
    if lo > hi:
        problem = problem or f"range {m.group(0)!r} runs backwards"
    for raw in {raw_lo, raw_hi}:
        if re.fullmatch(r"\d+\.\d*0", raw.strip()):
            flags += ("trailing_zero",)
        if raw.strip().startswith("."):
            flags += ("naked_decimal",)
    points = [r.strip().replace(",", ".") if re.fullmatch(DECIMAL_COMMA, r.strip()) else r for r in (raw_lo, raw_hi)]
    decimals = max(len(r.split(".")[1]) if "." in r else 0 for r in points)
    return Amount(start=m.start(), end=m.end() - len(tail or ""), text=m.group(0).rstrip(), low=lo, high=hi,
                  is_range=raw_hi is not raw_lo, unit=unit, info=info, flags=tuple(dict.fromkeys(flags)),
                  problem=problem, decimals=decimals)


def _groups(text: str, amounts: list[Amount], sentences) -> list[Amount]:
    """Link companions ("0.4 g/kg (400 mg/kg)") to their head and read each head's cadence."""
    out: list[Amount] = []
    for i, a in enumerate(amounts):
        sent = _sentence_index(sentences, a.start)
        head = None
        if out and out[-1].sentence == sent and (_COMPANION.match(text[out[-1].end:a.start]) or _other_form(
                text[out[-1].end:a.start], out[-1], a)) and not _ROUNDING.search(
                text[max(0, out[-1].start - 40):out[-1].start]) and not (  # "rounded to the nearest 5 g = 30 g": not 5 g
                text[out[-1].end:a.start].strip().endswith("(") and OWN_CIRCUMSTANCE.match(text, a.end)):
            # "up to 40 mg/day (20 mg in older adults)": a dose of its own for another circumstance, not a restatement
            head = out[-1].head if out[-1].head is not None else i - 1
        out.append(replace(a, head=head, sentence=sent))
    for i, a in enumerate(out):
        if a.head is not None:
            continue
        s_start, s_end = sentences[a.sentence]
        j = i + 1
        while j < len(out) and out[j].head == i:
            j += 1
        group_end = out[j - 1].end
        if j > i + 1 and (close := text.find(")", group_end, s_end)) != -1 and "(" not in text[group_end:close]:
            group_end = close + 1
        # Cadence words belong to an amount only when close to it ("0.4 g/kg (adjusted weight) every 4 weeks").
        stop = min(out[j].start if j < len(out) and out[j].sentence == a.sentence else s_end, s_end, group_end + 50)
        far = min(out[j].start if j < len(out) and out[j].sentence == a.sentence else s_end, s_end, group_end + 90)
        # Words only, no number, between the dose and a frequency past the window ("75 mg orally disintegrating tablet,
        # taken three times daily"): the frequency is still this dose's, however long the formulation's name.
        wide = text[group_end:far] if far > stop and j == i + 1 and not re.search(r"\d", text[group_end:far]) else None
        if wide and (m := _STOP.search(wide)):
            wide = wide[:m.start()]
        after = text[group_end:stop]
        # A companion that restates the dose with cadence words of its own ("28 g, i.e. 7 g a week", "0.5 g/kg per day
        # (2 g/kg total)") keeps them: the group's words are not the head's.
        own: dict[int, Cadence] = {}
        for k in range(i + 1, j):
            end_k = out[k + 1].start if k + 1 < j else (group_end if group_end > out[j - 1].end else stop)
            mine = cadence(text[out[k].end:end_k], "", out[k].info.per if out[k].info else None)
            if not mine.bare and (group_end > out[j - 1].end or _RESTATE.search(text[out[k - 1].end:out[k].start])):
                own[k] = mine
        if j > i + 1:
            between = text[a.end:out[i + 1].start]
            after = between + " " + ("" if (j - 1) in own and group_end == out[j - 1].end else after)
        if m := _STOP.search(after):
            after = after[:m.start()]
        prev_end = out[i - 1].end if i and out[i - 1].sentence == a.sentence else s_start
        if i and out[i - 1].sentence == a.sentence and (words := out[i - 1].cadence.text) and \
                0 <= (at := text.find(words, prev_end, a.start)) <= prev_end + 3 and \
                re.search(r"[,;:]", text[at + len(words):a.start]):
            # "0.4 g/kg daily for 5 days, ... a single 2 g/kg": the earlier dose's words are not this dose's (a
            # restatement in the same clause, "0.4 g/kg every 4 weeks is 28 g", shares them).
            prev_end = at + len(words)
        before = text[max(prev_end, a.start - 60):a.start]
        if m := list(_STOP.finditer(before)):
            before = before[m[-1].end():]
        titrated = i and out[i - 1].sentence == a.sentence and out[i - 1].step
        if titrated:
            before = ""  # "raise by 0.6 mg each week to 3 mg": the words after a step are its pace, not this dose's
        cad = cadence(after, before, a.info.per if a.info else None)
        if cad.interval is None and wide and (far_cad := cadence(wide, "", None)).interval is not None:
            cad = replace(cad, interval=far_cad.interval, flags=cad.flags + far_cad.flags,
                          text=" ".join(filter(None, (far_cad.text, cad.text))))
        if titrated and cad.interval is None and (regimen := next(
                (o for o in out[:i] if o.sentence == a.sentence and not o.step and o.head is None
                 and o.cadence.interval), None)):
            cad = replace(cad, interval=regimen.cadence.interval)  # the dose titrated to keeps the regimen's repeat
        if titrated and cad.interval is None and (named := cadence("", text[s_start:out[i - 1].start], None).interval):
            cad = replace(cad, interval=named)  # "increase the daily dose by 0.6 mg per week to 3 mg": 3 mg daily
        if cad.bare and a.info is not None and not a.info.per and (lead := _lead_cadence(
                text, _chain_start(text, sentences, a.sentence), a.start)) is not None:
            cad = replace(cad, interval=lead.interval, text=lead.text)  # "Daily ceilings: A 3,200 mg; B 1,500 mg"
        pre = text[max(s_start, a.start - 40):a.start]
        cmp_m = _CMP.search(pre)
        comparator, floor = None, False
        if cmp_m:
            word = cmp_m.group(1).lower()
            comparator = _CMP_NAMES.get(word, "<" if word in ("<", "less than", "lower than", "below", "under",
                                                              "slower than")
                                        else ">")
            if word.isalpha() or " " in word or re.search(r"(?i)\bavoid\w*\s+(?:[\w-]+\s+){0,3}?$", pre[:cmp_m.start()]):
                # "never give more than 4 g", "do not reduce the rate below 0.5": the negation turns the bound round.
                if re.search(r"(?i)(?:\b(?:not|never|avoid\w*)|n['’]t)\s+(?:[\w-]+\s+){0,4}?$", pre[:cmp_m.start()]) \
                        and not word.startswith(("no ", "not ")):
                    comparator = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}[comparator]
                    floor = comparator in (">", ">=")
        is_max = bool(_MAX.search(text[max(s_start, a.start - 64):a.start])) or bool(re.match(r"(?i)\s*\(?\s*(?:(?:daily|total)\s+)?(?:max(?:imum)?|limit|ceiling)\b"
                                                          r"(?![.\s]*(?:(?:daily|dose|of|is|:)\s*)*[\d.]*\d)",
                                                          text[group_end:s_end]))
        if not is_max and _ceiling_lead(text, _chain_start(text, sentences, a.sentence), a.start):
            is_max = True  # "Daily ceilings: ibuprofen 3,200 mg; naproxen 1,500 mg": each item is a maximum
        if floor or comparator in (">", ">="):
            is_max = False  # "should not be less than 3 g", "no less than 0.2 g/kg": a floor, not a ceiling
        if _ROUNDING.search(pre):
            a = replace(a, flags=a.flags + ("rounding",))  # "round to the nearest 5 g": a granularity, not a dose
        step = bool(_STEP_BEFORE.search(pre)) or bool(_STEP_AFTER.match(text[a.end:a.end + 20]))
        observed = comparator is None and bool(_OBSERVED.search(pre))
        part = _PART.search(text[max(s_start, a.start - 70):a.start])
        parts = int(number(part.group("n"))[0]) if part and number(part.group("n"))[0] >= 2 else None
        if parts is None and (after_part := _PART_AFTER.match(text[a.end:a.end + 60])):
            n = after_part.group("n").lower()
            parts = _PART_WORDS.get(n) or int(n)
        prev = next((o for o in reversed(out[:i]) if o.sentence == a.sentence and o.head is None), None)
        if prev is not None and (prev.info is None or a.info is None or prev.info.dim != a.info.dim):
            prev = None  # "CrCl <30 ml/min, 7.5-15 mg once daily": a threshold's bound is not a list of maxima
        if not is_max and prev is not None and prev.is_max and _LIST_AND.match(text[prev.end:a.start]):
            is_max = True  # "maximum 6 mg per dose and 12 mg per 24 hours": both are maxima
        if cad.bare and a.info is not None and not a.info.per and prev is not None and prev.cadence.interval \
                and prev.cadence.text and prev.cadence.duration is None and _LIST_AND.match(text[prev.end:a.start]) \
                and prev.cadence.text in text[s_start:prev.start]:
            # "The maximum daily dose for ibuprofen is 3,200 mg and 1,000-1,500 mg for naproxen": the cadence named
            # before a list of amounts is every item's.
            cad = replace(cad, interval=prev.cadence.interval, text=prev.cadence.text)
        raised_to = comparator is None and not step and bool(_RAISED_TO.search(text[max(s_start, a.start - 40):a.start]))
        out[i] = replace(a, cadence=cad, comparator=comparator, is_max=is_max, step=step, observed=observed,
                         parts=parts, raised_to=raised_to)
        for k in range(i + 1, j):
            out[k] = replace(out[k], cadence=own.get(k, cad), comparator=out[k].comparator or comparator,
                             is_max=is_max)
    return out


_WEIGHT_KINDS = (("ideal", r"ideal|\bibw"), ("adjusted", r"adjusted|dosing weight|\babw"),
                 ("actual", r"actual|total body|\btbw"))


def _weights(text: str, free, sentences) -> tuple[Weight, ...]:
    """Body weights stated in the text ("70 kg", "154 lb"), with which weight each is."""
    weights = []
    for m in _WEIGHT.finditer(text):
        if not free(m.start(), m.end()) or re.search(r"(?:/|\bper)\s*$", text[max(0, m.start() - 5):m.start()]):
            continue
        kg = number(m.group("n"))[0] * (0.45359237 if m.group("u").lower().startswith(("lb", "p")) else 1.0)
        pre = text[max(0, m.start() - 30):m.start()].lower()
        post = text[m.end():m.end() + 25].lower()
        # The kind named nearest before the weight ("IBW 70 kg, actual 130 kg": 130 kg is actual), else right after it.
        # A weight that is an operand ("is 60 kg plus 0.4 x ...") takes the first kind named around it, ideal first.
        named = [(k.end(), name) for name, pat in _WEIGHT_KINDS for k in re.finditer(pat, pre)]
        if re.match(r"(?i)\s*(?:\+|plus|minus|[-−–×x*])\s", post):
            kind = next((name for name, pat in _WEIGHT_KINDS[:2] if re.search(pat, pre + post)),
                        "actual" if re.search(_WEIGHT_KINDS[2][1], pre) else "plain")
        else:
            kind = max(named)[1] if named else next((name for name, pat in _WEIGHT_KINDS[:2] if re.search(pat, post)),
                                                    "plain")
        s_start = sentences[_sentence_index(sentences, m.start())][0]
        if kind == "plain" and re.search(r"(?:[=≈]|\bwhich\s+is|\bgives)\s*(?:about\s+)?$", pre) and re.search(
                r"(?i)adjusted|dosing\s+(?:body\s+)?w(?:eigh)?t", text[s_start:m.start()]):
            kind = "adjusted"  # "adjusted weight = 130 − 0.4 × (130 − 70) = 106 kg": the result is the adjusted weight
        weights.append(Weight(m.start(), m.end(), kg, kind, _sentence_index(sentences, m.start())))
    return tuple(weights)


def _amounts(text: str, pattern: re.Pattern) -> list[Amount]:
    """Every amount, left to right; '8 mg/kg/min to 4.8 mL/kg/h' is two amounts, not a range."""
    out, pos = [], 0
    while m := pattern.search(text, pos):
        pos = m.end()
        if _COUNTED.search(text, max(0, m.start() - 8), m.end()):
            continue
        if m.group("u1") and (first := unit_info(normalise_unit(m.group("u1"))[0])) is not None and (
                last := unit_info(normalise_unit(m.group("unit"))[0])) is not None and first.dim != last.dim:
            if head := pattern.match(text, m.start(), m.start("sep")):
                out.append(_amount(head, text))
            pos = m.start("n2")
            continue
        amount = _amount(m, text)
        out.extend(_alternatives(text, amount, out[-1].end if out else 0))
        out.append(amount)
    return out


# "5 or 10 mg at onset", "5, 10, or 20 mg": bare numbers listed as alternatives before an amount share its unit.
_ALTERNATIVES = re.compile(rf"(?<![\w.,/])((?:{DIGNUM}\s*,\s*)*{DIGNUM})\s*,?\s+or\s+$")


def _alternatives(text: str, a: Amount, floor: int) -> list[Amount]:
    """The amounts a list of bare numbers right before an amount names in its unit ("5 or 10 mg": 5 mg too)."""
    if a.is_range or a.problem or a.info is None:
        return []
    m = _ALTERNATIVES.search(text, max(floor, a.start - 40), a.start)
    if m is None:
        return []
    out = []
    for n in re.finditer(DIGNUM, m.group(1)):
        value, problem = number(n.group(0))
        if problem or value <= 0:
            return []
        start = m.start(1) + n.start()
        raw = n.group(0).replace(",", ".") if re.fullmatch(DECIMAL_COMMA, n.group(0)) else n.group(0)
        out.append(replace(a, start=start, end=start + len(n.group(0)), text=n.group(0), low=value, high=value,
                           decimals=len(raw.split(".")[1]) if "." in raw else 0,
                           flags=tuple(f for f in a.flags if f not in ("trailing_zero", "naked_decimal"))))
    return out


def _combinations(text: str, drugs: tuple[Mention, ...], own: set[str]) -> tuple[Mention, ...]:
    """Two drugs written with a slash ("buprenorphine/naloxone", "phentermine / topiramate ER") are one combination
    product, named as the dictionary names one ("buprenorphine/naloxone" for Suboxone)."""
    out: list[Mention] = []
    for d in drugs:
        prev = out[-1] if out else None
        if prev is not None and re.fullmatch(r"\s*/\s*", text[prev.end:d.start]) and prev.canonical != d.canonical \
                and prev.canonical not in own and d.canonical not in own:
            out[-1] = Mention(f"{prev.canonical}/{d.canonical}", prev.start, d.end, text[prev.start:d.end])
        else:
            out.append(d)
    return tuple(out)


# "160 g total (2 g/kg)", "2 g/kg in total (160 g)": a parenthesis right after a course total restates it.
_RESTATED = re.compile(r"(?i)\s*(?:in\s+total|total|in\s+all|per\s+course)?\s*[(\[]\s*(?:i\.e\.,?\s*|=\s*)?")


def _restated_courses(text: str, amounts: list[Amount]) -> list[Amount]:
    """An amount with no cadence of its own in a parenthesis right after a course total, in the same dimension or its
    per-kg form, is that course total restated."""
    out = list(amounts)
    for k in range(1, len(out)):
        prev, a = out[k - 1], out[k]
        if prev.cadence.kind != "course" or not a.cadence.bare or a.info is None or prev.info is None \
                or a.info.dim.replace("/bw", "") != prev.info.dim.replace("/bw", "") \
                or not _RESTATED.fullmatch(text[prev.end:a.start]):
            continue
        out[k] = replace(a, cadence=replace(a.cadence, kind="course"))
    return out


def scan(text: str, lex: Lexicon) -> Scan:
    """Run the whole grammar over one text."""
    sentences = _sentences(text)
    pattern = _AMOUNT if _HAS_WORDNUM.search(text) else _AMOUNT_DIGITS
    amounts = _amounts(text, pattern)
    named = mentions(text, lex)
    # The dictionary names any other drug; the vocabulary's own words (a drug, or an indication such as
    # "after rituximab") take precedence where they overlap.
    own = named.drugs + named.indications
    drugs = tuple(sorted(named.drugs + tuple(d for d in dictionary_drugs(text)
                                             if not any(d.start < o.end and o.start < d.end for o in own)),
                         key=lambda m: m.start))
    drugs = _combinations(text, drugs, {m.canonical for m in named.drugs})
    if brands := [b for b in brand_mentions(text) if not any(b.start < d.end and d.start < b.end for d in drugs)]:
        drugs = tuple(sorted(drugs + tuple(brands), key=lambda m: m.start))  # "Qsymia": a combination the data names
    amounts = split_pairs(text, amounts, drugs, lambda pos: _chain_start(text, sentences, _sentence_index(sentences, pos)))
    for k, a in enumerate(amounts):
        if any(d.end == a.start for d in drugs):  # "IVIG400mg/kg": ISMP drug name and dose run together
            amounts[k] = replace(a, flags=a.flags + ("run_together",))
    amounts = _restated_courses(text, share_cadence(_groups(text, amounts, sentences)))
    taken = [(a.start, a.end) for a in amounts]

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    def number_group(m: re.Match) -> str:
        return next(g for g in ("a", "b", "c", "d") if g in m.re.groupindex and m.group(g))

    # The factor's own number must be free (not part of an amount); the words before it may hold one
    # ("multiply the whole 30 g by 1.37").
    found = [m for m in _FACTOR.finditer(text) if free(m.start(number_group(m)), m.end(number_group(m)))]
    found += [m for m in _FACTOR_MORE.finditer(text) if free(m.start("a"), m.end("a")) and re.search(
        r"(?i)multipl", text[sentences[_sentence_index(sentences, m.start())][0]:m.start()])]
    worded = [m for m in _FACTOR_WORDS.finditer(text) if " point " in f" {m.group('w').lower()} "
              and free(m.start("w"), m.end("w"))]
    factors = tuple(sorted([(m.start(), m.end(), float(m.group(number_group(m)))) for m in found]
                           + [(m.start(), m.end(), number(m.group("w"))[0]) for m in worded]))
    percents = tuple((m.start(), m.end(), number(m.group("n"))[0]) for m in _PERCENT.finditer(text))
    return Scan(text=text, sentences=sentences, amounts=tuple(amounts), drugs=drugs,
                indications=named.indications, routes=named.routes, ages=named.ages,
                weights=_weights(text, free, sentences), factors=factors, percents=percents,
                conditions=unlisted_conditions(text, lex, named.indications + drugs))
