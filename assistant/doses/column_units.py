"""A table's unit given once, in a column label: "comparative dose (mcg/day) ages >=12 years; low dose 80-240; medium
dose >240-480" or "highest recommended dose per product labeling (mcg/day) 640". The bare numbers of the row after
such a label are amounts in that unit; a passage is read with the unit written after each of them, so its doses can
ground a text's doses like any other. Only a dose unit counts (a mass, a mass per day, per kg, a rate), never a
label such as "(years)" or "(%)"."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.doses.units import unit_info

# A parenthesised unit in a label: "(mcg/day)", "(mg)", "(mg/kg/day)".
_LABEL_UNIT = re.compile(r"\((?P<unit>(?:mcg|µg|μg|mg|g|mL|units?|IU|mmol|mEq)(?:\s*/\s*[A-Za-z0-9]+){0,3})\)")
# Any other label in words ("(years)", "(%)", "(brand)"): it ends the column a unit label opened.
_OTHER_LABEL = re.compile(r"\([A-Za-z%][A-Za-z% ]*(?:/\s*[A-Za-z0-9]+)*\)")
# A bare number or range: not part of a word ("F-2"), a citation ("[147]"), a decimal or a larger number, and no unit
# (or "years", "%", "times") written after it.
_BARE = re.compile(r"(?<![\w.,\[/-])(?P<n>\d[\d,]*(?:\.\d+)?(?:\s*[-–]\s*\d[\d,]*(?:\.\d+)?)?)"
                   r"(?!\s*(?:[-–]\s*)?[\w%µμ/×.,\]]|\d)")


def _dose_unit(unit: str) -> bool:
    info = unit_info(unit.replace(" ", ""))
    return info is not None and not info.dim.startswith("other:") and info.dim != "dimensionless"


# A PDF's hard line break inside a sentence of prose ("raised to 30 mg/day for one to two\nweeks", "12 mg per\n24-hours"):
# the next line goes on in lower case, or with a number after a word that wants one. Replaced by a space (the same
# length, so positions hold), the sentence's course lengths and repeats read as in running text.
_WRAPPED = re.compile(r"(?<=[a-z,])\n(?=[a-z(])|\b(?P<w>per|to|of|and|or|every|for|than|over)\n(?=\d)")


def unwrapped(passage: str) -> str:
    """The passage with its hard line breaks inside sentences of prose turned into spaces."""
    return _WRAPPED.sub(lambda m: (m.group("w") or "") + " ", passage) if "\n" in passage else passage


@lru_cache(maxsize=1024)
def with_column_units(passage: str) -> str:
    """The passage with a column label's unit written after each bare number that follows the label on its line (up
    to the next label naming a unit)."""
    if "(" not in passage or not _LABEL_UNIT.search(passage):
        return passage
    lines = []
    for line in passage.split("\n"):
        labels = [m for m in _LABEL_UNIT.finditer(line) if _dose_unit(m.group("unit"))]
        others = [m.start() for m in _OTHER_LABEL.finditer(line) if not any(m.start() == u.start() for u in labels)]
        if not labels:
            lines.append(line)
            continue
        out, pos = [line[:labels[0].start()]], labels[0].start()
        for k, m in enumerate(labels):
            stop = min([labels[k + 1].start() if k + 1 < len(labels) else len(line)]
                       + [o for o in others if o > m.end()])
            unit = m.group("unit").replace(" ", "")
            out.append(line[pos:m.end()])
            segment = line[m.end():stop]
            out.append(_BARE.sub(lambda b: f"{b.group('n')} {unit}", segment))
            pos = stop
        lines.append("".join(out) + line[pos:])
    return "\n".join(lines)
