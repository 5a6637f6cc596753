"""Extraction grammar for doses: a deterministic scan of amounts, drugs, indications, weights and cadence.

No model is involved: every pattern is a regular expression over the text, and everything found
keeps its character span. What the grammar cannot read fully is marked with a `problem`, which the
checker turns into an `ambiguous` verdict (fail closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.doses.schema import Vocabulary
from assistant.doses.units import UnitInfo, unit_info

# ---- numbers -------------------------------------------------------------------------------
_ONES = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_VALUES = {w: i + 1 for i, w in enumerate(_ONES)} | {w: i + 10 for i, w in enumerate(_TEENS)}
WORD_VALUES |= {w: (i + 2) * 10 for i, w in enumerate(_TENS)} | {"zero": 0}
_SMALL = rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_ONES)}))?|{'|'.join(_TEENS + _ONES)}|zero)"
_WORDNUM = rf"(?<![A-Za-z-]){_SMALL}(?:\s+hundred(?:\s+(?:and\s+)?{_SMALL})?)?(?:\s+and\s+a\s+half)?(?![A-Za-z])"
_DIGNUM = r"(?<![\d.])(?:\d+,\d{1,2}(?![\d,])|(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
NUM = rf"(?:{_DIGNUM}|{_WORDNUM})"
SEP = r"(?:\s*[-–—−‑‒]\s*|\s+(?:to|through)\s+)"
_SP = r"[ \t\u00a0\u2009\u202f]*"


def number(raw: str) -> tuple[float, str | None]:
    """Value of a number written in digits or words, and a problem if it is not plainly readable."""
    raw = raw.strip().lower()
    if re.fullmatch(r"\d+,\d{1,2}", raw):
        return float(raw.replace(",", ".")), f"decimal comma in {raw!r}"
    if raw[:1].isdigit() or raw[:1] == ".":
        return float(raw.replace(",", "")), None
    total, half = 0.0, raw.endswith("and a half")
    for part in re.split(r"[\s-]+", raw.replace("and a half", "")):
        if part == "hundred":
            total = (total or 1) * 100
        elif part in WORD_VALUES:
            total += WORD_VALUES[part]
    return total + (0.5 if half else 0), None


# ---- units ---------------------------------------------------------------------------------
_NUMER = {
    "mass": r"milligrams?|micrograms?|grams?|mcg|mg|µg|μg|ug|gm|g",
    "volume": r"millilit(?:er|re)s?|decilit(?:er|re)s?|lit(?:er|re)s?|mL|ml|cc|dL|dl|L",
    "iu": r"international\s+units?|IU|units?|U",
}
_DENOM = (r"kilograms?|kg(?:\s+(?:of\s+)?(?:(?:ideal|adjusted|actual|lean)\s+)?body\s*weight|\s+bw\b)?|m2|m²|m\^2"
          r"|decilit(?:er|re)|dL|dl|lit(?:er|re)|millilit(?:er|re)|mL|ml|L|minutes?|min|hours?|hrs?|h"
          r"|days?|d|weeks?|wk|dose|infusion|course|months?|mo")
UNIT = rf"(?:{'|'.join(_NUMER.values())})(?![A-Za-z])(?:(?:\s*/\s*|\s+per\s+)(?:{_DENOM})(?![A-Za-z²]))*"
_NORM = [(r"milligrams?|mg", "mg"), (r"micrograms?|mcg|µg|μg|ug", "mcg"), (r"grams?|gm|g", "g"),
         (r"millilit(?:er|re)s?|mL|ml|cc", "mL"), (r"decilit(?:er|re)s?|dL|dl", "dL"), (r"lit(?:er|re)s?|L", "L"),
         (r"international\s+units?|IU|units?|U", "IU"), (r"kilograms?|kg.*", "kg"), (r"m2|m²|m\^2", "m2"),
         (r"minutes?|min", "min"), (r"hours?|hrs?|h", "h"), (r"days?|d", "day"), (r"weeks?|wk", "week"),
         (r"months?|mo", "month"), (r"dose|infusion", "dose"), (r"course", "course")]
_NORM_RE = [(re.compile(rf"(?:{p})$", re.I if n not in ("mL", "L", "dL") else 0), n) for p, n in _NORM]


def normalise_unit(raw: str) -> tuple[str, tuple[str, ...]]:
    """Spelling of a written unit as the checker reports it ('mg/kg/day') and the ISMP flags it raises."""
    parts = [p.strip() for p in re.split(r"\s*/\s*|\s+per\s+", raw.strip())]
    out, flags = [], []
    for part in parts:
        if part in ("U", "u"):
            flags.append("U")
        elif part == "IU":
            flags.append("IU")
        elif part == "ug":
            flags.append("ug")
        elif part in ("µg", "μg"):
            flags.append("µg")
        elif part.lower() == "cc":
            flags.append("cc")
        out.append(next((n for p, n in _NORM_RE if p.match(part)), part))
    return "/".join(out), tuple(flags)


# ---- lexicon (vocabulary compiled to patterns) ----------------------------------------------
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


@dataclass(frozen=True, eq=False)  # hashed by identity: it is a key of the scan cache, built once per rulebook
class Lexicon:
    """Per kind (drugs, indications): (canonical, lowercased synonym, pattern) for every synonym."""

    drugs: dict[str, tuple[tuple[str, re.Pattern], ...]]
    indications: dict[str, tuple[tuple[str, re.Pattern], ...]]


_TOKEN = re.compile(r"[a-z]+|[0-9]+")


def lexicon(vocabulary: Vocabulary) -> Lexicon:
    """Compile a vocabulary (the RuleBook keeps the result, so this runs once per rule directory)."""
    def build(entries):
        # Indexed by first word, so a text only tries the synonyms whose first word it contains.
        index: dict[str, list] = {}
        for e in entries:
            for w in {e.canonical.replace("_", " "), *e.synonyms}:
                first = _TOKEN.findall(w.lower())[0]
                pattern = re.compile(rf"{_synonym_alternative(w)}(?![A-Za-z])")
                index.setdefault(first, []).append((e.canonical, pattern))
        return {k: tuple(v) for k, v in index.items()}
    return Lexicon(drugs=build(vocabulary.drugs), indications=build(vocabulary.indications))


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
_AGES = re.compile(r"(?i)\b(?:(child(?:ren)?|pediatric|paediatric|infants?|adolescents?|toddlers?)|(adults?)"
                   r"|(neonates?|newborns?|neonatal))\b")

# ---- cadence -----------------------------------------------------------------------------------
_DAYS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30.4375, "y": 365.25}


def _days(unit: str) -> float:
    unit = unit.lower()
    return _DAYS["m" if unit.startswith("mo") else ("h" if unit.startswith("h") else unit[0])]


@dataclass(frozen=True)
class Cadence:
    """How a dose repeats: per dose or per course, the interval and the duration, in days."""

    kind: str = "dose"
    interval: tuple[float, float] | None = None
    duration: tuple[float, float] | None = None
    single: bool = False
    text: str | None = None
    flags: tuple[str, ...] = ()


_EVERY = re.compile(rf"(?i)\b(?:every|each)\s+(?:(other)\s+|({NUM})(?:{SEP}({NUM}))?\s+)?"
                    r"(hours?|hrs?|h|days?|weeks?|wks?|months?)\b")
_Q = re.compile(r"(?i)(?<![A-Za-z])q\.?\s?(\d+(?:\.\d+)?)(?:\s*[-–]\s*(\d+))?\s*(hours?|hrs?|h|days?|d|weeks?|wks?|w|"
                r"months?|mo)\b")
_PER_N = re.compile(rf"(?i)^\s*(?:/|\bper\s+|\bin\s+|\bevery\s+)\s*({NUM})(?:{SEP}({NUM}))?\s*(weeks?|wks?|days?|months?|hours?|hrs?|h)\b")
_FREQ_WORDS = re.compile(r"(?i)\b(?:(once\s+)?(daily|weekly|monthly|fortnightly|biweekly|nightly)|once\s+(?:a|per)\s+"
                         r"(day|week|month)|(?:per|a|each)\s+(day|week|month)|every\s+(day|week|month)"
                         r"|(twice|three times|four times)\s+(?:a|per)\s+day)\b|(?<![A-Za-z])(BID|TID|QID|QOD|QD|"
                         r"q\.o\.d\.|q\.d\.|b\.i\.d\.|t\.i\.d\.)(?![A-Za-z])|\b(every other day)\b")
_DURATION = re.compile(rf"(?i)\b(for|over|on|x|×)\s+(?:a\s+total\s+of\s+|the\s+next\s+)?({NUM})(?:{SEP}({NUM}))?\s+"
                       r"(?:consecutive\s+|successive\s+)?(days?|weeks?|months?|hours?|hrs?|h)\b")
_SINGLE = re.compile(r"(?i)\b(?:once(?!\s+(?:daily|weekly|monthly|a\b|per\b|every\b))|single(?:\s+dose|\s+infusion)?"
                     r"|one[- ]time|one[- ]off|stat)\b")
_SINGLE_BEFORE = re.compile(r"(?i)\b(?:single|one[- ]time|one[- ]off|loading)(?:\s+(?:iv|dose|infusion|bolus))*"
                            r"(?:\s+of)?\s*:?\s*$")
_COURSE_AFTER = re.compile(r"(?i)^[\s,(]*(?:in\s+total|total(?:\s+dose)?|per\s+course|(?:is\s+|as\s+)?(?:a|the)\s+(?:total|course)"
                           r"|in\s+divided"
                           r"|(?:for|over)\s+the\s+(?:whole|entire|full)\s+course)\b")
_COURSE_BEFORE = re.compile(r"(?i)\b(?:total(?:\s+(?:course\s+)?dose)?(?:\s+of)?|course\s+of|divided\s+over|adds?\s+up\s+to"
                            r"|add\s+up\s+to|sums?\s+to)\s*:?\s*$")
_FREQ_INTERVALS = {"daily": 1, "nightly": 1, "weekly": 7, "monthly": 30.4375, "fortnightly": 14, "biweekly": 14,
                   "day": 1, "week": 7, "month": 30.4375, "twice": 0.5, "three times": 1 / 3, "four times": 0.25,
                   "bid": 0.5, "tid": 1 / 3, "qid": 0.25, "qd": 1, "q.d.": 1, "qod": 2, "q.o.d.": 2,
                   "b.i.d.": 0.5, "t.i.d.": 1 / 3, "every other day": 2}


def scan_cadence(before: str) -> Cadence:
    """Cadence named in a stretch of text before a calculation ("weekly SCIG dose = ...")."""
    return cadence("", before, None)


def cadence(after: str, before: str, unit_per: str | None) -> Cadence:
    """Read the cadence from the words after (and failing that, just before) an amount."""
    kind, interval, duration, single, texts, flags = "dose", None, None, False, [], []
    if unit_per in ("day", "week", "month"):
        interval = (_FREQ_INTERVALS[unit_per],) * 2
    elif unit_per == "course":
        kind = "course"
    for source in (after, before):
        # After the amount the first phrase counts; before it, the one nearest the amount.
        pick = (lambda it: next(iter(it), None)) if source is after else (lambda it: ([None] + list(it))[-1])
        if interval is None and (m := pick(_EVERY.finditer(source))):
            step = _days(m.group(4))
            lo = 2.0 if m.group(1) else (number(m.group(2))[0] if m.group(2) else 1.0)
            hi = number(m.group(3))[0] if m.group(3) else lo
            interval, _ = (lo * step, hi * step), texts.append(m.group(0))
        if interval is None and source is after and (m := _PER_N.search(source)):  # "0.4 g/kg/4 weeks"
            step = _days(m.group(3))
            lo = number(m.group(1))[0]
            interval, _ = (lo * step, (number(m.group(2))[0] if m.group(2) else lo) * step), texts.append(m.group(0))
        if interval is None and (m := pick(_Q.finditer(source))):
            step = _days(m.group(3))
            lo = float(m.group(1))
            interval, _ = (lo * step, float(m.group(2) or lo) * step), texts.append(m.group(0))
        if interval is None and (m := pick(_FREQ_WORDS.finditer(source))):
            word = next(g for g in m.groups()[1:] if g).lower()
            interval = (_FREQ_INTERVALS[word],) * 2
            texts.append(m.group(0))
            if word in ("qd", "q.d.", "qod", "q.o.d."):
                flags.append("QOD" if "o" in word else "QD")  # ISMP: misread as QID / each other
        if source is after or interval is not None:
            break
    for m in _DURATION.finditer(after):
        span = (number(m.group(2))[0], number(m.group(3))[0] if m.group(3) else number(m.group(2))[0])
        step = _days(m.group(4))
        if step < 1 and m.group(1).lower() == "over":
            single = True  # "over 10-12 hours" is the length of one infusion, not a course
        elif step >= 1:
            duration = (span[0] * step, span[1] * step)
            if m.group(1).lower() == "over" and interval is None:
                kind = "course"  # "2 g/kg over 2-5 days": a total divided over the days
            elif interval is None:
                interval = (1.0, 1.0)  # "0.4 g/kg for 5 days" reads as daily
        texts.append(m.group(0))
        break
    if _SINGLE.search(after) or _SINGLE_BEFORE.search(before):
        single = interval is None
    if _COURSE_AFTER.search(after) or _COURSE_BEFORE.search(before):
        kind = "course"
        if unit_per is None:
            interval = None  # "2 g/kg is a total for the course, not a daily dose": the words name no repeat
    return Cadence(kind=kind, interval=interval, duration=duration, single=single,
                   text=" ".join(texts) or None, flags=tuple(flags))


# ---- amounts and the scan of a whole text --------------------------------------------------------


def _amount_pattern(num: str) -> re.Pattern:
    return re.compile(  # the lookahead lets the engine skip, cheaply, every position that cannot start an amount
        rf"(?=[\d.a-zA-Z])(?:(?i:between)\s+(?P<b1>{num})(?:{_SP}(?P<bu>{UNIT}))?\s+and\s+(?P<b2>{num})"
        rf"|(?i:from)\s+(?P<f1>{num})(?:{_SP}(?P<fu>{UNIT}))?\s+(?i:to)\s+(?P<f2>{num})"
        rf"|(?P<n1>{num})(?:{_SP}(?P<u1>{UNIT}))?(?P<sep>{SEP})(?P<n2>{num})"
        rf"|(?P<n0>{num})){_SP}(?P<unit>{UNIT})(?P<tail>{_SP}/{_SP}[A-Za-z]+)?")


_AMOUNT = _amount_pattern(NUM)
# Number words are rare in answers and costly to try at every position: only texts with one pay for them.
_AMOUNT_DIGITS = _amount_pattern(_DIGNUM)
_HAS_WORDNUM = re.compile(rf"(?i){_WORDNUM}\s+(?:{'|'.join(_NUMER.values())}|[-–]|to\s|and\s)")
_CMP = re.compile(r"(?i)(<=|>=|=<|=>|≤|≥|<|>|less than|lower than|below|under|greater than|more than|higher than"
                  r"|above|over|exceeding|at least|at or above|at or below|no less than|not less than)\s*:?\s*$")
_CMP_NAMES = {"<=": "<=", "=<": "<=", "≤": "<=", "at or below": "<=", ">=": ">=", "=>": ">=", "≥": ">=",
              "at least": ">=", "at or above": ">=", "no less than": ">=", "not less than": ">="}
_MAX = re.compile(r"(?i)(?:\bmax(?:imum)?\b[^.;\d]{0,30}?\b(?:is|of|:)|\bmax(?:imum)?\.?(?:\s+(?:daily|single|total|rate|dose|infusion|of|:))*|(?<!add )(?<!adds )\bup\s+to|\bnot\s+to"
                  r"\s+exceed|\bno\s+more\s+than|\bnot\s+more\s+than|\bat\s+most|\b(?:do|should)\s+not\s+exceed"
                  r"|\blimit(?:ed)?\s+to|≤|<=|<|\bless\s+than|\bbelow|\bunder)\s*:?\s*$")
# "each 100 mg/kg more", "per 100 mg/dL higher trough", "rises by 73 mg/dL": a step or slope, not a dose.
_STEP_BEFORE = re.compile(r"(?i)(?:\b(?:per|each|every|increases?\s+of|increments?\s+of|rises?\s+of|steps?\s+of)"
                          r"|\b(?:rais|ris|increas|fall|fell|drop|reduc|lower|decreas|adjust|titrat)\w*\s+(?:[\w-]+\s+)"
                          r"{0,4}?by)\s+(?:about\s+|approximately\s+|~\s*)?$")
_ROUNDING = re.compile(r"(?i)\b(?:nearest\s+(?:whole\s+)?(?:multiple\s+of\s+)?|in\s+steps\s+of\s+|rounded\s+to\s+)$")
# "IgG was 2.1 g/L", "the trough rose from 3 to 7 g/L": a patient's measured value, not a recommendation.
_OBSERVED = re.compile(r"(?i)\b(?:was|were|rose|fell|increased|decreased|dropped|went\s+(?:up|down)|measured|improved"
                       r"|climbed|reached)\s+(?:(?:from|to|at|about|only|just)\s+)*$")
_STEP_AFTER = re.compile(r"(?i)^\s*(?:higher|more|increase|increment|rise|greater|lower|less)\b")
_WEIGHT = re.compile(rf"(?P<n>{NUM}){_SP}[-‑]?{_SP}(?P<u>kg|kilograms?|lbs?|pounds)(?![A-Za-z/])(?!\s*per\b)")
_FACTOR = re.compile(rf"(?i)(?:\bfactor\s+(?:of\s+|is\s+|=\s*|:\s*)?|\bmultipl(?:y|ied)\s+(?:[\w()]+\s+){{0,4}}?by\s+|[×x*]\s*)"
                     rf"(?P<a>\d*\.?\d+)(?![\d^]|\s*(?:kg|g\b|mg|mL|%|weeks?|days?|10\^))"
                     rf"|(?P<b>\d*\.\d+)\s*[×x*]\s*\(")
_PERCENT = re.compile(rf"(?P<n>{_DIGNUM})\s*%")
_SENT_END = re.compile(r"[.!?](?=\s|$)|[;\n•]|\s[-–]\s(?=[A-Z])")
_ABBREV = re.compile(r"(?i)(?:\b(?:e\.g|i\.e|vs|approx|dr|etc|fig|al|ca|incl|max|min|no|wk|wks|hr|hrs)|\b[A-Za-z])$")
_STOP = re.compile(r"(?i)\bthen\b|\bfollowed\s+by\b|\bwhereas\b|\bbut\b|\bversus\b|\bcompared\s+with\b")
_COMPANION = re.compile(r"(?i)^\s*(?:\(\s*(?:i\.e\.,?|that\s+is,?|=|≈|~|about|approximately|approx\.|or|equivalent\s+to"
                        r"|equal\s+to)?\s*|[=≈]\s*|,?\s*(?:i\.e\.,?|that\s+is,?|which\s+is|(?:is\s+)?equivalent\s+to|(?:is\s+)?equal\s+to"
                        r"|equals|or\s+about|or\s+approximately|(?:is\s+)?(?:the\s+)?same\s+as|corresponds?\s+to"
                        r"|corresponding\s+to|converts?\s+to)\s*(?:about|approximately)?\s*)$")


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

    def sentence_of(self, pos: int) -> int:
        """Index of the sentence holding character pos."""
        for i, (s, e) in enumerate(self.sentences):
            if s <= pos < e:
                return i
        return len(self.sentences) - 1

    def in_sentence(self, items, i: int) -> list:
        """The items (with .start) that fall in sentence i."""
        s, e = self.sentences[i]
        return [m for m in items if s <= m.start < e]


def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        if m.group(0) == "." and _ABBREV.search(text[max(0, m.start() - 8):m.start()]):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text) + 1))
    return tuple(spans)


def _amount(m: re.Match, text: str) -> Amount:
    g = m.groupdict()
    raw_lo = g["b1"] or g["f1"] or g["n1"] or g["n0"]
    raw_hi = g["b2"] or g["f2"] or g["n2"] or raw_lo
    (lo, p1), (hi, p2) = number(raw_lo), number(raw_hi)
    unit, flags = normalise_unit(g["unit"])
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
    if g["tail"]:
        problem = problem or f"unrecognised unit part {g['tail'].strip()!r}"
    if lo > hi:
        problem = problem or f"range {m.group(0)!r} runs backwards"
    for raw in {raw_lo, raw_hi}:
        if re.fullmatch(r"\d+\.\d*0", raw.strip()):
            flags += ("trailing_zero",)
        if raw.strip().startswith("."):
            flags += ("naked_decimal",)
    decimals = max(len(r.split(".")[1]) if "." in r else 0 for r in (raw_lo, raw_hi))
    return Amount(start=m.start(), end=m.end() - len(g["tail"] or ""), text=m.group(0).rstrip(), low=lo, high=hi,
                  is_range=raw_hi is not raw_lo, unit=unit, info=info, flags=tuple(dict.fromkeys(flags)),
                  problem=problem, decimals=decimals)


def _mentions(text: str, index, tokens: set[str], lowered: str) -> tuple[Mention, ...]:
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


def _groups(text: str, amounts: list[Amount], sentences) -> list[Amount]:
    """Link companions ("0.4 g/kg (400 mg/kg)") to their head and read each head's cadence."""
    out: list[Amount] = []
    for i, a in enumerate(amounts):
        sent = next(k for k, (s, e) in enumerate(sentences) if s <= a.start < e)
        head = None
        if out and out[-1].sentence == sent and _COMPANION.match(text[out[-1].end:a.start]):
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
        after = text[group_end:stop]
        if m := _STOP.search(after):
            after = after[:m.start()]
        prev_end = out[i - 1].end if i and out[i - 1].sentence == a.sentence else s_start
        before = text[max(prev_end, a.start - 60):a.start]
        if m := list(_STOP.finditer(before)):
            before = before[m[-1].end():]
        cad = cadence(after, before, a.info.per if a.info else None)
        pre = text[max(s_start, a.start - 40):a.start]
        cmp_m = _CMP.search(pre)
        comparator = None
        if cmp_m:
            word = cmp_m.group(1).lower()
            comparator = _CMP_NAMES.get(word, "<" if word in ("<", "less than", "lower than", "below", "under")
                                        else ">")
        is_max = bool(_MAX.search(pre)) or bool(re.match(r"(?i)\s*\(?\s*max(?:imum)?\b", after))
        if _ROUNDING.search(pre):
            a = replace(a, flags=a.flags + ("rounding",))  # "round to the nearest 5 g": a granularity, not a dose
        step = bool(_STEP_BEFORE.search(pre)) or bool(_STEP_AFTER.match(text[a.end:a.end + 20]))
        observed = comparator is None and bool(_OBSERVED.search(pre))
        out[i] = replace(a, cadence=cad, comparator=comparator, is_max=is_max, step=step, observed=observed)
        for k in range(i + 1, j):
            out[k] = replace(out[k], cadence=cad, comparator=out[k].comparator or comparator, is_max=is_max)
    return out


def scan(text: str, lex: Lexicon) -> Scan:
    """Run the whole grammar over one text."""
    sentences = _sentences(text)
    pattern = _AMOUNT if _HAS_WORDNUM.search(text) else _AMOUNT_DIGITS
    amounts = [_amount(m, text) for m in pattern.finditer(text)]
    # Lower-cased with every position kept (a few characters grow when lower-cased: keep those as they are).
    lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text) if len(text.lower()) != len(text) \
        else text.lower()
    tokens = set(_TOKEN.findall(lowered))
    drugs = _mentions(text, lex.drugs, tokens, lowered)
    for k, a in enumerate(amounts):
        if any(d.end == a.start for d in drugs):  # "IVIG400mg/kg": ISMP drug name and dose run together
            amounts[k] = replace(a, flags=a.flags + ("run_together",))
    amounts = _groups(text, amounts, sentences)
    taken = [(a.start, a.end) for a in amounts]

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    def sent(pos: int) -> int:
        return next(k for k, (s, e) in enumerate(sentences) if s <= pos < e)

    weights = []
    for m in _WEIGHT.finditer(text):
        if not free(m.start(), m.end()) or re.search(r"(?:/|\bper)\s*$", text[max(0, m.start() - 5):m.start()]):
            continue
        kg = number(m.group("n"))[0] * (0.45359237 if m.group("u").lower().startswith(("lb", "p")) else 1.0)
        pre = text[max(0, m.start() - 30):m.start()].lower()
        post = text[m.end():m.end() + 25].lower()
        kind = ("ideal" if re.search(r"ideal|\bibw", pre + post) else
                "adjusted" if re.search(r"adjusted|dosing weight|\babw", pre + post) else
                "actual" if re.search(r"actual|total body|\btbw", pre) else "plain")
        weights.append(Weight(m.start(), m.end(), kg, kind, sent(m.start())))
    factors = tuple((m.start(), m.end(), float(m.group("a") or m.group("b"))) for m in _FACTOR.finditer(text)
                    if free(m.start(), m.end()))
    percents = tuple((m.start(), m.end(), float(m.group("n").replace(",", ""))) for m in _PERCENT.finditer(text))
    routes = tuple(Mention(_ROUTE_NAMES[next(i for i, g in enumerate(m.groups()) if g)], m.start(), m.end(), m.group(0))
                   for m in _ROUTES.finditer(text))
    ages = tuple(Mention(("child", "adult", "neonate")[next(i for i, g in enumerate(m.groups()) if g)], m.start(),
                         m.end(), m.group(0)) for m in _AGES.finditer(text))
    return Scan(text=text, sentences=sentences, amounts=tuple(amounts), drugs=drugs,
                indications=_mentions(text, lex.indications, tokens, lowered), routes=routes, ages=ages, weights=tuple(weights),
                factors=factors, percents=percents)
