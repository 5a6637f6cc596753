"""An amount restated between millimoles and milligrams ("under 100 mmol per day, i.e. roughly 2,300 mg of sodium",
"2,300 mg/day (100 mmol)"): the two must agree by the substance's molar mass (assistant/doses/data/molar-masses.yaml).
The grammar reads no mmol amounts, so a wrong restatement would otherwise pass on the mg figure alone."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.doses.numbers import NUM, SEP, fmt, number
from assistant.doses.parse import Scan
from assistant.models import DoseFinding

MOLAR_FILE = Path(__file__).parent / "data" / "molar-masses.yaml"
_MMOL = re.compile(rf"(?<![\w.])(?P<lo>{NUM})(?:{SEP}(?P<hi>{NUM}))?\s*mmol\b(?!\s*/\s*(?:L|l|dL|kg)\b)")
_PER_DAY = r"(?:\s*(?:/|per|a)\s*(?:day|d|24\s*h\w*))?"
# Between the two forms: "per day, i.e. roughly", "/day, which is", " (", " or about".
_BETWEEN = re.compile(rf"(?i){_PER_DAY}\s*[,(]?\s*(?:i\.e\.,?|which\s+is|that\s+is|equal\s+to|=|≈|~|or)?\s*"
                      r"(?:about|roughly|approximately|approx\.|around|~)?\s*")


@lru_cache(maxsize=1)
def _substances() -> tuple[tuple[float, re.Pattern], float]:
    data = yaml.safe_load(MOLAR_FILE.read_text(encoding="utf-8"))
    found = tuple((float(v["mg_per_mmol"]), re.compile(r"\b(?:" + "|".join(map(re.escape, v["names"])) + r")\b"))
                  for v in data["substances"].values())
    return found, float(data["tolerance"])


def _span(m: re.Match) -> tuple[float, float]:
    lo = number(m.group("lo"))[0]
    return lo, number(m.group("hi"))[0] if m.group("hi") else lo


def molar_findings(sc: Scan) -> list[DoseFinding]:
    """A finding for every mg amount restating a mmol amount next to it (either order) of a substance the sentence
    names: unit_error when they disagree by its molar mass."""
    substances, tol = _substances()
    out: list[DoseFinding] = []
    for m in _MMOL.finditer(sc.text):
        s_start, s_end = sc.sentences[sc.sentence_of(m.start())]
        factor = next((f for f, names in substances if names.search(sc.text, s_start, s_end)), None)
        if factor is None:
            continue
        for a in sc.amounts:
            if a.info is None or a.info.dim != "mass" or a.sentence != sc.sentence_of(m.start()):
                continue
            after = a.start >= m.end() and _BETWEEN.fullmatch(sc.text, m.end(), a.start)
            before = a.end <= m.start() and re.fullmatch(rf"(?i){_PER_DAY}\s*[(,]?\s*(?:i\.e\.,?|or|=|≈|~)?\s*"
                                                         r"(?:about|roughly|approximately|around|~)?\s*",
                                                         sc.text[a.end:m.start()])
            if not (after or before):
                continue
            mg = (a.canon[0] * 1000, a.canon[1] * 1000)  # the canonical mass unit is the gram
            mmol = _span(m)
            if all(abs(g - n * factor) <= tol * n * factor for g, n in zip(mg, mmol)):
                continue
            out.append(DoseFinding(
                text=sc.text[a.start:a.end], start=a.start, end=a.end, value=[a.low, a.high] if a.is_range else a.low,
                unit=a.unit, per_kg=False, verdict="unit_error",
                message=f"{m.group(0)} is {'-'.join(dict.fromkeys(fmt(n * factor) for n in mmol))} mg at "
                        f"{fmt(factor)} mg per mmol, not {a.text.strip()}."))
    return out
