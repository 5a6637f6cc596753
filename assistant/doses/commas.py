"""Commas in numbers: a decimal comma ("0,4 g/kg") is read as a decimal point; a comma before exactly three digits
("1,500 mg") is a thousands separator, but in a text that writes decimal commas elsewhere it could be either, so it
is read both ways and a dose that fails either reading is withheld."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.doses.numbers import AMBIGUOUS_COMMA, DECIMAL_COMMA
from assistant.models import PASSING_VERDICTS, DoseFinding

_DECIMAL = re.compile(rf"(?<![\d.,]){DECIMAL_COMMA}")
_AMBIGUOUS = re.compile(AMBIGUOUS_COMMA)


def ambiguous_spans(text: str, amounts) -> list[tuple[int, int]]:
    """The ambiguous commas ("1,500") inside amounts of a text that writes a decimal comma in another amount."""
    decimal = [a for a in amounts if _DECIMAL.search(a.text)]
    if not decimal:
        return []
    return [(m.start(), m.end()) for a in amounts if a not in decimal
            for m in _AMBIGUOUS.finditer(text, a.start, a.end)]


def decimal_reading(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with each ambiguous comma read as a decimal point ("1,500" -> "1.500": the same length and spans)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = text[start:end].replace(",", ".")
    return "".join(chars)


def both_readings(text: str, found: list[DoseFinding], spans: list[tuple[int, int]],
                  check: Callable[[str], list[DoseFinding]]) -> list[DoseFinding]:
    """The findings, with a dose whose ambiguous comma fails when read as a decimal comma withheld as well."""
    if not spans:
        return found
    other = {(f.start, f.end): f for f in check(decimal_reading(text, spans))}
    out = []
    for f in found:
        alt = other.get((f.start, f.end))
        if alt is not None and f.verdict in PASSING_VERDICTS and alt.verdict not in PASSING_VERDICTS and any(
                f.start <= s and e <= f.end for s, e in spans):
            f = f.model_copy(update={"verdict": alt.verdict, "rule_id": alt.rule_id or f.rule_id, "message": (
                f"This text writes decimal commas, so {f.text} may mean {alt.text.replace(',', '.')}: read that way, "
                f"{alt.message[:1].lower()}{alt.message[1:]}")})
        out.append(f)
    return out
