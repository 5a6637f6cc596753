"""Doses written as a count of tablets or capsules ("2 tablets twice daily"), read as doses when a cited passage gives
the strength of one unit of that drug ("2 tablets twice daily (naltrexone 16 mg/bupropion 180 mg)", "tablets (8 mg/
90 mg)"): the text's count is then that many times the strength, held to the passage's counts and doses for the same
drug, cadence and circumstances (renal impairment, with another drug) like any dose. Words in data/counts.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.cadence import cadence
from assistant.doses.lexicon import Lexicon
from assistant.doses.numbers import fmt
from assistant.doses.parse import _MAX, Amount, Scan
from assistant.doses.units import unit_info
from assistant.models import DoseFinding

COUNTS_FILE = Path(__file__).parent / "data" / "counts.yaml"


@dataclass(frozen=True)
class CountWords:
    count: re.Pattern  # "2 tablets", "one or two capsules"
    body: str  # the same pattern without flags, to combine with others
    numbers: dict[str, float]
    strength_after: re.Pattern  # what joins a count (or a unit word) to the strength it is ("(", "of", "each")


@lru_cache(maxsize=1)
def words() -> CountWords:
    data = yaml.safe_load(COUNTS_FILE.read_text(encoding="utf-8"))
    numbers = {str(k).lower(): float(v) for k, v in data["numbers"].items()}
    num = "|".join(sorted((re.escape(k) for k in numbers), key=len, reverse=True))
    units = "|".join(data["units"])
    body = rf"(?<![\w.,/])(?P<lo>{num})(?:\s*(?:-|–|to|or)\s*(?P<hi>{num}))?\s+(?:{units})\b"
    return CountWords(count=re.compile("(?i)" + body), body=body, numbers=numbers,
                      strength_after=re.compile(data["strength_after"]))


@dataclass(frozen=True)
class Count:
    start: int
    end: int
    lo: float
    hi: float


def counts(text: str) -> list[Count]:
    """Every count of units in a text."""
    w = words()
    return [Count(m.start(), m.end(), w.numbers[m.group("lo").lower()],
                  w.numbers[(m.group("hi") or m.group("lo")).lower()]) for m in w.count.finditer(text)]


def _component(drug: str) -> str:
    """The first drug of a combination product ("naltrexone/bupropion" -> "naltrexone")."""
    return drug.split("/")[0]


def _drug_of(sc: Scan, pos: int) -> str | None:
    """The drug a count at pos is of: the last one named before it in its sentence, else the first after it, else the
    last one of the ';'-joined parts before it."""
    k = sc.sentence_of(pos)
    in_sent = sc.in_sentence(sc.drugs, k)
    before = [d for d in in_sent if d.end <= pos]
    after = [d for d in in_sent if d.start >= pos]
    m = (before[-1:] or after[:1] or [None])[0]
    while m is None and k > 0 and sc.text[sc.sentences[k - 1][0]:sc.sentences[k - 1][1]].rstrip().endswith(";"):
        k -= 1  # a part after a semicolon goes on with its row ("...; renal impairment: maximum 1 tablet twice a day")
        m = (sc.in_sentence(sc.drugs, k)[-1:] or [None])[0]
    return m.canonical if m is not None else None


def strengths(src: Scan, drug: str) -> set[tuple[float, str]]:
    """The strengths of one unit of a drug a passage gives, in canonical units: a count followed by the amounts it
    holds ("2 tablets twice daily (naltrexone 16 mg/...)": 8 mg), or a unit word followed by its strength
    ("tablets (8 mg/90 mg)")."""
    w = words()
    want = _component(drug)
    out: set[tuple[float, str]] = set()
    for m in re.finditer(rf"(?i)(?:{w.body})|\b(?:tablets?|capsules?)\b", src.text):
        lo = w.numbers.get((m.groupdict().get("lo") or "").lower(), 1.0)
        hi = w.numbers.get((m.groupdict().get("hi") or m.groupdict().get("lo") or "").lower(), lo)
        if lo != hi:
            continue
        nxt = next((a for a in src.amounts if a.start >= m.end()), None)
        if nxt is None or nxt.info is None or nxt.info.dim != "mass" or nxt.problem or nxt.is_range:
            continue
        gap = src.text[m.end():nxt.start]
        if not w.strength_after.fullmatch(gap):
            continue
        named = [d for d in src.drugs if m.end() <= d.start < nxt.start]
        first = named[0].canonical if named else _drug_of(src, m.start())
        if first is None or _component(first) != want and first != drug:
            continue
        out.add((nxt.canon[0] / lo, nxt.info.dim))
    return out


def part_strengths(src: Scan, drug: str, strength: float) -> dict[str, float]:
    """Each part of a combination with the strength of one unit, where a passage gives one unit of the first part at
    `strength` and the other parts right after it ("naltrexone 16 mg/bupropion 180 mg" for 2 tablets: 8 and 90)."""
    from assistant.doses.grounding import amount_drug

    for k, a in enumerate(src.amounts):
        d = amount_drug(src, k)
        if a.info is None or a.info.dim != "mass" or d is None or _component(d) != _component(drug) or a.canon[0] <= 0:
            continue
        units = a.canon[0] / strength
        if abs(units - round(units)) > 1e-6:
            continue
        parts, last = {_component(drug): strength}, a
        for j in range(k + 1, len(src.amounts)):
            b = src.amounts[j]
            if b.info is None or b.info.dim != "mass" or not re.fullmatch(r"\s*/?\s*", src.text[last.end:b.start]) and \
                    not re.fullmatch(r"\s*/\s*[A-Za-z-]+\s*", src.text[last.end:b.start]):
                break
            e = amount_drug(src, j)
            if e is None or "/" in e:  # "tablets (8 mg/90 mg)": the parts in the order the combination names them
                names = drug.split("/")
                e = names[len(parts)] if len(parts) < len(names) else None
            if e is not None:
                parts[e] = b.canon[0] / units
            last = b
        if len(parts) > 1:
            return parts
    return {_component(drug): strength}


def _synthetic(sc: Scan, c: Count, strength: float) -> Amount:
    """The count as an amount of the drug in mg, with the cadence and ceiling words around it."""
    s_start, s_end = sc.sentences[sc.sentence_of(c.start)]
    after = sc.text[c.end:min(s_end, c.end + 50)]
    nxt = next((a.start for a in sc.amounts if c.end <= a.start < s_end), None)
    if nxt is not None:
        after = sc.text[c.end:min(nxt, c.end + 50)]
    # "1 tab AM + 1 tab PM = 2 tabs a day": a sum's sign ends a count's words ("a day" is the sum's)
    after = re.split(r"[+=]", after)[0]
    before = sc.text[max(s_start, c.start - 40):c.start]
    info = unit_info("mg")
    is_max = bool(_MAX.search(sc.text[max(s_start, c.start - 64):c.start]))
    return Amount(start=c.start, end=c.end, text=sc.text[c.start:c.end], low=c.lo * strength / info.factor,
                  high=c.hi * strength / info.factor, is_range=c.lo != c.hi, unit="mg", info=info, is_max=is_max,
                  cadence=cadence(after, before, None), sentence=sc.sentence_of(c.start))


def _with(sc: Scan, extra: list[Amount]) -> Scan:
    """A scan with extra amounts among its own (their heads renumbered)."""
    if not extra:
        return sc
    merged = sorted([(a.start, 0, k, a) for k, a in enumerate(sc.amounts)] + [(a.start, 1, -1, a) for a in extra])
    index = {k: n for n, (_, _, k, _) in enumerate(merged) if k >= 0}
    amounts = tuple(replace(a, head=index[a.head]) if a.head is not None else a for _, _, _, a in merged)
    return replace(sc, amounts=amounts)


def _own_only(src: Scan, drug: str) -> Scan:
    """A passage whose doses of other drugs are set aside (they still divide its sentences into their parts)."""
    from assistant.doses.grounding import amount_drug

    keep = [a if (d := amount_drug(src, k)) is None or _ours(d, drug)
            else replace(a, problem="another drug's dose") for k, a in enumerate(src.amounts)]
    # A combination's parts named apart ("Naltrexone 8 mg/bupropion 90 mg") are the one product here.
    drugs = tuple(replace(m, canonical=drug) if _ours(m.canonical, drug) else m for m in src.drugs)
    return replace(src, amounts=tuple(keep), drugs=drugs)


def _ours(name: str, drug: str) -> bool:
    """Whether a drug name is the drug or one of the parts of its combination."""
    return bool(set(name.split("/")) & set(drug.split("/")))


@dataclass(frozen=True)
class CountDose:
    """A count of units read as a dose: its finding, the amount it stands for, and each part's strength of one unit."""

    finding: DoseFinding
    amount: Amount
    parts: dict[str, float]


def count_findings(sc: Scan, srcs: list[Scan] | None, lex: Lexicon | None) -> list[DoseFinding]:
    """A finding for every count of units in the text whose drug's unit strength a cited passage gives."""
    return [c.finding for c in count_doses(sc, srcs, lex)]


@lru_cache(maxsize=256)
def _count_doses(sc: Scan, srcs: tuple[Scan, ...], lex: Lexicon | None, drug: str | None,
                 asked: frozenset[str]) -> tuple[CountDose, ...]:
    return tuple(_read_counts(sc, list(srcs), lex, drug, asked))


def count_doses(sc: Scan, srcs: list[Scan] | None, lex: Lexicon | None, drug: str | None = None,
                asked: frozenset[str] = frozenset()) -> tuple[CountDose, ...]:
    """Every count of units in the text whose drug's unit strength a cited passage gives, read as a dose. drug: the
    answer's drug (its question's), for a count whose statement names none ("Usual escalation to 2 tabs BID" about
    Contrave); asked: the circumstances the question names (hepatic impairment), the patient's."""
    if not srcs or not words().count.search(sc.text):
        return ()
    return _count_doses(sc, tuple(srcs), lex, drug, asked)


def _read_counts(sc: Scan, srcs: list[Scan], lex: Lexicon | None, answer_drug: str | None = None,
                 asked: frozenset[str] = frozenset()) -> list[CountDose]:
    from assistant.doses.grounding import in_sources, qualifiers

    out: list[CountDose] = []
    for c in counts(sc.text):
        if any(0 <= c.start - a.end <= 15 for a in sc.amounts):
            continue  # "2.5 mcg, two inhalations": the strength is the text's own, read with its amount
        drug = _drug_of(sc, c.start)
        if drug is None and answer_drug and not sc.drugs:
            drug = answer_drug  # a statement naming no drug at all is about the answer's drug
        if drug is None:
            continue
        # "naltrexone and bupropion" (Contrave) is the combination the passages write "naltrexone/bupropion"
        from assistant.doses.combinations import _data as _combination_words
        drug = "/".join(p.strip().lower() for p in _combination_words()[1].split(drug) if p.strip())
        found = set().union(*(strengths(src, drug) for src in srcs))
        if len(found) != 1:
            continue  # no strength (or several): the count cannot be read as a dose
        strength, _ = found.pop()
        a = _synthetic(sc, c, strength)
        text = _with(sc, [a])
        passages = [_with(_own_only(src, drug), [
            _synthetic(src, pc, strength) for pc in counts(src.text)
            if (d := _drug_of(src, pc.start)) is not None and _ours(d, drug)
            and not any(0 <= pc.start - b.end <= 15 for b in src.amounts)]) for src in srcs]
        quals = qualifiers(text, a, lex, drug) | asked
        mg = f"{fmt(a.low)} mg" if a.low == a.high else f"{fmt(a.low)}-{fmt(a.high)} mg"
        # The passages keep only this drug's doses (and their counts) to ground it: the drug is settled here.
        held = in_sources(a, passages, None, None, lex, quals=quals)
        finding = (DoseFinding(
            text=a.text, start=a.start, end=a.end, drug=drug, value=c.lo if c.lo == c.hi else [c.lo, c.hi],
            unit=a.text.split()[-1].lower(), per_kg=False, frequency=a.cadence.text,
            verdict="grounded" if held else "ungrounded",
            message=(f"{a.text} of {fmt(strength / a.info.factor)} mg ({_component(drug)}) is {mg}" + (
                "; the cited passage states it." if held else
                ", which the cited passage does not give for this" + (
                    f" ({', '.join(sorted(quals))})" if quals else "") + "."))))
        parts = next((p for src in srcs if len(p := part_strengths(src, drug, strength)) > 1), {_component(drug): strength})
        out.append(CountDose(finding, a, parts))
    return out
