"""Numbers as doses are written: digits, decimal commas and words ("three to four"), and back to text."""

from __future__ import annotations

import math
import re

_ONES = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_VALUES = {w: i + 1 for i, w in enumerate(_ONES)} | {w: i + 10 for i, w in enumerate(_TEENS)}
WORD_VALUES |= {w: (i + 2) * 10 for i, w in enumerate(_TENS)} | {"zero": 0}
_SMALL = rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_ONES)}))?|{'|'.join(_TEENS + _ONES)}|zero)"
_DIGIT_WORD = rf"(?:{'|'.join(_ONES)}|zero|oh)"
WORDNUM = (rf"(?i:(?<![A-Za-z-]){_SMALL}(?:\s+thousand(?:\s+(?:and\s+)?{_SMALL})?)?(?:\s+hundred(?:\s+(?:and\s+)?{_SMALL})?)?"
           rf"(?:\s+point(?:\s+{_DIGIT_WORD})+|\s+and\s+a\s+half)?(?![A-Za-z]))")
# A comma followed by exactly three digits is a thousands separator ("1,500"); any other count of digits after it makes
# it a decimal comma ("0,4", "1,25", "0,0125"), read as a decimal point.
DECIMAL_COMMA = r"\d+,(?:\d{1,2}|\d{4,})(?![\d,])"
AMBIGUOUS_COMMA = r"(?<![\d.,])\d{1,3},\d{3}(?![\d,]|[.·]\d)"  # "1,500": 1500, or 1.5 in a text of decimal commas
DIGNUM = r"(?<![\d.])(?:" + DECIMAL_COMMA + r"|(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.·]\d+)?|\.\d+)"
NUM = rf"(?:{DIGNUM}|{WORDNUM})"
# Between the two ends of a range: a dash of any kind, "to" or "through".
SEP = r"(?:\s*[-–—−‑‒]\s*|\s+(?:to|through)\s+)"


def number(raw: str) -> tuple[float, str | None]:
    """Value of a number written in digits or words, and a problem if it is not plainly readable."""
    raw = raw.strip().lower()
    if re.fullmatch(DECIMAL_COMMA, raw):
        return float(raw.replace(",", ".")), None  # "0,4 g/kg": a decimal comma (a thousands comma has 3 digits)
    if raw[:1].isdigit() or raw[:1] == ".":
        return float(raw.replace(",", "").replace("·", ".")), None  # "0·4": a raised decimal point
    whole, _, decimals = raw.replace("and a half", "point five").partition(" point ")
    total, group = 0.0, 0.0
    for part in re.split(r"[\s-]+", whole):
        if part == "thousand":
            total, group = total + (group or 1) * 1000, 0.0
        elif part == "hundred":
            group = (group or 1) * 100
        elif part in WORD_VALUES:
            group += WORD_VALUES[part]
    digits = "".join(str(WORD_VALUES.get(d, 0)) for d in decimals.split() if d in WORD_VALUES or d == "oh")
    return total + group + (float(f"0.{digits}") if digits else 0.0), None


def fmt(x: float) -> str:
    """A number as a clinician would write it: no trailing zero, no naked decimal."""
    if x == 0:
        return "0"
    if not math.isfinite(x):  # never raise (OverflowError) on a degenerate value; weights are bounded at the API
        return str(x)
    digits = max(0, 3 - int(math.floor(math.log10(abs(x)))))
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def span_text(lo: float, hi: float) -> str:
    """'0.4' or '0.4-0.6'."""
    return fmt(lo) if math.isclose(lo, hi) else f"{fmt(lo)}-{fmt(hi)}"
