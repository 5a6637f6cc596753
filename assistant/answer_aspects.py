"""What a question asks about and where a passage answers it, as the extractive composer reads them: the seed-style
sections a chunk's heading path files it under, the order they are shown in, and per aspect the words that ask it, the
section that answers it and the cues of a statement answering it. The words are data (data/answer-aspects.yaml), shared
by every corpus."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assistant.errors import ConfigError
from assistant import routes
from assistant.routes import Routes, fill

ASPECTS_FILE = Path(__file__).parent / "data" / "answer-aspects.yaml"


def _pattern(text: object, where: str) -> re.Pattern[str]:
    try:
        return re.compile(str(text), re.I)
    except re.error as exc:
        raise ConfigError(f"{ASPECTS_FILE}: {where} is not a valid regular expression ({exc})") from exc


def _load() -> dict:
    try:
        data = yaml.safe_load(ASPECTS_FILE.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{ASPECTS_FILE}: cannot read: {exc}") from exc
    for key in ("sections", "section_order", "dose_number", "checking", "response_asked", "ceiling_asked", "floor_asked", "rounding_asked", "amount_checked", "interval_preferred", "dose_for_level_asked", "total_asked", "aspects"):
        if key not in data:
            raise ConfigError(f"{ASPECTS_FILE}: '{key}' is missing")
    return data


_DATA = _load()
# (section name, the heading words that file a chunk under it), first match wins
SECTION_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    (str(row["name"]), tuple(str(w).lower() for w in row.get("heading_words") or ())) for row in _DATA["sections"]]
SECTION_ORDER: list[str] = [str(name) for name in _DATA["section_order"]]
DOSE_NUMBER = _pattern(_DATA["dose_number"], "dose_number")
CHECKING = _pattern(_DATA["checking"], "checking")
RESPONSE_ASKED = _pattern(_DATA["response_asked"], "response_asked")
CEILING_ASKED = _pattern(_DATA["ceiling_asked"], "ceiling_asked")
FLOOR_ASKED = _pattern(_DATA["floor_asked"], "floor_asked")
ROUNDING_ASKED = _pattern(_DATA["rounding_asked"], "rounding_asked")
AMOUNT_STATED = _pattern(_DATA["amount_checked"]["amount"], "amount_checked.amount")
AMOUNT_CHECKED = _pattern(_DATA["amount_checked"]["checked"], "amount_checked.checked")
INTERVAL_PREFERRED = _pattern(_DATA["interval_preferred"], "interval_preferred")
DOSE_FOR_LEVEL_ASKED = _pattern(_DATA["dose_for_level_asked"], "dose_for_level_asked")
TOTAL_ASKED = _pattern(_DATA["total_asked"]["asked"], "total_asked.asked")
ADDED_DOSE = _pattern(_DATA["total_asked"]["added"], "total_asked.added")


def _aspects(routes: Routes) -> dict[str, tuple[re.Pattern[str], str, re.Pattern[str]]]:
    return {str(name): (_pattern(fill(str(row["asks"]), routes), f"aspects.{name}.asks"), str(row["section"]),
                        DOSE_NUMBER if row["cues"] == "dose_number" else _pattern(fill(str(row["cues"]), routes),
                                                                                  f"aspects.{name}.cues"))
            for name, row in _DATA["aspects"].items()}


# aspect -> (the words that ask it, the section that answers it, the cues of a statement answering it); the patterns'
# route placeholders are filled from the corpus lexicon's routes
ASPECTS: dict[str, tuple[re.Pattern[str], str, re.Pattern[str]]] = _aspects(routes.current())


def bind_routes(corpus_routes: Routes) -> None:
    """Fill the aspects' route placeholders from a corpus's routes (in place: every importer of ASPECTS sees them)."""
    if routes.bind(corpus_routes):
        ASPECTS.clear()
        ASPECTS.update(_aspects(corpus_routes))
