"""Grounding: whether a dose (or its per-kg form) stands in a cited passage with the same frequency and population."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from assistant.doses.binding import (TextBinding, age_qualifiers, ages_met, combined_with, divided_counts,
                                     formulations_conflict, named_as_exception, named_unchanged, no_benefit, row_sexes, passage_age_ranges, passage_age_thresholds,
                                     passage_formulations, row_course_limit)
from assistant.doses.matching import INTERVAL_TOLERANCE, Stated
from assistant.doses.cadence import cadence, days, scan_cadence
from assistant.doses.passage_brands import other_brand
from assistant.doses.lexicon import Lexicon, Mention, mentions
from assistant.doses.parse import OWN_CIRCUMSTANCE, Amount, Scan
from assistant.doses.scope import FOLLOW as _FOLLOW, dosed_before, named_for


_JOIN = re.compile(r"(?i)^[\s,]*(?:and|or|and/or|/|,)?[\s,]*$")


def amount_drug(sc: Scan, k: int) -> str | None:
    """The drug a passage's k-th amount is of: named right after it ("50 mg of X"), the last one named before it in
    its sentence, else the first after it; None when its sentence names none."""
    m = amount_mention(sc, k)
    return m.canonical if m is not None else None


def product_names(sc: Scan, sentence: int, drug: str | None, lex: Lexicon | None) -> frozenset[str]:
    """Products of a drug outside the vocabulary named in a sentence by a name of their own ("Alli", "Xenical" for
    orlistat): two products of one drug may have different doses."""
    own = {c for entries in (lex.drugs.values() if lex else ()) for c, _ in entries}
    return frozenset(m.surface.lower() for m in sc.in_sentence(sc.drugs, sentence)
                     if m.canonical == drug and m.canonical not in own and m.surface
                     and m.surface.lower() != m.canonical.lower())


def amount_mention(sc: Scan, k: int):
    """The drug mention amount_drug reads."""
    b = sc.amounts[k]
    if b.component:
        return Mention(b.component, b.start, b.start, b.component)  # one strength of a combination's pair
    in_sent = sc.in_sentence(sc.drugs, b.sentence)
    follow = [d for d in in_sent if b.end <= d.start <= b.end + 20 and _FOLLOW.fullmatch(sc.text[b.end:d.start])]
    named = dosed_before(sc.text, [d for d in in_sent if d.end <= b.start])
    # "Lorazepam: approximate equivalents to diazepam 10 mg or phenobarbital 30 mg: 2 mg": a drug with an amount of its
    # own right after its name is that amount's drug, not a later one's (when another drug is left to be this one's).
    named = [d for d in named if not any(o is not b and 0 <= o.start - d.end <= 3 for o in sc.amounts)] or named
    # "rizatriptan 5-10 mg ...; with propranolol 5 mg": a drug taken alongside is the circumstance, not the drug dosed.
    before = [d for d in named if not _WITH_DRUG.search(sc.text[max(0, d.start - 25):d.start])]
    # "... 5 mg dose in patients receiving propranolol": a drug taken alongside, named after the dose, is not the one dosed.
    after = [d for d in in_sent if d.start >= b.end and not _WITH_DRUG.search(sc.text[max(0, d.start - 25):d.start])]
    for group in (follow, named_for(sc, b, before), before[-1:], [] if named else after[:1]):
        if group:
            return group[0]
    # A part after a semicolon continues its row ("mirtazapine 15 mg at bedtime ...; geriatric 7.5 mg at bedtime").
    i = b.sentence
    while i > 0 and sc.text[sc.sentences[i - 1][0]:sc.sentences[i - 1][1]].rstrip().endswith(";"):
        i -= 1
        if earlier := sc.in_sentence(sc.drugs, i):
            return earlier[-1]
    if named or after:
        return (named[-1:] or after[:1])[0]
    return None  # an earlier sentence's drug may not be this one's ("Start at 0.5 mg/kg/min" after acetaminophen)


def amount_ages(sc: Scan, k: int) -> set[str]:
    """The age bands a passage's k-th amount is for: the nearest population named before it in its sentence (with
    those listed beside it, "adults and children"), else the nearest after it; empty when the sentence names none."""
    b = sc.amounts[k]
    in_sent = sc.in_sentence(sc.ages, b.sentence)
    before = [m for m in in_sent if m.end <= b.start][::-1]
    after = [m for m in in_sent if m.start >= b.end]
    for group in (before, after):
        if not group:
            continue
        found = {group[0].canonical}
        for prev, nxt in zip(group, group[1:]):
            gap = sc.text[nxt.end:prev.start] if group is before else sc.text[prev.end:nxt.start]
            if not _JOIN.match(gap):
                break
            found.add(nxt.canonical)
        return found
    return set()


@lru_cache(maxsize=1024)
def _parts(name: str) -> frozenset[str]:
    """The components of a combination's name ("naltrexone and bupropion", "naltrexone/bupropion")."""
    from assistant.doses.combinations import _data as combination_words
    return frozenset(p.strip().lower() for p in combination_words()[1].split(name) if p.strip())


def same_drug(x: str, y: str, lex: Lexicon | None) -> bool:
    """Whether two drug names name one drug: equal, or one's name holds a vocabulary name of the other
    ("hepatitis b immune globulin" is a form of immunoglobulin)."""
    if x == y or x.startswith((y + " ", y + "-")) or y.startswith((x + " ", x + "-")):
        return True  # "sumatriptan nasal" (the dictionary's product) is sumatriptan, "erenumab-aooe" is erenumab
    if _parts(x) == _parts(y) and len(_parts(x)) > 1:
        return True  # one combination written two ways: "naltrexone and bupropion" (Contrave), "naltrexone/bupropion"
    if lex is None:
        return False
    return x in {m.canonical for m in mentions(y, lex).drugs} or y in {m.canonical for m in mentions(x, lex).drugs}


def listed_interval(sc: Scan, k: int) -> tuple[float, float] | None:
    """For a passage amount that names no repeat of its own, the one its list names before it ("daily
    supplementation includes vitamin B12 350-1,000 micrograms, folate 400-800 micrograms"); None when the sentence
    names none or another amount of the list names its own."""
    b = sc.amounts[k]
    if not b.cadence.bare:
        return None
    s_start, _ = sc.sentences[b.sentence]
    if any(o.sentence == b.sentence and o.start < b.start and not o.cadence.bare for o in sc.amounts):
        return None
    return scan_cadence(sc.text[s_start:b.start]).interval


def _strength_interval(sc: Scan, k: int) -> tuple[float, float] | None:
    """For the amount of a product strength ("2.5 mg/3 mL, one vial every 6-8 hours"), the repeat named after the
    strength's volume: the strength is one dose of the product."""
    b = sc.amounts[k]
    nxt = sc.amounts[k + 1] if k + 1 < len(sc.amounts) else None
    if nxt is None or nxt.sentence != b.sentence or not re.fullmatch(r"\s*/\s*", sc.text[b.end:nxt.start]) \
            or nxt.info is None or nxt.info.dim != "volume":
        return None
    return nxt.cadence.interval


# A dosage table's row (one line as the ingest renders it: "Piroxicam (...): usual starting dose 20 mg; max single dose
# 20 mg; frequency Once daily"): how often the row's doses are given is a column of its own.
_FREQUENCY_COLUMN = re.compile(r"(?i)(?:^|;)\s*(?:usual\s+)?(?:frequency|dosing(?:\s+interval)?|usual\s+dosing\s+interval)"
                               r"\s*:?\s*(?P<words>[^;]*)")
_UNIT_COUNT = re.compile(r"(?i)\b(?:contents\s+of\s+)?(?P<lo>1|one|2|two)(?:\s+or\s+(?P<hi>2|two))?\s+(?:inhalations?|"
                         r"capsules?|tablets?|vials?|sprays?|puffs?|respules?|actuations?)\b")
# "strength 2.5 mcg", and the last part of a combination's strength ("strength 9/4.8 mcg").
_STRENGTH_LABEL = re.compile(r"(?i)\bstrength\s*(?:strength\s*)?:?\s*(?:\d[\d.,]*\s*/\s*)*$")


def _row(sc: Scan, b: Amount) -> tuple[int, int]:
    """The line holding a passage amount: one row of a dosage table as the ingest renders it."""
    start = sc.text.rfind("\n", 0, b.start) + 1
    end = sc.text.find("\n", b.end)
    return start, len(sc.text) if end == -1 else end


def _row_frequency(sc: Scan, k: int) -> tuple[float, float] | None:
    """For a passage amount with no repeat of its own in a dosage table row, the span of the intervals the row's
    frequency (or dosing) column names ("frequency Once or twice daily": every 12-24 hours); None when the row names
    none, or names another drug before the amount's column."""
    b = sc.amounts[k]
    if not b.cadence.bare:
        return None
    start, end = _row(sc, b)
    mine = amount_mention(sc, k)
    spans = []
    for m in _FREQUENCY_COLUMN.finditer(sc.text, start, end):
        words = m.group("words")
        if mine is not None and any(m.start() <= d.start < m.end() and not same_drug(d.canonical, mine.canonical, None)
                                    for d in sc.drugs):
            return None
        spans += [_interval_span(words)]
    spans = [x for x in spans if x is not None]
    return (min(x[0] for x in spans), max(x[1] for x in spans)) if len(spans) == 1 else None


# A dosage table row's next part repeating its dose ("dose: 1,000 mg at onset; repeat every 4 – 6 hours as needed"):
# nothing but words between the dose and the ';', then the repeat.
_ROW_REPEAT = re.compile(r"(?i)[^;\d]{0,40};\s*(?:(?:can|may)\s+(?:be\s+)?)?repeat(?:ed)?\s+(?P<words>(?:every|each)\s+[^;]*)")


def _row_repeat(sc: Scan, k: int) -> tuple[float, float] | None:
    """For a passage amount with no repeat of its own, the interval of the row's next part when that part repeats it."""
    b = sc.amounts[k]
    if b.cadence.interval is not None or b.is_max or b.comparator or b.step:
        return None
    m = _ROW_REPEAT.match(sc.text, b.end, _row(sc, b)[1])
    return cadence(m.group("words"), "", None).interval if m else None


def _interval_span(words: str) -> tuple[float, float] | None:
    """The shortest and longest interval named in a column's words ("Once or twice daily", "2 – 3 times daily")."""
    found = []
    for m in re.finditer(r"(?i)\b(?P<lo>\d)\s*(?:[-–]|to|or)\s*(?P<hi>\d)\s+times\s+(?:a\s+|per\s+)?(?:day|daily)\b", words):
        found += [1 / int(m.group("hi")), 1 / int(m.group("lo"))]
    words = re.sub(r"(?i)\btimes\s*/\s*day\b", "times a day", words)  # "2 inhalations 4 times/day"
    rest = re.sub(r"(?i)\b\d\s*(?:[-–]|to|or)\s*\d\s+times\s+(?:a\s+|per\s+)?(?:day|daily)\b", " ", words)
    rest = re.sub(r"(?i)\bonce\s+or\s+twice\s+(daily|a\s+day)", r"once \1 or twice \1", rest)
    for part in re.split(r"(?i)\bor\b|,|\band\b", rest):
        t = scan_cadence(part).interval
        if t:
            found += list(t)
    return (min(found), max(found)) if found else None


_TEXT_COUNT = re.compile(r"(?i)[\s,(:;-]*(?:as\s+|given\s+as\s+)?(?P<lo>1|one|2|two|3|three|4|four)(?:\s*(?:or|-|–|to)\s*"
                         r"(?P<hi>2|two|3|three|4|four))?\s+(?:inhalations?|puffs?|sprays?|actuations?|tablets?|capsules?)\b")
# "2 inhalations of 2.5 mcg": the count named before the strength.
_COUNT_BEFORE = re.compile(r"(?i)\b(?P<lo>1|one|2|two|3|three|4|four)(?:\s*(?:or|-|–|to)\s*(?P<hi>2|two|3|three|4|four))?\s+"
                           r"(?:inhalations?|puffs?|sprays?|actuations?|tablets?|capsules?)\s+(?:of\s+|each\s+of\s+)?$")
_NUMBER_WORDS = {"1": 1.0, "one": 1.0, "2": 2.0, "two": 2.0, "3": 3.0, "three": 3.0, "4": 4.0, "four": 4.0}


def unit_count(sc: Scan, a: Amount) -> tuple[float, float]:
    """How many units of a stated strength a text gives at a time ("Spiriva Respimat 2.5 mcg, two inhalations"): 1
    unless said right after the amount."""
    end = a.pair_end or a.end  # "9/4.8 mcg: 2 inhalations": the count after a pair is each strength's
    m = _TEXT_COUNT.match(sc.text, end) or _COUNT_BEFORE.search(sc.text[max(0, a.start - 30):a.start])
    if m is None:
        return 1.0, 1.0
    return _NUMBER_WORDS[m.group("lo").lower()], _NUMBER_WORDS[(m.group("hi") or m.group("lo")).lower()]


def _row_daily_cap(sc: Scan, k: int) -> float | None:
    """The lowest daily maximum a dosage table row gives for the drug of its k-th amount ("max 200 mg/day for OA"); a
    value under a daily column that names its own repeat ("max. dose/day 200 mg twice daily") is a dose, not a cap."""
    b = sc.amounts[k]
    start, end = _row(sc, b)
    mine = amount_mention(sc, k)
    caps = [o.canon[1] for j, o in enumerate(sc.amounts) if start <= o.start < end and o.is_max and o.info is not None
            and o.info.dim == b.info.dim and (o.cadence.interval == (1.0, 1.0) or o.cadence.interval is None and _daily_label(sc, o))
            and (m := amount_mention(sc, j)) is not None and mine is not None and m.canonical == mine.canonical]
    return min(caps) if caps else None


def _strength_dose(sc: Scan, k: int) -> tuple[float, float] | None:
    """For a product strength in a dosage table row ("strength 18 mcg; dosing: Inhale contents of one capsule once
    daily"), the range of one dose: the strength times the units the dosing column gives at a time."""
    b = sc.amounts[k]
    s_start, _ = sc.sentences[b.sentence]
    if not _STRENGTH_LABEL.search(sc.text[s_start:b.start]):
        return None
    start, end = _row(sc, b)
    col = next((m for m in _FREQUENCY_COLUMN.finditer(sc.text, b.end, end)), None)
    count = _UNIT_COUNT.search(col.group("words")) if col else None
    if count is None:
        return None
    return _NUMBER_WORDS[count.group("lo").lower()], _NUMBER_WORDS[(count.group("hi") or count.group("lo")).lower()]


# A table's daily columns and daily totals: "max/day 40 mg", "max. dose/day 1200 mg", "maximum daily dose 60 mg",
# "300-600 mg in 1-2 divided doses" (the day's total split up).
_DAILY_BEFORE = re.compile(r"(?i)(?:\b(?:max(?:imum)?\.?|total|usual)\s*(?:(?:single\s+)?dose\s*)?(?:/|per\s+)\s*(?:day|24\s*h)"
                           r"|\b(?:max(?:imum)?\.?\s+)?daily\s+(?:max(?:imum)?|dose|total|limit)|\bdaily\s+dose\s+range)\W*$")
_DIVIDED_AFTER = re.compile(r"(?i)^\W*(?:in\s+|as\s+|given\s+in\s+)?(?:\d+\s*(?:[-–]|to|or)\s*)?\d*\s*divided\s+doses")


def _daily_label(src: Scan, b: Amount) -> tuple[float, float] | None:
    """A day's repeat for a passage amount labelled as a daily figure or split into divided doses."""
    s_start, s_end = src.sentences[b.sentence]
    if _DAILY_BEFORE.search(src.text[max(s_start, b.start - 30):b.start]) or _DIVIDED_AFTER.match(src.text[b.end:s_end]):
        return 1.0, 1.0
    return None


_TITRATE = re.compile(r"(?i)\b(?:titrat|increas|rais|escalat|advanc|step\s+up|go\s+up)\w*\s+"
                      r"(?:(?!(?:with|at|from|on)\b)[\w-]+\s+){0,2}?$")  # "initiate titration with 0.6 mg": the start


def _titration(sc: Scan, b: Amount) -> bool:
    """A passage amount named as the size of a titration step without "by" ("titrate 25 mg/week")."""
    s_start, _ = sc.sentences[b.sentence]
    pre = sc.text[max(s_start, b.start - 30):b.start]
    return bool(_TITRATE.search(pre)) and not re.search(r"(?i)\b(?:to|until|target(?:\s+of)?|maximum(?:\s+of)?)\s*$", pre)


def _course_total(t, lo: float, hi: float) -> tuple[float, float, tuple[float, float]] | None:
    """(low, high, days) of a whole course: a course total as written, or a dose repeated over a stated duration."""
    if t.kind == "course":
        return lo, hi, t.duration  # days may go unsaid ("180 g in total")
    if t.interval and t.duration and t.interval[0] == t.interval[1]:
        n_lo, n_hi = max(1, int(t.duration[0] / t.interval[0] + 1e-6)), max(1, int(t.duration[1] / t.interval[0] + 1e-6))
        return lo * n_lo, hi * n_hi, t.duration
    return None


def _same_course(ta, lo: float, hi: float, tb, blo: float, bhi: float) -> bool:
    """Whether two statements give the same course, one as a daily dose over days and the other as a total (or both
    as totals) with its days within the other's."""
    if ta.kind == tb.kind == "dose" and ta.interval == tb.interval:
        return False  # the same kind of statement: compared value by value
    x, y = _course_total(ta, lo, hi), _course_total(tb, blo, bhi)
    if x is None or y is None:
        return False
    (xlo, xhi, xd), (ylo, yhi, yd) = x, y
    return ylo * (1 - 1e-3) <= xlo and xhi <= yhi * (1 + 1e-3) and (xd is None or yd is None or (
        xd[0] >= yd[0] / INTERVAL_TOLERANCE and xd[1] <= yd[1] * INTERVAL_TOLERANCE))


def _same_population_and_drug(src: Scan, k: int, a: Amount, b: Amount, age, drug, lex, products,
                              sex: str | None = None) -> bool:
    """The passage's k-th amount is for the text's population, drug and product."""
    ages = amount_ages(src, k)
    if age and ages and age not in ages:
        return False  # a child's dose is not grounded by the adult dose of the same passage
    mention = amount_mention(src, k)
    if drug and mention is not None and not same_drug(drug, mention.canonical, lex):
        return False  # "paroxetine 50-200 mg" is not grounded by the sertraline range of the same passage
    prior = [d for d in src.drugs if d.end <= b.start]
    ours = [d for d in prior if b.start - d.end <= 300 and same_drug(drug, d.canonical, lex)] if drug else []
    if drug and mention is None and prior and not same_drug(drug, prior[-1].canonical, lex) and (not ours or any(
            ours[-1].end <= d.start and not same_drug(drug, d.canonical, lex) and _heads_row(src, d) for d in prior)):
        # An amount whose sentence names no drug (a table's dose column) is of the drug named last before it: not of
        # this one when another drug stands there and no name of it does ("Toprol 100-200 mg/day" does not ground
        # topiramate 200 mg/day); a passage about one drug keeps grounding it however far its name stands, unless
        # another drug heads a row of its own in between (a table: "Lorazepam ...\n\n2 mg ...\n\nQuazepam ...\n\n10 mg").
        return False
    if products and mention is not None and (theirs := product_names(src, b.sentence, mention.canonical, lex)) \
            and mention.surface.lower() in theirs and mention.surface.lower() not in products \
            and not _bracketed_brand(src, mention, products):
        return False  # "Alli 120 mg" is not grounded by the Xenical dose of the same passage
    if products and other_brand(src, b.start, products):
        return False  # "Arnuity Ellipta 200 mcg" is not grounded by the FLOVENT HFA row of the same table
    if sex and (sexes := row_sexes(src.text[slice(*_row(src, b))])) and sex not in sexes:
        return False  # "lubiprostone 8 mcg BID for a man": the row gives it for females only
    return a.step == (b.step or _titration(src, b))


def _bracketed_brand(src: Scan, mention, products: frozenset[str]) -> bool:
    """Whether a brand stands in the parenthesis right after a name of the text's product ("Naproxen sodium (Aleve®,
    Anaprox®)"): the brands of that product, not another product."""
    for d in src.drugs:
        if d.end <= mention.start and d.surface and d.surface.lower() in products and \
                re.fullmatch(r"\s*\([^()]*", src.text[d.end:mention.start]):
            return True
    return False


def _heads_row(src: Scan, d) -> bool:
    """Whether a drug's name starts its line (a table row's first column)."""
    line_start = src.text.rfind("\n", 0, d.start) + 1
    return not re.search(r"[A-Za-z]{4,}", src.text[line_start:d.start])


_START_WORD = re.compile(r"(?i)\b(?:start\w*|initial\w*|begin\w*|first\s+dose|commence\w*)\b")


def _lower_start(src: Scan, k: int, a: Amount, drug: str | None, lex: Lexicon | None) -> bool:
    """For a starting dose of the text, whether the passage amount it matches is not the passage's start: the passage
    names a lower dose of the same drug mention (its sentence or table row: "Topiramate: initial 25 mg/day; usual 50-200 mg/day":
    "start at 200 mg/day" is the top of the usual range, not the start), and does not call its own amount a start."""
    b = src.amounts[k]
    s_start, s_end = src.sentences[b.sentence]
    prev_end = max([o.end for o in src.amounts[:k] if o.sentence == b.sentence] or [s_start])
    if _START_WORD.search(src.text[prev_end:b.start]) or _START_WORD.search(src.text[b.end:min(s_end, b.end + 40)]):
        return False  # "initial dose 25 mg/day", "50 mg once daily to start"
    mine = amount_mention(src, k)
    ages = amount_ages(src, k)
    lo, _ = a.canon
    for j, o in enumerate(src.amounts):
        if j == k or o.info is None or o.info.dim != a.info.dim or o.problem or o.step or _titration(src, o) \
                or amount_ages(src, j) != ages:
            continue  # a step, or another population's start ("geriatric start 25 mg"), says nothing of this start
        theirs = amount_mention(src, j)
        if theirs is not None and mine is not None and theirs.start == mine.start and \
                (drug is None or same_drug(drug, theirs.canonical, lex)) and o.canon[1] < lo * (1 - 1e-3):
            return True
    return False


def _range_top(src: Scan, k: int, value: float) -> bool:
    """Whether a value is the top of the passage's k-th amount, a range, for a drug the passage gives no maximum of
    ("sertraline 50-200 mg daily": its maximum is 200 mg a day)."""
    b = src.amounts[k]
    blo, bhi = b.canon
    if not (blo < bhi * (1 - 1e-6) and abs(value - bhi) <= 1e-6 * bhi):
        return False
    mine = amount_mention(src, k)
    return mine is not None and not any(
        o.is_max and (m := amount_mention(src, j)) is not None and m.canonical == mine.canonical
        for j, o in enumerate(src.amounts))


_WITH_DRUG = re.compile(r"(?i)\b(?:with|on|taking|takes|took|receiving|receives|using|uses|plus|while\s+on"
                        r"|in\s+combination\s+with)\s+(?:a\s+|an\s+)?$")


# A clause that turns to another circumstance after a dose ("... - but if he's on propranolol", "unless ...").
_TURN = re.compile(r"(?i)\s[-–—]\s|\b(?:but|except|unless|however|whereas)\b")


def qualifiers(sc: Scan, a: Amount, lex: Lexicon | None, drug: str | None) -> frozenset[str]:
    """The circumstances an amount is stated for (renal impairment, older adults, another drug taken with it): those
    named in its part of the sentence (after the amount before it in its ';' segment, up to the next one), and those
    named before the segment's first dose ("On propranolol, rizatriptan 5 mg, maximum 15 mg/day"). A circumstance
    named as an exception ("dose adjustment in renal impairment") is not one. The second strength of a combination's
    pair ("Renal impairment: maximum 7.5 mg/46 mg daily") is stated for what its first is."""
    if a.component and (first := next((o for o in sc.amounts if o.pair_end == a.end and o is not a), None)) is not None:
        a = first
    s_start, s_end = sc.sentences[a.sentence]
    cuts = [s_start] + [s_start + m.end() for m in re.finditer(";", sc.text[s_start:s_end])] + [s_end]
    # (An amount the sentence splitter cut across ends past its sentence: its segment runs to the amount's end.)
    seg_start = max((c for c in cuts if c <= a.start), default=min(s_start, a.start))
    seg_end = min((c for c in cuts if c >= a.end), default=max(s_end, a.end))
    doses = [o for o in sc.amounts if o.info is not None and a.info is not None and o.info.dim == a.info.dim
             and seg_start <= o.start < seg_end and o.head is None]
    # "Use 5 mg dose (15 mg/day maximum) in patients receiving propranolol": a dose in parentheses right after another
    # is one statement with it; the words after the parenthesis hold for both.
    doses = [o for o in doses if not _parenthesised_after(sc.text, doses, o)]
    prev = [o.end for o in doses if o.end <= a.start]
    nxt = [o.start for o in doses if o.start >= a.end]
    region_end = min(nxt) if nxt else seg_end
    if (turn := _TURN.search(sc.text, a.end, region_end)) is not None:
        region_end = turn.start()  # "5 or 10 mg per dose - but if he's on propranolol, 5 mg": the turn is the next dose's
    regions = [(max(prev) if prev else seg_start, region_end)]
    if doses:  # what the segment names before its first dose holds for all of them ("; with propranolol 5 mg, max 15 mg")
        regions.append((seg_start, min(o.start for o in doses)))
    found: set[str] = set()
    for n, (start, end) in enumerate(regions):
        if n and found:
            break  # a dose naming a circumstance of its own does not take the segment's lead ("hepatic ... 20 mg/d,
            # For patients >60 years ... 20 mg/d": the second is for the older patients only)
        part = sc.text[start:end]
        found |= {name for name, pattern in (lex.qualifiers if lex else ()) if any(
            not named_as_exception(sc.text, start + m.start()) and not named_unchanged(sc.text, start + m.end())
            for m in pattern.finditer(part))}
        if n == 0:  # an age threshold binds the doses of its own stretch only ("for 12 years and older 200 mcg/day")
            found |= age_qualifiers(part)  # ">60 years of age", "a 68-year-old"
        found |= {f"with {d.canonical}" for d in sc.drugs if start <= d.start < end and d.canonical != drug
                  and not (drug and same_drug(drug, d.canonical, lex)) and _WITH_DRUG.search(sc.text[max(start, d.start - 25):d.start])
                  and not combined_with(sc.text, d.start)}
    return frozenset(found)


def _parenthesised_after(text: str, doses: list[Amount], o: Amount) -> bool:
    """Whether o stands in a parenthesis opened right after another dose of the list ("5 mg dose (15 mg/day max)")."""
    return any(d.end <= o.start and re.fullmatch(r"[^()\d]{0,12}\(\s*", text[d.end:o.start]) for d in doses) \
        and not OWN_CIRCUMSTANCE.match(text, o.end)  # "(20 mg in older adults)" names a circumstance of its own


def _row_ages(src: Scan, k: int) -> frozenset[str]:
    """The ages a table row names before its k-th amount ("Fluticasone MDI ...; comparative dose (mcg/day) ages >=12
    years; medium dose >264-440"): the row's doses are for them. Only a line that a drug's name starts is a row."""
    b = src.amounts[k]
    line_start = src.text.rfind("\n", 0, b.start) + 1
    if not any(line_start <= d.start < b.start and _heads_row(src, d) for d in src.drugs):
        return frozenset()
    # The nearest stretch naming an age speaks for the amount ("for 12 years and older 200 mcg/day; children 5-11
    # years 50 mcg": the 50 mcg is the children's, whose range sets no threshold).
    aged = [p for p in src.text[line_start:b.start].split(";") if re.search(r"(?i)\b(?:ages?|years?|yrs?)\b", p)]
    return age_qualifiers(aged[-1]) if aged else frozenset()


def _row_exceptions(src: Scan, b: Amount, lex: Lexicon | None) -> set[str]:
    """The circumstances a passage amount's row (or bullet) names as exceptions to its doses ("dose adjustment in
    moderate renal impairment", "avoid in hepatic impairment")."""
    start, end = _row(src, b)
    part = src.text[start:end]
    return {name for name, pattern in (lex.qualifiers if lex else ()) for m in pattern.finditer(part)
            if named_as_exception(src.text, start + m.start())}


def _quals_agree(src: Scan, k: int, quals: frozenset[str] | None, drug: str | None, lex: Lexicon | None) -> bool:
    """Whether the passage's k-th amount is for the circumstances the text's dose is stated for: the same ones, or the
    text names more (a patient's eGFR beside a dose for everyone) where the passage gives no dose of this drug for
    them."""
    if quals is None:
        return True
    aged = any(q.startswith("age") for q in quals)
    quals = ages_met(quals, passage_age_thresholds(src.text), passage_age_ranges(src.text))
    # A table row's ages bind its doses for a text that names an age (a text naming none is read as before).
    mine = qualifiers(src, src.amounts[k], lex, drug) | (_row_ages(src, k) if aged else frozenset())
    if not aged:  # an age band with both ends ("children 5-11 years") binds a text naming an age; bands speak otherwise
        mine = frozenset(q for q in mine if not q.startswith("age:"))
    if mine == quals:
        return True
    if not mine <= quals:
        return False  # a dose for renal impairment (or with propranolol) is not the dose for everyone
    mention = amount_mention(src, k)
    extra = quals - mine
    if extra & _row_exceptions(src, src.amounts[k], lex):
        return False  # "up to 200 mg/24-hours, dose adjustment in renal impairment" is not the dose for renal impairment
    for j, o in enumerate(src.amounts):
        if j == k or o.info is None or o.problem or o.info.dim != src.amounts[k].info.dim:
            continue  # an eGFR threshold is not a dose for renal impairment
        theirs = amount_mention(src, j)
        # a passage amount whose sentence names no drug (a line of a PDF page) is of the text's drug when it grounds it
        mine_drug = mention.canonical if mention is not None else drug
        if theirs is not None and mine_drug is not None and same_drug(theirs.canonical, mine_drug, lex) and \
                qualifiers(src, o, lex, drug) & extra:
            return False  # the passage has a dose of its own for that circumstance
    return True


def _limit(a: Amount) -> bool:
    """Whether an amount is stated as a ceiling: "maximum 8 mg/kg/min", "no faster than 8", "under 2 mg/kg/min"."""
    return a.is_max or a.comparator in ("<", "<=")


def in_sources(a: Amount, sources: list[Scan] | None, age: str | None = None, drug: str | None = None,
               lex: Lexicon | None = None, products: frozenset[str] = frozenset(), start: bool = False,
               quals: frozenset[str] | None = None, count: tuple[float, float] = (1.0, 1.0),
               bind: TextBinding | None = None) -> bool:
    """True when the same value, unit, frequency and population stand in one of the passages, for the same drug (and,
    when the text names a product of it, not for another product); a starting dose only where the passage's amount
    can be the start. count: the units of the stated strength the text gives at a time ("2.5 mcg, two inhalations").
    bind: what the text binds the dose to (its formulation, once daily, its sentence's course length); a passage
    amount bound otherwise (another formulation's row, a total divided over the day, a shorter course limit in its
    row or footnote) does not ground it."""
    if not sources or a.info is None:
        return False
    bind = bind or TextBinding()
    sex = next((q[4:] for q in quals or () if q.startswith("sex=")), None)  # the patient's, from the question
    lo, hi = a.canon
    lo, hi = lo * count[0], hi * count[1]
    for src in sources:
        for k, b in enumerate(src.amounts):
            if b.info is None or b.info.dim != a.info.dim or b.problem:
                continue
            blo, bhi = b.canon
            if (prev := _column_continued(src, k)) is not None:
                # "max. dose/day 40 mg; 20 mg geriatric": the column's other value is a daily maximum too.
                b = replace(b, is_max=True, comparator=prev.comparator, cadence=b.cadence if prev.cadence.bare
                            else prev.cadence)
            ta = a.cadence.interval
            tb = b.cadence.interval or (listed_interval(src, k) if ta else None) or _strength_interval(src, k) or (
                (_daily_label(src, b) or (_daily_label(src, prev) if prev is not None else None))
                if ta == (1.0, 1.0) else None) or (_row_frequency(src, k) if ta else None) or (_row_repeat(src, k) if ta else None)
            if (units := _strength_dose(src, k)) is not None:
                blo, bhi = blo * units[0], bhi * units[1]  # "strength 2.5 mcg; dosing: 2 inhalations once daily": 5 mcg
            if not _bound_alike(src, k, b, bind):
                continue
            if _same_course(a.cadence, lo, hi, b.cadence, blo, bhi):
                # "0.5 g/kg a day over 4 days" is the passage's "2 g/kg in total over 2-5 days"; a course total is the
                # passage's daily dose times its days. Population, drug and product still have to agree.
                # "do not exceed 2 g/kg over the whole course": the passage's course total is the course's ceiling
                limit_of_course = _limit(a) and not _limit(b) and b.cadence.kind == "course" and a.comparator not in (">", ">=")
                if (_limit(a) == _limit(b) or limit_of_course) and _same_population_and_drug(src, k, a, b, age, drug, lex, products, sex) and \
                        _quals_agree(src, k, quals, drug, lex):
                    return True
                continue
            if not (blo * (1 - 1e-3) <= lo and hi <= bhi * (1 + 1e-3)):
                # "100 mg twice daily" is the "200 mg a day in two divided doses" of the passage: same daily total
                # (a day's total, not a once-daily dose: "5 mcg once daily" is not 2.5 mcg twice a day).
                if not (ta and tb and ta[0] == ta[1] and tb[0] == tb[1] and ta[0] < 1 and abs(tb[0] - 1) < 1e-9
                        and (b.info.per == "day" or _daily_label(src, b) is not None
                             or re.match(r"(?i)[^;.]{0,25}\bdivided\b", src.text[b.end:b.end + 40]))
                        and blo * (1 - 1e-3) <= lo / ta[0] and hi / ta[0] <= bhi * (1 + 1e-3)):
                    continue
                tb = ta
            if tb and (a.cadence.single or a.info.per == "dose") and not b.cadence.single and b.info.per != "dose":
                continue  # "200-400 mg per dose" is not grounded by "200-400 mg per day"
            # A daily ceiling is grounded by the passage's ceiling of the same amount that names no period ("The
            # maximum dose of acetaminophen is 4,000 mg"): per dose or per day, the daily ceiling is no looser.
            daily_cap = ta == (1.0, 1.0) and not tb and _limit(a) and _limit(b) and b.cadence.bare and b.info.per is None
            if ta and not tb and not daily_cap or ta and tb and not (ta[0] >= tb[0] / INTERVAL_TOLERANCE
                                                                   and ta[1] <= tb[1] * INTERVAL_TOLERANCE):
                continue  # "6 mg every hour" is not grounded by "6 mg, repeated once"
            if a.step != (b.step or _titration(src, b)):
                continue  # a titration step ("increase by 0.6 mg each week") is grounded by a step, not by a dose
            if _limit(a) != _limit(b) and not (a.raised_to and b.raised_to) and not (
                    a.is_max and not b.is_max and not a.comparator and (
                    lo < hi * (1 - 1e-6) or _range_top(src, k, hi))):
                # A maximum is not grounded by a starting dose of the same size, nor the other way round; "allows up to
                # 0.4-0.8 g/kg" names the range the passage allows. A dose a titration raises to is one, whether or not
                # its words make it a ceiling ("increasing to 25 mg once daily" of "may increase to 25 mg once daily").
                continue
            da, db = a.cadence.duration or bind.duration, b.cadence.duration
            if da and db and not (da[0] >= db[0] / INTERVAL_TOLERANCE and da[1] <= db[1] * INTERVAL_TOLERANCE):
                continue  # "for 14 days" is not grounded by "for 7 days"
            mention = amount_mention(src, k)
            row_limit = row_course_limit(src.text, b.start, mention.canonical if mention else None,
                                         mention.start if mention else None, mention.end if mention else None)
            if da and row_limit is not None and da[1] > row_limit * (1 + 1e-6):
                continue  # "for up to 14 days" against a row (or its footnote) allowing "up to 5 days"
            if da and not db and not _course_limit(src, da) and not (row_limit is not None and da[1] <= row_limit):
                continue  # "(max 40 mg/day) for 4 weeks": a course length the passage does not give with its dose
            ia, ib = a.cadence.infusion, b.cadence.infusion
            if ia and ib and not (ia[0] >= ib[0] / INTERVAL_TOLERANCE and ia[1] <= ib[1] * INTERVAL_TOLERANCE):
                continue  # "infused over 4 min" is not grounded by "over 40 min": the infusion time is the passage's too
            if not _same_population_and_drug(src, k, a, b, age, drug, lex, products, sex):
                continue
            if start and not a.is_max and not a.comparator and _lower_start(src, k, a, drug, lex):
                continue
            if ta and ta[1] < 1 and (cap := _row_daily_cap(src, k)) is not None and hi / ta[1] > cap * (1 + 1e-3) \
                    and not (bind and bind.daily_ceiling is not None and bind.daily_ceiling <= cap * (1 + 1e-3)):
                # "celecoxib 200 mg twice daily" is 400 mg a day, above the row's "Max 200 mg/day for OA"; "100-200 mg
                # once or twice daily" may keep to it (once a day), as the row's own regimen does; so does a dose
                # whose statement keeps it to a daily maximum within the row's ("every hour as needed, maximum 3 mg a day").
                continue
            if not _quals_agree(src, k, quals, drug, lex):
                continue  # "on propranolol, rizatriptan 10 mg" is not the passage's 10 mg without propranolol
            if a.cadence.kind != b.cadence.kind and (ta or tb):
                continue
            if a.comparator and b.comparator and a.comparator[0] != b.comparator[0]:
                continue
            return True
    return False


def _column_continued(src: Scan, k: int) -> Amount | None:
    """For a passage amount that opens its ';' part with no words of its own before it, right after a maximum that
    closes the part before ("max. dose/day 40 mg; 20 mg geriatric"), that maximum: the column's value for another
    circumstance, named after the amount."""
    b = src.amounts[k]
    if k == 0 or b.is_max or b.comparator or not b.cadence.bare or b.sentence == 0:
        return None
    s_start, s_end = src.sentences[b.sentence]
    p_start, p_end = src.sentences[b.sentence - 1]
    prev = src.amounts[k - 1]
    if src.text[s_start:b.start].strip() or prev.sentence != b.sentence - 1 or not prev.is_max or prev.info is None \
            or b.info is None or prev.info.dim != b.info.dim or src.text[prev.end:p_end].strip() != ";" \
            or not re.match(r"\s*[A-Za-z]", src.text[b.end:s_end]):
        return None
    return prev


def _bound_alike(src: Scan, k: int, b: Amount, bind: TextBinding) -> bool:
    """Whether the passage's k-th amount is bound as the text binds its dose: not to another formulation only (the SR
    row's dose is not the XR row's), and not a daily total the passage divides into several doses where the text gives
    it once a day."""
    mention = amount_mention(src, k)
    theirs = passage_formulations(src.text, b.start, b.end, mention.end if mention is not None else None)
    if formulations_conflict(bind.formulations, theirs):
        return False
    if no_benefit(src.text, b.start, b.end):
        return False  # "evaluated a 600 mg/d dose but found no additional benefit": not a dose to give
    if bind.once_daily and (counts := divided_counts(src.text, b.end)) is not None and 1 not in counts:
        return False  # "2-20 mg once daily" is not "2-20 mg/day (divided bid or tid)"
    return True


def _course_limit(src: Scan, duration: tuple[float, float]) -> bool:
    """Whether a passage gives a course of this length as its limit ("short-term use only (up to 5 days in adults)",
    a table's footnote): a course stated as "for up to 5 days" then stands in it."""
    for m in re.finditer(r"(?i)\b(?:up\s+to|at\s+most|no\s+(?:more|longer)\s+than|maximum(?:\s+of)?)\s+(\d+)\s+"
                         r"(days?|weeks?|months?)\b", src.text):
        if abs(float(m.group(1)) * days(m.group(2)) - duration[1]) < 1e-6 and duration[0] <= duration[1]:
            return True
    return False


def variant_grounded(s: Stated, sources: list[Scan]) -> bool:
    """The per-kg (or total) equivalent of a dose for the patient's weight stands in a cited passage: a total worked out
    for this patient from the passage's own per-kg dose."""
    for src in sources:
        for b in src.amounts:
            if b.info is not None and not b.problem and b.info.dim == s.dim:
                blo, bhi = b.canon
                if blo * (1 - 1e-3) <= s.lo and s.hi <= bhi * (1 + 1e-3) or _same_course(
                        s.cadence, s.lo, s.hi, b.cadence, blo, bhi):
                    return True
    return False


def _normal(text: str) -> str:
    """Lower case, citation markers ([1], [2, 3]) and punctuation other than dose notation removed."""
    text = re.sub(r"\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]", " ", text.lower())
    return " ".join(re.sub(r"[^\w/.%-]+", " ", text).split())


def quoted(sc: Scan, a: Amount, sources: list[str] | None) -> bool:
    """Whether the sentence holding the amount stands word for word in a cited passage."""
    start, end = sc.sentences[a.sentence]
    sentence = _normal(sc.text[start:end]).strip(". ")
    return bool(sources and sentence and any(sentence in _normal(src) for src in sources))
