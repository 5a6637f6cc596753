"""British -> American spelling of single words (assistant/data/spelling.yaml), shared by the lexical index, the
question reader and the support check, so that "haemolysis" meets "hemolysis"."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=1)
def _spelling() -> tuple[dict[str, str], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    data = yaml.safe_load(resources.files("assistant").joinpath("data/spelling.yaml").read_text(encoding="utf-8")) or {}
    by_length = lambda pairs: tuple(sorted(((str(k), str(v)) for k, v in (pairs or {}).items()), key=lambda p: -len(p[0])))
    return ({str(k): str(v) for k, v in (data.get("words") or {}).items()}, by_length(data.get("prefixes")),
            by_length(data.get("suffixes")))


@lru_cache(maxsize=65536)
def american(word: str) -> str:
    """A lower-case word in American spelling (assistant/data/spelling.yaml): haemolysis -> hemolysis."""
    words, prefixes, suffixes = _spelling()
    if word in words:
        return words[word]
    for old, new in prefixes:
        if word.startswith(old):
            word = new + word[len(old):]
            break
    for old, new in suffixes:
        if word.endswith(old) and len(word) >= len(old) + 3:
            return word[: -len(old)] + new
    return word
