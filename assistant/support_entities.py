"""The clinical entities a text names: vocabulary slots, routes, and single substances (the offline drug dictionary),
and the values and routes a table gives one of the several drugs it names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.quantities import Quantity, quantities
from assistant.support_cues import cues, normal
from assistant.support_drugs import _substance_mentions, _substances
from assistant.support_table import block_rows, block_values
from assistant.support_text import _conceptualise, _Lexicon, _specific


@lru_cache(maxsize=2048)
def _entities(text: str, lex: _Lexicon) -> frozenset[str]:
    """Concept tokens of the entity slots and routes a text names, the concepts its documents define by an acronym
    ("long-acting muscarinic antagonist (LAMA)"), and the single substances it names."""
    concept = _conceptualise(text, lex)
    found = {t for t in re.findall(r"⟨[^⟩]+⟩", concept) if t in lex.slot_of or t.startswith("⟨acronym:")}
    found |= {e for t in list(found) for e in lex.implied.get(t, ())}
    routes = cues().routes
    found |= {f"⟨route:{name}⟩" for m in cues().route_pattern.finditer(normal(text))
              for name, words in routes.items() if m.group(0).lower() in words}
    found |= {f"⟨substance:{name}⟩" for name in _substances(normal(text))}
    found |= {f"⟨name:{name}⟩" for name in proper_names(text)}
    return frozenset(found)


_PROPER = re.compile(r"(?<![\w-])[A-Z][a-z]{3,}[a-z0-9]*(?![\w-])")


@lru_cache(maxsize=4096)
def proper_names(text: str) -> frozenset[str]:
    """The proper names of a text that name a product, a study or an author (a brand the drug dictionary does not
    know: "Cuvitru"): a capitalised word that WordNet does not know and that is rare in English (wordfreq Zipf below
    the support cues' `specific_zipf`), not a drug the dictionary knows (that is a substance), even where the corpus
    vocabulary folds it into a class ("Hizentra" and "Cuvitru" are both immunoglobulin, but not one product)."""
    from assistant.support_cues import _stemmer, wordnet
    from assistant.support_text import _zipf

    wn, zipf = wordnet(cues().wordnet_senses), _zipf()
    if wn is None or zipf is None:
        return frozenset()
    flat = normal(text)
    drugs = {start for _, start, _ in _substance_mentions(flat)}
    out = set()
    for m in _PROPER.finditer(flat):
        word = m.group(0).lower()
        if m.start() in drugs or wn.synsets(_stemmer().stemWord(word)) or word in wn.lemmas:
            continue
        if zipf(word, "en") < cues().specific_zipf:
            out.add(word)
    return frozenset(out)


def surface(entity: str) -> str | None:
    """The name a substance or proper-name entity is written with ("⟨substance:eplerenone⟩": eplerenone), else None."""
    for prefix in ("⟨substance:", "⟨name:"):
        if entity.startswith(prefix):
            return entity[len(prefix):-1]
    return None


def _rows(drug: str, text: str) -> tuple[tuple[Quantity, ...], frozenset[str], str]:
    """The quantities, routes and text a table passage gives one of the several drugs it names: from each mention of the
    drug to the next mention of another ("Citalopram 20 mg ... Escitalopram 10 mg")."""
    flat = normal(text)
    mentions = sorted(_substance_mentions(flat), key=lambda m: m[1])
    if len({name for name, _, _ in mentions}) < 2 or drug not in {name for name, _, _ in mentions}:
        return (), frozenset(), ""
    found: list[Quantity] = []
    routes: set[str] = set()
    rows = []
    for i, (name, start, _) in enumerate(mentions):
        if name == drug:
            end = next((s for n, s, _ in mentions[i + 1:] if n != drug), len(flat))
            rows.append(flat[start:end])
            found += quantities(flat[start:end])
            routes |= {f"⟨route:{r}⟩" for m in cues().route_pattern.finditer(flat[start:end])
                       for r, words in cues().routes.items() if m.group(0).lower() in words}
    found += block_rows(drug, text)  # its values where a column of names stands before them (support_table)
    return tuple(found), frozenset(routes), " ".join(rows)




_DOSE_DIMS = ("[mass]", "[intl_activity]")


def _stacked(flat: str, found: list[Quantity], at: list[int]):
    """A PDF table's cell of several drugs stacked above their doses ("Chlorthalidone HCTZ Indapamide 12.5-25 mg daily
    25-50 mg daily 2.5 mg daily"): a run of two or more drug names (the drug dictionary's) side by side, nothing but a
    footnote letter between them, then at least as many doses before the next name, binds the doses to the names in
    order."""
    runs: list[list[tuple[int, str]]] = []
    last_end = -1
    for name, start, surface in _substance_mentions(flat):
        gap = flat[last_end:start] if last_end >= 0 else "x"
        if runs and re.fullmatch(r"[a-e]?[\s,]*", gap):
            runs[-1].append((start, name))
        else:
            runs.append([(start, name)])
        last_end = start + len(surface)
        while last_end < len(flat) and flat[last_end].isalpha():  # the rest of a glued word ("Chlorthalidoneb")
            last_end += 1
    for k, run in enumerate(runs):
        if len(run) < 2 or len({name for _, name in run}) < len(run):
            continue
        end = runs[k + 1][0][0] if k + 1 < len(runs) else None
        doses = [(q, i) for q, i in zip(found, at) if i > run[-1][0] and (end is None or i < end)
                 and q.dim is not None and q.dim.startswith(_DOSE_DIMS)]
        if len(doses) >= len(run):
            yield from ((q, name) for (q, _), (_, name) in zip(doses, run))


_BOUNDARY = re.compile(r"[;:,]|\.(?!\d)|\b(?:it|which|while|whereas|they|its)\b", re.I)
_NAME_WORD = re.compile(r"(?<![\w-])[A-Z][a-z]{3,}[a-z0-9]*(?![\w-])")


@lru_cache(maxsize=4096)
def value_names(text: str) -> tuple[tuple[Quantity, str], ...]:
    """Each value of a text with the drug or product it is given for: the closest name before it (a single substance
    the drug dictionary knows, or a capitalised word rare in English: a brand), where that name follows a value or
    starts the text (a name that follows another name is one of a list, as PDF tables run a column of names before
    their values, and binds nothing), in the same clause."""
    flat = normal(text)
    names = sorted({start: name for name, start, _ in _substance_mentions(flat)}.items())
    taken = {start for start, _ in names}
    names += [(m.start(), m.group(0).lower()) for m in _NAME_WORD.finditer(flat)
              if m.start() not in taken and _specific(m.group(0))]
    names.sort()
    found, at, last = [], [], 0
    for q in quantities(flat):
        hit = re.compile(rf"(?<![\w.]){re.escape(q.text)}").search(flat, last)  # not "5 mg" inside "15 mg"
        if hit is None:
            continue
        i = last = hit.start()
        found.append(q)
        at.append(i)
    out = list(_stacked(flat, found, at))
    out += block_values(text)  # a column of names before their values, column by column (support_table)
    after = _values_before_names(flat, names, found, at)
    out += after
    for q, i in zip(found, at):
        if any(q is a for a, _ in after):
            continue
        before = [n for n in names if n[0] < i]
        if not before:
            continue
        start, name = before[-1]
        if len(before) > 1 and not any(before[-2][0] < j < start for j in at):
            continue  # a list of names
        if _BOUNDARY.search(flat, start, i):
            continue  # another clause: "A 2 mg equals B 10 mg; it has a half-life of 10-20 hours"
        out.append((q, name))
    return tuple(out)


_CLAUSE_END = re.compile(r"[;:]|\.(?!\d)")
_LIGHT_GAP = re.compile(r"\s*(?:(?:of|the)\s+)?")


def _values_before_names(flat: str, names: list[tuple[int, str]], found: list[Quantity], at: list[int]):
    """Values written before the names they are of ("standardised to 0.1-0.3% hypericin or 1-6% hyperforin", "10 mg
    amlodipine or 5 mg felodipine"): in a clause whose first value comes before its first name (a table's "Name value
    Name value" does not), each value a name in lower case follows with nothing but a light word between is that name's
    (a capitalised name after a value starts a table's next row: "Maximum daily dose is 4 g / Acetaminophen ...")."""
    out: list[tuple[Quantity, str]] = []
    bounds = [0, *(m.end() for m in _CLAUSE_END.finditer(flat)), len(flat)]
    for lo, hi in zip(bounds, bounds[1:]):
        values = [(q, i) for q, i in zip(found, at) if lo <= i < hi]
        named = [(j, n) for j, n in names if lo <= j < hi]
        if not values or not named or values[0][1] > named[0][0]:
            continue
        for q, i in values:
            nxt = next(((j, n) for j, n in named if j > i), None)
            if nxt is not None and flat[nxt[0]].islower() and _LIGHT_GAP.fullmatch(flat[i + len(q.text):nxt[0]]):
                out.append((q, nxt[1]))
    return out


# ---- conditions the vocabulary does not know (WordNet) ---------------------------------------------------------------
CONDITIONS_FILE = Path(__file__).parent / "data" / "support-conditions.yaml"


@dataclass(frozen=True)
class _Conditions:
    lemmas: dict[str, frozenset[int]]  # lemma (lower case, spaces) -> the condition synsets it names
    narrower: dict[int, frozenset[int]]  # synset -> itself and every synset below it
    pattern: re.Pattern | None


@lru_cache(maxsize=1)
def _conditions_net() -> _Conditions | None:
    """The condition synsets of WordNet below the roots of support-conditions.yaml, less the broad ones."""
    from assistant.support_cues import _wordnet_dir

    path = _wordnet_dir()
    if path is None or not CONDITIONS_FILE.is_file():
        return None
    data = yaml.safe_load(CONDITIONS_FILE.read_text(encoding="utf-8"))
    index: dict[str, list[int]] = {}
    for line in (path / "index.noun").read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split()
        n_ptr = int(parts[3])
        index[parts[0]] = [int(o) for o in parts[6 + n_ptr:]]
    words: dict[int, list[str]] = {}
    down: dict[int, list[int]] = {}
    with (path / "data.noun").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(" "):
                continue
            parts = line.split(" | ")[0].split()
            offset, n = int(parts[0]), int(parts[3], 16)
            words[offset] = [re.sub(r"\(.*\)$", "", parts[4 + 2 * k]).replace("_", " ").lower() for k in range(n)]
            at = 4 + 2 * n
            for k in range(int(parts[at])):
                sym, target, pos = parts[at + 1 + 4 * k], int(parts[at + 2 + 4 * k]), parts[at + 3 + 4 * k]
                if sym in ("~", "~i") and pos == "n":
                    down.setdefault(offset, []).append(target)
    narrower: dict[int, frozenset[int]] = {}

    def below(s: int, seen: frozenset[int] = frozenset()) -> frozenset[int]:
        if s not in narrower:
            out = {s}
            for t in down.get(s, ()):
                if t not in seen:
                    out |= below(t, seen | {s})
            narrower[s] = frozenset(out)
        return narrower[s]

    roots = []
    for spec in data["roots"]:
        lemma, _, sense = str(spec).partition("#")
        offsets = index.get(lemma, [])
        if offsets:
            roots.append(offsets[int(sense or 1) - 1])
    under: set[int] = set()
    for r in roots:
        under |= below(r)
    limit, shortest = int(data.get("general_limit", 12)), int(data.get("min_length", 5))
    ignore = {str(w).lower() for w in data.get("ignore", ())}
    firsts = {w: offsets[0] for w, offsets in index.items() if offsets}  # a word's most frequent sense
    other_pos = set()
    for pos in ("verb", "adj", "adv"):  # a word that is also a verb or adjective ("breakdown" is no condition, "stiff" no
        for line in (path / f"index.{pos}").read_text(encoding="utf-8").splitlines():  # condition word alone)
            if not line.startswith(" "):
                other_pos.add(line.split(" ", 1)[0])
    lemmas: dict[str, set[int]] = {}
    for s in under:
        if len(below(s)) - 1 > limit:
            continue
        for w in words.get(s, ()):
            if w in ignore or (" " not in w and (len(w) < shortest or not w.isalpha() or w in other_pos
                                                 or firsts.get(w) not in under)):
                continue
            lemmas.setdefault(w, set()).add(s)
    alternation = "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in sorted(lemmas, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?:e?s)?(?![\w-])", re.I) if lemmas else None
    return _Conditions({w: frozenset(s) for w, s in lemmas.items()}, narrower, pattern)


@lru_cache(maxsize=4096)
def conditions(text: str) -> tuple[tuple[str, frozenset[int]], ...]:
    """(phrase, synsets) of every condition WordNet knows that a text names ("scarlet fever", "diarrhea"), longest first."""
    net = _conditions_net()
    if net is None or net.pattern is None:
        return ()
    out = []
    for m in net.pattern.finditer(normal(text)):
        phrase = " ".join(m.group(0).lower().replace("-", " ").split())
        found = net.lemmas.get(phrase) or net.lemmas.get(re.sub(r"e?s$", "", phrase)) or net.lemmas.get(phrase[:-1])
        if found:
            out.append((phrase, found))
    return tuple(out)


def unnamed_conditions(statement: str, source: str) -> list[str]:
    """Conditions the statement names that the source (the passage and its heading path) names neither by the same
    synset nor by a narrower one."""
    mine = conditions(statement)
    if not mine:
        return []
    net = _conditions_net()
    theirs = frozenset().union(*(s for _, s in conditions(source)))
    low = " ".join(normal(source).lower().replace("-", " ").split())
    out = []
    for phrase, synsets in mine:
        if phrase in low or any(narrow & theirs for s in synsets for narrow in [net.narrower.get(s, frozenset({s}))]):
            continue
        out.append(phrase)
    return out


_IDENTIFIER = re.compile(r"(?<![\w-])([A-Z][A-Za-z]{0,4})-?(\d{1,3})(?![.,]?\d|\w)")


def identifier_swaps(statement: str, source: str) -> list[str]:
    """An identifier of letters and digits the statement names (CD20, IL-6, HER2) where the source names the same
    letters only with other digits (CD19): another receptor, gene or subtype."""
    def ids(text: str) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for m in _IDENTIFIER.finditer(text):
            out.setdefault(m.group(1).upper(), set()).add(m.group(2).lstrip("0") or "0")
        return out
    theirs = ids(source)
    return [f"names {letters}{n} where the source names {letters}{'/'.join(sorted(theirs[letters]))}"
            for letters, nums in sorted(ids(statement).items()) if letters in theirs
            for n in sorted(nums - theirs[letters])]
