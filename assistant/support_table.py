"""What a value of a table (or of a "label: value" list) is bound to beyond the sentence it stands in:
- the row it stands in, where a PDF's text runs a column of drug names before their values column by column ("Fluoxetine
  Paroxetine Sertraline 10-20 mg daily 10-20 mg daily 25-60 mg daily 20-80 mg daily ..."): the k-th value of each
  column is the k-th name's (`block_values`);
- the column it stands in, where a row is rendered as the ingest renders table rows into chunk text ("Gabapentin
  (Anticonvulsants): initial dose 300 mg daily; maximum dose 3,600 mg daily; renal dosing 200-700 mg daily"): a value
  of a renal, hepatic, geriatric or paediatric column is not the standard dose, and a statement's initial, usual or
  maximum dose is not another column's value (`column_problems`);
- the formulation label that opens it ("short-acting four times a day and long-acting two times a day", "IR: 25 mg
  ... XR: 37.5 mg") (`label_problems`);
- how many doses a day it is given in ("75-375 mg in 2-3 divided doses" is not "75-375 mg once daily")
  (`cadence_problems`).
The words are data (assistant/data/support-table.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.quantities import Quantity, quantities, quantity_in
from assistant.support_cues import BULLETS, clean, normal
from assistant.support_drugs import _substance_mentions
from assistant.support_quantity import located
from assistant.text import phrase_alternation

TABLE_FILE = Path(__file__).parent / "data" / "support-table.yaml"
_DOSE_DIMS = ("[mass]", "[intl_activity]")
_WORD_COUNT = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


@dataclass(frozen=True)
class _TableCues:
    columns: tuple[tuple[str, re.Pattern], ...]
    marked: frozenset[str]
    labels: tuple[tuple[str, re.Pattern], ...]
    label_any: re.Pattern
    window: int
    once: re.Pattern
    divided: re.Pattern
    times: re.Pattern
    twice: re.Pattern
    every_hours: re.Pattern


def _words_rx(words: list[str]) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{phrase_alternation([str(w) for w in words])})(?![\w-])", re.I)


def _labels_rx(words: list[str]) -> re.Pattern:
    caps = [w for w in map(str, words) if w.isupper()]
    rest = [w for w in map(str, words) if not w.isupper()]
    parts = ([rf"(?-i:{phrase_alternation(caps)})"] if caps else []) + ([phrase_alternation(rest)] if rest else [])
    return re.compile(rf"(?i)(?<![\w-])(?:{'|'.join(parts)})(?![\w-])")


@lru_cache(maxsize=1)
def table_cues() -> _TableCues:
    data = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    labels = tuple((name, _labels_rx(words)) for name, words in data["labels"].items())
    c = data["cadence"]
    return _TableCues(
        columns=tuple((name, _words_rx(words)) for name, words in data["columns"].items()),
        marked=frozenset(data["marked"]), labels=labels,
        label_any=_labels_rx([w for words in data["labels"].values() for w in words]),
        window=int(c["window"]), once=re.compile(c["once"], re.I), divided=re.compile(c["divided"], re.I),
        times=re.compile(c["times"], re.I), twice=re.compile(c["twice"], re.I), every_hours=re.compile(c["every_hours"], re.I))


def _kinds(text: str) -> frozenset[str]:
    return frozenset(name for name, rx in table_cues().columns if rx.search(text))


def _dose(q: Quantity) -> bool:
    return q.dim is not None and q.dim.startswith(_DOSE_DIMS)


# ---- rows: a column of names before their values ---------------------------------------------------------------------
_GLYPH = re.compile(rf"^[\s{BULLETS}*-]+")
_CONTINUES_AFTER = re.compile(r"(?:[-/,–]|\b(?:or|and|in|to|of|with|then|every|up))\s*$", re.I)
_CELL_LABEL = re.compile(r"^[A-Za-z][A-Za-z -]{0,20}:\s")


def _name_line(line: str) -> str | None:
    """The one drug a line names and nothing else but marks and a bracketed brand ("• Sertraline*", "Atenolol
    (Tenormin®)"), or None."""

    bare = _GLYPH.sub("", line).strip()
    if not bare or re.search(r"\d", bare) or len(bare) > 48:
        return None
    found = _substance_mentions(normal(bare))
    if len({name for name, _, _ in found}) != 1 or found[0][1] > 1:
        return None
    return found[0][0]


def _between_names(line: str) -> bool:
    """A line inside a column of names that names no drug and gives no value: the rest of a name ("sustained release")
    or a class's subheading ("Non-DHP CCBs")."""

    bare = _GLYPH.sub("", line).strip()
    return bool(bare) and not re.search(r"\d", bare) and len(bare) <= 48 and not _substance_mentions(normal(bare))


def _cells(lines: list[str]) -> list[list[str]]:
    """Value lines as cells: a line continues the cell above when it opens in lower case or with a bracket, the line
    above breaks off ("in", "or", a hyphen), or both open with a label ("IR: ..." then "XR: ...")."""
    cells: list[list[str]] = []
    for line in lines:
        text = line.strip()
        if cells and (text[:1].islower() or text[:1] in "(–-" or _CONTINUES_AFTER.search(cells[-1][-1])
                      or _CELL_LABEL.match(text) and _CELL_LABEL.match(cells[-1][0])):
            cells[-1].append(text)
        else:
            cells.append([text])
    return cells


def _columns(cells: list[list[str]], k: int) -> list[str] | None:
    """Cells dealt to k rows column by column; where a column runs over more cells than rows (a value whose lines were
    not joined), the later columns are cut as the first one was when they have as many lines."""
    if len(cells) % k == 0:
        return [" ".join(c) for c in cells]
    first = cells[:k]
    lines_first = sum(len(c) for c in first)
    rest = [line for c in cells[k:] for line in c]
    if lines_first and len(rest) % lines_first == 0:
        shape = [len(c) for c in first]
        out = [" ".join(c) for c in first]
        for start in range(0, len(rest), lines_first):
            chunk, at = rest[start:start + lines_first], 0
            for n in shape:
                out.append(" ".join(chunk[at:at + n]))
                at += n
        return out
    return None


@lru_cache(maxsize=4096)
def block_values(text: str, times: bool = False) -> tuple[tuple[Quantity, str], ...]:
    """Each value of a column-by-column table block with its row's drug: two or more lines each naming one drug (lines
    between them that name none and give no value, the rest of a name or a class's subheading, left out), then
    lines of values (up to the next name or a line without a number that continues nothing), dealt column by column;
    with `times`, a cell's dosing frequencies too ("120-480 mg divided daily-bid": 2 times)."""
    lines = [line for line in clean(text).split("\n") if line.strip()]
    out: list[tuple[Quantity, str]] = []
    i = 0
    while i < len(lines):
        names = []
        while i < len(lines):
            if (name := _name_line(lines[i])) is not None:
                names.append(name)
            elif not (names and _between_names(lines[i])):
                break
            i += 1
        if len(names) < 2 or len(set(names)) < len(names):
            i += 0 if names else 1
            continue
        values = []
        while i < len(lines) and _name_line(lines[i]) is None and (re.search(r"\d", lines[i]) or values and (
                lines[i].strip()[:1].islower() or _CONTINUES_AFTER.search(values[-1]))):
            values.append(lines[i])
            i += 1
        cells = _cells(values)
        dealt = _columns(cells, len(names)) if cells else None
        if dealt is None:
            continue
        for j, cell in enumerate(dealt):
            out += [(q, names[j % len(names)]) for q in quantities(normal(cell)) if _dose(q) or times and q.dim == "[times]"]
    return tuple(out)


def block_rows(drug: str, text: str) -> tuple[Quantity, ...]:
    """The values a column-by-column block gives one drug ((): it names the drug in no such block)."""
    return tuple(q for q, name in block_values(text, times=True) if name == drug)


# ---- columns: a rendered row's "column value" parts ------------------------------------------------------------------
_ROW = re.compile(r"^(?P<head>[^:;\n]{2,120}):\s+(?P<rest>[^\n]+)$", re.M)


def _rendered_cells(text: str) -> list[tuple[int, frozenset[str], tuple[Quantity, ...]]]:
    """(row number, the kinds its column's name gives, the values) of every part of every rendered table row."""
    out = []
    for n, m in enumerate(_ROW.finditer(clean(text))):
        parts = m.group("rest").split("; ")
        if len(parts) < 2:
            continue
        for part in parts:
            label = re.split(r"[\d:]", part, maxsplit=1)[0]
            out.append((n, _kinds(label), tuple(q for q in quantities(normal(part)) if _dose(q))))
    return out


def column_problems(statement: str, text: str) -> list[str]:
    """A statement's dose that the source's rendered rows give only in a column of another kind: a population's or an
    organ's column (renal, geriatric ...) for a statement that does not name it, another column for a statement that
    names that one, or the initial, usual or maximum dose the statement says it is when the source's column is another."""
    cells = _rendered_cells(text)
    if not cells:
        return []
    c = table_cues()
    flat = normal(statement)
    named = _kinds(flat)
    spots = located(flat)
    out = []
    for k, (q, start, _end) in enumerate(spots):
        if not _dose(q):
            continue
        holding = [(row, kinds) for row, kinds, values in cells if quantity_in(q, values)]
        if not holding:
            continue
        rows = {row for row, _ in holding}
        held_marked = [kinds & c.marked for _, kinds in holding]
        if all(held_marked) and not any(m & named for m in held_marked):
            column = "/".join(sorted(frozenset().union(*held_marked)))
            out.append(f"binding: '{q.text.strip()}' is the source's {column} value, not the statement's")
            continue
        wanted = named & c.marked
        if wanted and not any(m & wanted for m in held_marked) and any(
                row in rows and kinds & wanted for row, kinds, _ in cells):
            out.append(f"binding: '{q.text.strip()}' is not the source's {'/'.join(sorted(wanted))} value")
            continue
        before = flat[spots[k - 1][2] if k else 0:start]
        before = re.split(r"[;.]\s|,\s(?=\w+\s+\w+\s+\d)", before)[-1]
        said = _kinds(" ".join(before.split()[-7:])) - c.marked
        given = [kinds - c.marked for _, kinds in holding]
        if said and all(given) and not any(g & said for g in given):
            out.append(f"binding: '{q.text.strip()}' is the source's {'/'.join(sorted(frozenset().union(*given)))} dose, "
                       f"not its {'/'.join(sorted(said))} dose")
    return out


# ---- labels: "short-acting four times a day and long-acting two times a day" -----------------------------------------
def _group(label: str) -> str | None:
    return next((name for name, rx in table_cues().labels if rx.fullmatch(label)), None)


_SEGMENT_END = re.compile(r"[;\n]|\.(?!\d)\s")


def _segments(text: str) -> list[tuple[str, str]]:
    """(label group, the text the label opens) of every formulation label followed by its value: up to the next label,
    line or clause end."""
    c = table_cues()
    hits = [(m.start(), m.end(), g) for m in c.label_any.finditer(text) if (g := _group(m.group(0)))]
    out = []
    for k, (start, end, group) in enumerate(hits):
        stop = hits[k + 1][0] if k + 1 < len(hits) else len(text)
        body = text[end:stop]
        if (cut := _SEGMENT_END.search(body)) is not None:
            body = body[:cut.start()]
        if re.match(r"\s*(?::\s*)?(?:\S+\s+){0,2}?(?:\d|once|twice|one|two|three|four|five|six)\b", body, re.I):
            out.append((group, body))
    return out


def _values(text: str) -> tuple[Quantity, ...]:
    return tuple(q for q in quantities(normal(text)) if _dose(q))


def _counts_in(text: str) -> frozenset[int]:
    """The doses a day every cadence of a text gives."""
    out: set[int] = set()
    for m in re.finditer(r"(?i)\b(?:once|twice|bid|qd|every|\d|two|three|four|five|six|in)\b", text):
        got = _cadence(text, m.start())
        if got:
            out |= got
    return frozenset(out)


def label_problems(statement: str, text: str) -> list[str]:
    """A value (dose or doses a day) the statement gives under a formulation label that the source gives only under a
    label of another group, while the source gives the statement's label a value of its own."""
    mine = {g for g, _ in _segments(normal(statement))} or {
        g for name, rx in table_cues().labels for g in [name] if rx.search(normal(statement))}
    if len(mine) != 1:
        return []
    segments = _segments(clean(text).replace("\n", " \n "))
    if len({g for g, _ in segments}) < 2:
        return []
    (label,) = mine
    own = [s for g, s in segments if g == label]
    other = [s for g, s in segments if g != label]
    if not own:
        return []
    flat = normal(statement)
    out = []
    for q in (q for q in quantities(flat) if _dose(q)):
        if any(quantity_in(q, _values(s)) for s in other) and not any(quantity_in(q, _values(s)) for s in own):
            out.append(f"binding: '{q.text.strip()}' is given for another formulation than the statement's ({label})")
    said = _counts_in(flat)
    given_own = frozenset().union(*(_counts_in(s) for s in own))
    given_other = frozenset().union(*(_counts_in(s) for s in other))
    if said and given_own and not said & given_own and said & given_other:
        out.append(f"interval: {'/'.join(map(str, sorted(said)))} doses a day is the source's for another formulation "
                   f"than the statement's ({label})")
    return out


# ---- cadence: how many doses a day a value is given in ---------------------------------------------------------------
def _plain(text: str) -> str:
    return " ".join(clean(text).split())


def _count(word: str | None) -> int | None:
    if word is None:
        return None
    return int(word) if word.isdigit() else _WORD_COUNT.get(word.lower())


def _cadence(text: str, at: int) -> frozenset[int] | None:
    """The doses a day the words at `at` give, or None."""
    c = table_cues()
    window = text[at:at + c.window]
    if c.once.match(window):
        return frozenset({1})
    if c.twice.match(window):
        return frozenset({2})
    if (m := c.times.match(window)) is not None:
        a, b = _count(m.group("n")), _count(m.group("b"))
        return frozenset(range(a, (b or a) + 1)) if a else None
    if (m := c.divided.match(window)) is not None:
        if m.group("a"):
            return frozenset(range(int(m.group("a")), int(m.group("b")) + 1))
        if m.group("n"):
            return frozenset({_count(m.group("n")) or 2})
        return frozenset({2, 3, 4})
    if (m := c.every_hours.match(window)) is not None:
        a = int(m.group("a"))
        b = int(m.group("b")) if m.group("b") else a
        return frozenset(round(24 / h) for h in range(a, b + 1) if h and 24 % h == 0) or None
    return None


def cadence_problems(statement: str, texts: list[str]) -> list[str]:
    """A statement's dose given in so many doses a day where every place the source gives the same value with a
    cadence gives it in another count ("75-375 mg once daily" against "75-375 mg in 2-3 divided doses")."""
    flat = _plain(statement)  # (not normal(): its shorthand rewrites reorder "2-3 divided doses")
    out = []
    passages = [_plain(t) for t in texts]
    for q, _start, end in located(flat):
        if not _dose(q) or (mine := _cadence(flat, end)) is None:
            continue
        theirs = [got for p in passages for p_q, _s, p_end in located(p)
                  if quantity_in(q, [p_q]) and (got := _cadence(p, p_end)) is not None]
        if theirs and not any(mine & t for t in theirs):
            out.append(f"interval: '{q.text.strip()}' is given in {'/'.join(map(str, sorted(theirs[0])))} doses a day in the "
                       f"source, not {'/'.join(map(str, sorted(mine)))}")
    return out
