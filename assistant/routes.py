"""The routes a corpus's products are given by, from the corpus lexicon (`routes` in corpus/lexicon.yaml): the words and
product names naming each route, and the routes a patient is switched onto. The shared data files name no product:
their patterns write `{route_words}` (any route's words: "her ivig dose") and `{switch_route_words}` (the words of a
route switched onto: a statement offering SCIG answers a switch), filled here from the corpus's own lexicon, so another
corpus brings its own products and routes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import ConfigError

NEVER = r"(?!)"  # a placeholder a corpus gives no words for matches nothing


@dataclass(frozen=True)
class Routes:
    """Each route's words (lower case), and the routes a switch goes onto."""

    words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    switch_to: frozenset[str] = frozenset()

    def all_words(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for _, ws in self.words for w in ws))

    def switch_words(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for name, ws in self.words if name in self.switch_to for w in ws))


def read_routes(rows: object, where: object = "corpus lexicon") -> Routes:
    """The `routes` mapping of a corpus lexicon: route -> {words: [...], switch_to: bool}."""
    if not rows:
        return Routes()
    if not isinstance(rows, dict):
        raise ConfigError(f"{where}: 'routes' must map each route to its words")
    words, switch = [], set()
    for name, row in rows.items():
        if not isinstance(row, dict) or not isinstance(row.get("words"), list):
            raise ConfigError(f"{where}: route {name!r} needs a list of words")
        words.append((str(name), tuple(str(w).lower() for w in row["words"])))
        if row.get("switch_to"):
            switch.add(str(name))
    return Routes(tuple(words), frozenset(switch))


def _alternation(words: tuple[str, ...]) -> str:
    """Whole phrases, longest first, a space matching any run of spaces; a word ending in a letter may take an ending
    only where the pattern around it allows."""
    if not words:
        return NEVER
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


def fill(pattern: str, routes: Routes) -> str:
    """A shared pattern with its route placeholders filled from the corpus's routes."""
    return pattern.replace("{route_words}", _alternation(routes.all_words())).replace(
        "{switch_route_words}", _alternation(routes.switch_words()))


def _bundled() -> Routes:
    """The routes of the bundled corpus's lexicon: those in force until an assistant binds its own corpus's."""
    import yaml

    from assistant.settings import PROJECT_ROOT

    path = PROJECT_ROOT / "corpus" / "lexicon.yaml"
    try:
        data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    return read_routes(data.get("routes") if isinstance(data, dict) else None, path)


_CURRENT: list[Routes] = [_bundled()]


def current() -> Routes:
    """The routes the shared patterns are filled with now (the corpus an assistant answers from, bind())."""
    return _CURRENT[0]


def bind(routes: Routes) -> bool:
    """Make a corpus's routes the ones shared patterns are filled with; whether they changed."""
    if routes == _CURRENT[0]:
        return False
    _CURRENT[0] = routes
    return True
