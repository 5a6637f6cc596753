"""What a statement says against what its span says, beyond single words: the direction of a change ("lowers" against
"more likely"), a comparison ("more effective than" against "no difference between"), a preference the source does not
state ("CBT over IPT" against "CBT, IPT or MBCT, none preferred"), a modifier that excludes the source's on the same
head ("central sleep apnea" against "obstructive sleep apnea", "mild" against "moderate-severe"), a word against its
negated form ("verified" against "unverified") and a span of time in another unit ("several days" against "within
hours"). The cues are data (assistant/data/support-polarity.yaml)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.quantities import quantities
from assistant.support_cues import _stemmer, cues, normal
from assistant.support_quantity import _time_dim
from assistant.support_scope import polarity_cues


def _norm(word: str) -> str:
    s = _stemmer().stemWord(word.lower())
    return cues().synonyms.get(s, s)


@lru_cache(maxsize=1)
def _directions() -> tuple[frozenset[str], frozenset[str]]:
    data = polarity_cues()
    return frozenset(map(_norm, data.up)), frozenset(map(_norm, data.down))


def _content(seq: Sequence[str]) -> list[int]:
    light = cues().light | polarity_cues().function
    return [i for i, w in enumerate(seq) if w not in light or w in _directions()[0] | _directions()[1]]


def _near(seq: Sequence[str], i: int, reach: int = 2) -> frozenset[str]:
    content = _content(seq)
    k = content.index(i) if i in content else 0
    return frozenset(seq[j] for j in content[max(0, k - reach):k + reach + 1] if j != i)


def _uses(seq: Sequence[str], words: frozenset[str]) -> list[int]:
    return [i for i, w in enumerate(seq) if w in words]


def direction_swaps(statement: Sequence[str], span: Sequence[Sequence[str]]) -> list[str]:
    """A change the statement gives one direction ("lowers the likelihood") where the units carrying its claim give the
    same words the other ("more likely") and never the statement's direction among them."""
    up, down = _directions()
    out = []
    for mine, other in ((up, down), (down, up)):
        if _uses(statement, other):
            continue  # the statement gives both directions ("more intensive ... to reduce mortality")
        for i in _uses(statement, mine):
            near = _near(statement, i) - up - down
            theirs = [(seq, j) for seq in span for j in _uses(seq, other) if near & _near(seq, j)]
            if not theirs:
                continue
            if any(near & _near(seq, j) for seq in span for j in _uses(seq, mine)):
                continue  # the span gives the statement's direction among the same words too
            seq, j = theirs[0]
            out.append(f"says '{statement[i]}' where the source says '{seq[j]}'")
    return sorted(set(out))


def _prefixed_stem(word: str, prefix: str, stem: str) -> bool:
    """A prefixed word whose stem the stemmer cut shorter than the bare word's ("noncritically": "noncrit", against
    "critically": "critic"): the rest after the prefix, four letters or more, begins the bare stem, at most two letters
    short of it."""
    rest = word[len(prefix):] if word.startswith(prefix) else ""
    return len(rest) >= 4 and stem.startswith(rest) and len(stem) - len(rest) <= 2


def negated_forms(statement: Sequence[str], span_words: frozenset[str], passage_words: frozenset[str]) -> list[str]:
    """A word of the statement whose negated form ("unverified", "inactive", "nonsignificant") stands in the span while
    the word itself stands nowhere in the passage (unless a negator just before it negates it there too: "none of which
    is trauma-focused" for "non-trauma-focused"), or the reverse."""
    out = []
    prefixes = polarity_cues().prefixes
    negators = polarity_cues().prefix_negators
    reach = polarity_cues().prefix_negator_reach
    negated = {w for i, w in enumerate(statement) if negators & set(statement[max(0, i - reach):i])}
    for w in set(statement):
        if w.startswith("⟨") or len(w) < 4 or w in passage_words:
            continue
        for p in prefixes:
            if w in negated:  # ("none of which is trauma-focused": "non-trauma-focused")
                continue
            said = p + w if p + w in span_words else next((x for x in span_words if _prefixed_stem(x, p, w)), None)
            if said is not None:
                out.append(f"says '{w}' where the source says '{said}'")
            if w.startswith(p) and len(w) - len(p) >= 4 and w[len(p):] in span_words:
                out.append(f"says '{w}' where the source says '{w[len(p):]}'")
    return sorted(set(out))


# ---- comparisons ---------------------------------------------------------------------------------------------------
_SIDES = re.compile(r"\b(?:than|compared\s+(?:with|to)|versus|vs\.?|relative\s+to)\b", re.I)


def _comparisons(text: str, words_of) -> list[tuple[frozenset[str], frozenset[str], int]]:
    """(words before, words after, direction) of each comparison "A ... more/less ... than B" of a text."""
    up, down = _directions()
    pc = polarity_cues()
    out = []
    flat = normal(text)
    for m in pc.unequal.finditer(flat):
        side = _SIDES.search(flat, m.start())
        if side is None or side.start() - m.end() > 60:
            continue
        start = max(flat.rfind(x, 0, m.start()) for x in ".;:") + 1
        end = min([i for i in (flat.find(x, side.end()) for x in ".;:,(") if i >= 0] or [len(flat)])
        before, after = words_of(flat[start:m.start()]), words_of(flat[side.end():end])
        said = set(words_of(m.group(0)))
        sign = 1 if said & up or re.search(r"\b(?:better|superior|outperform)", m.group(0), re.I) else -1 if said & down or re.search(r"\b(?:worse|inferior)", m.group(0), re.I) else 0
        out.append((frozenset(before[-6:]), frozenset(after[:6]), sign))
    return out


def comparison_problems(statement: str, span: Sequence[str], words_of) -> list[str]:
    """A statement that one option does better or worse than another where a span sentence that names both says they do
    not differ and none says one does better; or that one does better where the span says the other does."""
    pc = polarity_cues()
    mine = _comparisons(statement, words_of)
    if not mine or pc.equal.search(normal(statement)):
        return []
    theirs = [c for text in span for c in _comparisons(text, words_of)]
    out = []
    for a, b, sign in mine:
        a_only, b_only = a - b, b - a
        if not a_only or not b_only:
            continue
        same = [(x, y, s) for x, y, s in theirs if (a_only & x and b_only & y) or (a_only & y and b_only & x)]
        if any((a_only & x and b_only & y and s == sign) or (a_only & y and b_only & x and s == -sign) for x, y, s in same):
            continue
        if sign and any((a_only & x and b_only & y and s == -sign) or (a_only & y and b_only & x and s == sign)
                        for x, y, s in same if s):
            out.append("comparison: the source says the other way round")
        elif not same and any(pc.equal.search(normal(text)) and a_only & set(words_of(text)) and b_only & set(words_of(text))
                              for text in span):
            out.append("comparison: the source finds no difference")
    return sorted(set(out))


Pair = tuple[frozenset[str], frozenset[str]]


def _named(pair: Pair) -> Pair:
    return tuple(frozenset(w for w in side if w.startswith("⟨")) for side in pair)  # type: ignore[return-value]


def _matches(mine: Pair, theirs: Pair, reverse: bool) -> bool:
    """Whether a statement's preference (A over B) is a span's (straight, or the other way round), read by the things both
    sides name (drugs, acronyms) where both pairs name one on each side, else by their words ("adding a LABA over
    increasing the ICS dose": LABA and ICS, not "adding", which either side may say)."""
    if all(_named(mine)) and all(_named(theirs)):
        mine, theirs = _named(mine), _named(theirs)
    (a, b), (c, d) = mine, theirs
    return bool(a & d and b & c) if reverse else bool(a & c and b & d)


def preference_problems(mine: Sequence[Pair], theirs: Sequence[Pair], span: Sequence[str], words_of,
                        unstated: bool = True) -> list[str]:
    """A preference ("A over B") the span states the other way round (and nowhere this way); or, between two options a
    span sentence names together, one the span does not state at all: it says none is preferred, or lists them as
    alternatives ("A, B, or C")."""
    pc = polarity_cues()
    out = []
    for pair in mine:
        if any(_matches(pair, q, False) for q in theirs):
            continue
        if any(_matches(pair, q, True) for q in theirs):
            out.append("preference: the statement prefers what the source puts second")
            continue
        if not unstated:
            continue
        a, b = _named(pair) if all(_named(pair)) else pair
        for text in span:
            words = set(words_of(text))
            if a & words and b & words and (pc.no_preference.search(normal(text)) or _alternatives(text, a, b, words_of)):
                out.append("preference: the source states none between them")
                break
    return sorted(set(out))


def _alternatives(text: str, a: frozenset[str], b: frozenset[str], words_of) -> bool:
    """Both options stand in one list of alternatives joined by "or" ("cognitive behavioral therapy, interpersonal
    therapy, or mindfulness-based cognitive therapy")."""
    for m in re.finditer(r"[^.;:]*?\bor\b[^.;:]*", normal(text)):
        items = re.split(r",\s*(?:or\s+)?|\s+or\s+", m.group(0))
        hold_a = [i for i, item in enumerate(items) if a & set(words_of(item))]
        hold_b = [i for i, item in enumerate(items) if b & set(words_of(item))]
        if hold_a and hold_b and set(hold_a) != set(hold_b) and len(items) >= 2:
            return True
    return False


# ---- modifiers that exclude each other ---------------------------------------------------------------------------
def _modified(seq: Sequence[str]) -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """(modifier, the two content words after it and the two before it: its head, the modifiers of the same run) of each
    word of an exclusive group or scale in a word sequence; a range ("mild-moderate", "moderate to severe") is one run."""
    pc = polarity_cues()
    groups = [g for g in pc.exclusive] + [frozenset(s) for s in pc.scales]
    known = frozenset().union(*groups) if groups else frozenset()
    light = cues().light | pc.function
    out = []
    i = 0
    while i < len(seq):
        if seq[i] not in known:
            i += 1
            continue
        run = [seq[i]]
        j = i + 1
        while j < len(seq) and (seq[j] in known or seq[j] in ("to", "or", "and") and j + 1 < len(seq) and seq[j + 1] in known):
            if seq[j] in known:
                run.append(seq[j])
            j += 1
        head = [w for w in seq[j:j + 4] if w not in light and w not in known][:2]
        head += [w for w in seq[max(0, i - 3):i] if w not in light and w not in known][-2:]  # "impairment: moderate"
        if head:
            out.extend((m, frozenset(head), frozenset(run)) for m in run)
        i = j
    return out


def _allowed(run: frozenset[str], word: str) -> frozenset[str]:
    """The values a run of modifiers allows on a scale that holds the word: the run's own, and those between two of it."""
    allowed = set(run)
    for scale in polarity_cues().scales:
        if word in scale:
            at = [scale.index(m) for m in run if m in scale]
            if len(at) >= 2:
                allowed |= set(scale[min(at):max(at) + 1])
    return frozenset(allowed)


def modifier_swaps(statement: Sequence[str], claim: Sequence[Sequence[str]], span: Sequence[Sequence[str]],
                   passage: Sequence[Sequence[str]] = ()) -> list[str]:
    """A modifier the statement gives a head where the units carrying its claim give that head another of the same group
    (or a scale's range without it) and none gives it the statement's; where none of them names the head, the same read
    over the whole span, and then over the whole passage."""
    pc = polarity_cues()
    groups = [g for g in pc.exclusive] + [frozenset(s) for s in pc.scales]
    out = []
    for m, head, _ in _modified(statement):
        for units in (claim, span, passage):
            same = [(m2, run) for seq in units for m2, h2, run in _modified(seq)
                    if h2 & head and any(m in g and m2 in g for g in groups)]
            if same:
                break
        if not same or any(m in _allowed(run, m) for _, run in same):
            continue
        out.append(f"says '{m}' where the source says '{'-'.join(sorted(same[0][1]))}'")
    return sorted(set(out))


def class_swaps(statement: Sequence[str], claim: Sequence[Sequence[str]]) -> list[str]:
    """A word of one class of an exclusive group ("at bedtime") where the units carrying the claim use only another
    class of it ("each morning")."""
    out = []
    said = set(statement)
    theirs = set().union(*map(set, claim)) if claim else set()
    for group in polarity_cues().classes:
        mine = [i for i, cls in enumerate(group) if cls & said]
        given = [i for i, cls in enumerate(group) if cls & theirs]
        if mine and given and not set(mine) & set(given):
            out.append(f"says '{sorted(group[mine[0]] & said)[0]}' where the source says "
                       f"'{sorted(group[given[0]] & theirs)[0]}'")
    return out


def preference_against_neutral(statement: str, span: Sequence[str]) -> list[str]:
    """A statement that something is preferred where the span recommends none (a neutral recommendation, or none
    preferred) and states no preference itself."""
    pc, c = polarity_cues(), cues()
    text = normal(statement)
    if not pc.preferring.search(text) or c.neutral.search(text) or pc.no_preference.search(text) \
            or c.negators.search(text):
        return []
    if any(pc.preferring.search(normal(t)) for t in span):
        return []
    if any(c.neutral.search(normal(t)) or pc.no_preference.search(normal(t)) for t in span):
        return ["preference: the source recommends none"]
    return []


def widened_scope(statement: str, carriers: Sequence[str], passage: str) -> list[str]:
    """A statement that lifts a condition ("even when ...", "whatever the ...") where the units carrying its claim set
    one ("when ...", "coincides with ...") and the passage lifts none itself (support-polarity.yaml, scope_widening)."""
    pc = polarity_cues()
    if pc.widening is None or pc.restricting is None or not pc.widening.search(normal(statement)):
        return []
    if pc.widening_source is not None and pc.widening_source.search(normal(passage)):
        return []
    if any(pc.restricting.search(normal(t)) for t in carriers):
        return ["scope: the statement lifts a condition the source sets"]
    return []


# ---- a dose's interval ---------------------------------------------------------------------------------------------
_DAYS = {"day": 1.0, "week": 7.0, "month": 30.4375}
_EVERY = re.compile(r"^\s*(?:[A-Za-z/().-]+\s+){0,3}?(?:every|each|q)\s*$", re.I)


def _dose_intervals(text: str) -> list[tuple[object, float]]:
    """(dose, doses a day) of each dose a text follows with its interval in the same clause, a few words on: "675 mg
    SQ every 3 months", "225 mg SQ monthly", "5 mg three times daily"."""
    from assistant.quantities import frequencies, quantities

    flat = normal(text)
    out = []
    found = list(quantities(flat))
    at = 0
    for q in found:
        i = flat.find(q.text, at)
        if i < 0 or q.dim is None or not q.dim.startswith(("[mass]", "[intl_activity]")) or "[time]" in q.dim:
            continue
        at = i + len(q.text)
        after = re.split(r"[;,.(]|\bor\b|\band\b|\bthen\b", flat[at:at + 60], maxsplit=1)[0]
        rate = None
        for p in quantities(after):
            before = after[:after.find(p.text)]
            per = re.match(r"\s*(?:a|per|each|every)?\s*(day|daily|week|weekly|month|monthly)\b",
                           after[after.find(p.text) + len(p.text):], re.I)
            if p.dim == "[times]" and per:  # "three times daily", "2 times a week"
                rate = p.low / _DAYS[{"daily": "day", "weekly": "week", "monthly": "month"}.get(per.group(1).lower(),
                                                                                              per.group(1).lower())]
                break
            if p.dim == "[time]" and _EVERY.match(before):
                rate = 86400.0 / ((p.low + p.high) / 2)  # p in seconds: doses a day
                break
            if p.dim is not None and p.dim.startswith(("[mass]", "[intl_activity]")):
                break  # the next dose: this one has no interval of its own
        if rate is None:
            times = sorted(frequencies(after))
            if times:
                n, period = times[0]
                rate = n / _DAYS[period]
        if rate is not None:
            out.append((q, rate))
    return out


def interval_swaps(statement: str, span: Sequence[str]) -> list[str]:
    """A dose the statement gives an interval ("675 mg every month") where the span gives that dose only another
    ("675 mg SQ every 3 months")."""
    from assistant.quantities import quantity_in

    theirs = [x for text in span for x in _dose_intervals(text)]
    out = []
    for q, rate in _dose_intervals(statement):
        given = [r for p, r in theirs if quantity_in(q, [p])]
        if given and not any(abs(r - rate) <= 0.02 * max(r, rate) for r in given):
            out.append(f"interval: '{q.text.strip()}' is given at another interval in the source")
    return out


# ---- the order of treatments ---------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _sequence() -> tuple[re.Pattern, re.Pattern] | None:
    import yaml

    from assistant.support_scope import POLARITY_FILE

    data = yaml.safe_load(POLARITY_FILE.read_text(encoding="utf-8")).get("sequence")
    if not data:
        return None
    return re.compile(data["before"], re.I), re.compile(data["after"], re.I)


def _ordered(text: str, rx: re.Pattern, words_of) -> list[frozenset[str]]:
    """The words of the treatment each order cue of a text puts the claim before or after (up to four, in its clause)."""
    flat = normal(text)
    out = []
    for m in rx.finditer(flat):
        rest = re.split(r"[,;:.()]|\b(?:and|or|but|who|which|if|when)\b", flat[m.end():], maxsplit=1)[0]
        words = frozenset(words_of(rest)[:4])
        if words:
            out.append(words)
    return out


def sequence_swaps(statement: str, claim: Sequence[str], words_of) -> list[str]:
    """A treatment the statement puts the claim before where the units carrying it put the claim only after that
    treatment has been tried (or failed), and the reverse."""
    rx = _sequence()
    if rx is None:
        return []
    before, after = rx
    out = []
    for mine_rx, theirs_rx, said in ((before, after, "before"), (after, before, "after")):
        mine = _ordered(statement, mine_rx, words_of)
        if not mine:
            continue
        same = [w for text in claim for w in _ordered(text, mine_rx, words_of)]
        other = [w for text in claim for w in _ordered(text, theirs_rx, words_of)]
        for words in mine:
            if any(words & o for o in other) and not any(words & o for o in same):
                out.append(f"sequence: the statement puts it {said} {' '.join(sorted(w.strip('⟨⟩') for w in words))}, "
                           f"the source the other way round")
    return sorted(set(out))


_VAGUE = re.compile(r"(?<![\w.,-])(?:(?:several|a\s+few|few|many|some|within|for|over|after|in|of|take|takes|took)\s+)(minutes|hours|days|weeks|months|years)\b",
                    re.I)


def _time_scales(text: str) -> frozenset[str]:
    """The units of time a text speaks of without a number ("within hours", "several days")."""
    return frozenset(m.group(1).lower() for m in _VAGUE.finditer(text))


def vague_duration_problems(statement: str, span: str) -> list[str]:
    """A span of time the statement gives in one unit without a number ("several days after the infusion") where the
    span gives one only in another unit and states no duration with a number ("within hours of the infusion")."""
    mine = _time_scales(normal(statement))
    if not mine:
        return []
    theirs = _time_scales(normal(span))
    time = _time_dim()
    if not theirs or mine & theirs or any(q.dim == time for q in quantities(normal(span))):
        return []
    return [f"speaks of {'/'.join(sorted(mine))} where the source speaks of {'/'.join(sorted(theirs))}"]
