"""Ruled tables as rows: pdfplumber's table geometry finds the cells on the pages that look like tables, and
each row becomes one readable statement with its column names ("Chlorthalidone: initial dose 12.5-25 mg daily; ...").

By default the cell borders come from pdfium's vector path objects and the cell text from pdfium (find_tables_fast);
pdfplumber's own page parse (pdfminer, pure Python) gives the same rows about ten times slower and is kept as
engine="pdfplumber"."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


class Cell(str):
    """A cell's text whose non-empty lines each carry their vertical centre on the page (fast engine only): what
    lets a cell holding several rows be split by position rather than by counting lines."""

    tops: tuple[float, ...] = ()

    def __new__(cls, text: str, tops: tuple[float, ...] | list[float] = ()) -> "Cell":
        obj = super().__new__(cls, text)
        obj.tops = tuple(tops) if len([line for line in text.split("\n") if line.strip()]) == len(tops) else ()
        return obj


def _tops(value: object) -> tuple[float, ...]:
    return getattr(value, "tops", ()) or ()


def _positioned(value: object) -> list[tuple[float, str]]:
    """(centre, text) of each non-empty line of a cell, or [] when its positions are not known."""
    tops = _tops(value)
    lines = [line for line in str(value).split("\n") if line.strip()]
    return list(zip(tops, lines)) if tops and len(tops) == len(lines) else []


@dataclass(frozen=True)
class Table:
    page: int  # 0-based
    top: float  # distance from the page top, PDF units (pdfplumber's convention)
    bottom: float
    x0: float
    x1: float
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def looks_like_table(text: str, path_count: int, min_paths: int = 40) -> bool:
    """Cheap pdfium signals: many vector paths (cell borders) and many short lines."""
    if path_count < min_paths:
        return False
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 8:
        return False
    short = sum(1 for line in lines if len(line) < 60)
    return short / len(lines) >= 0.4


def extract_tables(path: Path, page_indexes: list[int], vocab: dict[str, int] | None = None, engine: str = "fast") -> dict[int, list[Table]]:
    """Tables on the given pages; a page that fails is skipped (its text stays page text).

    engine "fast" (the default): pdfplumber's table geometry on pdfium's vector paths, ~0.02 s a page.
    engine "pdfplumber": pdfplumber end to end (pdfminer parses every glyph), ~0.1-0.3 s a page."""
    if engine == "pdfplumber":
        return _extract(path, page_indexes, vocab)
    return find_tables_fast(path, page_indexes, vocab)


def _extract(path: Path, page_indexes: list[int], vocab: dict[str, int] | None = None) -> dict[int, list[Table]]:
    if not page_indexes:
        return {}
    import pdfplumber

    out: dict[int, list[Table]] = {}
    try:
        with pdfplumber.open(str(path)) as pdf:
            for index in page_indexes:
                try:
                    page = pdf.pages[index]
                    found = page.find_tables()
                    tables = []
                    for table in found:
                        parsed = _parse(index, table.bbox, table.extract(), vocab or {})
                        if parsed is not None:
                            tables.append(parsed)
                    if tables:
                        out[index] = tables
                except Exception as exc:  # a table we cannot read stays as page text
                    log.debug("pdfplumber failed on %s page %d: %s", path, index + 1, exc)
                finally:
                    try:
                        page.flush_cache()
                    except Exception:
                        pass
    except Exception as exc:
        log.debug("pdfplumber could not open %s: %s", path, exc)
    return out


PRIVATE_BULLET = re.compile(r"(?m)^[ \t]*[\uf0a1\uf0a7\uf0b7\uf0d8\uf076\u25aa\u25cf\u25e6][ \t]*")


def _cell(value: object, vocab: dict[str, int]) -> str:
    """A cell's text with its line breaks; a vertical label (pdfplumber reads it backwards) turned round."""
    text = "\n".join(" ".join(line.split()) for line in str(value or "").replace("\ufffe", "-").replace("\x02", "-").splitlines())
    text = PRIVATE_BULLET.sub("• ", text).strip("\n")  # symbol-font bullets (U+F0A1, U+F0B7 ...) as bullets
    words = re.findall(r"[A-Za-z]{3,}", text)
    if words and vocab:
        forward = sum(1 for w in words if vocab.get(w.lower()))
        backward = sum(1 for w in words if vocab.get(w[::-1].lower()))
        if backward > forward:
            return " ".join(text.replace("\n", " ")[::-1].split())
    return Cell(text, _tops(value)) if _tops(value) else text


def _flat(text: str) -> str:
    return " ".join(text.split())


def _logical_lines(cell: str) -> list[str]:
    """A cell's lines with wrapped ones joined (a line that starts in lower case or with "(" continues)."""
    out: list[str] = []
    for line in cell.split("\n"):
        line = line.strip()
        if not line:
            continue
        if out and (line[:1].islower() or line[:1] in "(–-" or out[-1].endswith(("-", "/", ","))):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _split_stacked(row: list[str], key: int = 0) -> list[list[str]]:
    """A row holding several rows (a table without rules between its rows): the first cell with several short
    lines names them (drug names), the cells with as many lines hold one value per row, and any other cell
    (comments, bullets) is shared by all of them."""
    if key < len(row):
        by_position = _split_by_position(row, key)
        if by_position is not None:
            return by_position
    cells = [_logical_lines(c) for c in row]
    if key >= len(row) or len(cells[key]) < 2 or row[key].lstrip().startswith("•"):
        return [row]
    if any(line[:1].isdigit() for line in cells[key][1:]):
        return _split_beside_subject(row, cells, key)
    k = len(cells[key])
    if any(len(line) > 40 for line in cells[key]):
        return [row]
    matching = [j for j, lines in enumerate(cells) if j != key and len(lines) == k and not row[j].lstrip().startswith("•")]
    if not matching:
        return [row]
    split = []
    for i in range(k):
        split.append([cells[j][i] if (j == key or j in matching) else row[j] for j in range(len(row))])
    return split


def _split_beside_subject(row: list[str], cells: list[list[str]], key: int) -> list[list[str]]:
    """A subject cell whose lines are one name ("Beclomethasone MDI" / "(QVAR REDIHALER)" / "40, 80 mcg": a line that
    opens with a number is its strength, not another row's name) beside cells holding one value a line (two age
    groups): one row per line of those cells, each with the whole subject."""
    counts = [len(lines) for j, lines in enumerate(cells) if j != key and not row[j].lstrip().startswith("•")]
    k = max((n for n in counts if n >= 2), default=0)
    matching = [j for j, lines in enumerate(cells) if j != key and len(lines) == k and not row[j].lstrip().startswith("•")]
    subject = " ".join(cells[key])
    if k < 2 or len(matching) < 2:
        return [[subject if j == key else row[j] for j in range(len(row))]]
    return [[subject if j == key else cells[j][i] if j in matching else row[j] for j in range(len(row))] for i in range(k)]


BULLET_GLYPH = re.compile(r"^\s*[•●▪◦\uf0a1\uf0a7\uf0b7\uf0d8\uf076\u2022\u25aa\u25cf]\s*")
SHARED_MAX = 150  # a cell shared by the rows of a stacked cell is repeated in each when this short, else said once


def _split_by_position(row: list[str], key: int) -> list[list[str]] | None:
    """A cell holding several entries (drug names, one a line or a bullet each; lines without a value beside them
    are group labels such as "DHP CCBs") split by where its lines stand: each entry's band runs from its line to
    the next entry's, and a column whose lines fall in the bands gives each entry its own value (however many
    lines that value takes). Other columns are shared: repeated when short, else one statement of their own
    for the group. None when positions are unknown or the cell holds a single entry."""
    lines = _positioned(row[key])
    if len(lines) < 2:
        return None
    bulleted = any(BULLET_GLYPH.match(text) for _, text in lines)
    entries: list[list] = []  # [centre, text, is_bullet]
    for centre, text in lines:
        bullet = bool(BULLET_GLYPH.match(text))
        text = BULLET_GLYPH.sub("", text).strip()
        if not text:
            continue
        wraps = entries and (text[:1].islower() or text[:1] in "(–-" or entries[-1][1].endswith(("-", "/", ",")))
        if wraps and not (bulleted and bullet):
            entries[-1][1] += " " + text
        else:
            entries.append([centre, text, bullet])
    if len(entries) < 2 or any(len(e[1]) > 60 or not e[1][:1].isalpha() for e in entries):
        return None  # names open with a letter: "40, 80 mcg" under a product name is its strength, not a row
    bounds = [e[0] - 3 for e in entries[1:]] + [float("inf")]

    def band(centre: float) -> int:
        for k, upper in enumerate(bounds):
            if centre < upper:
                return k
        return len(bounds) - 1

    own: dict[int, list[list[str]]] = {}
    shared: list[int] = []
    for j, cell in enumerate(row):
        if j == key or not str(cell).strip():
            continue
        placed = _positioned(cell)
        if not placed or BULLET_GLYPH.match(placed[0][1]) or min(abs(placed[0][0] - e[0]) for e in entries) > 4:
            shared.append(j)
            continue
        bins: list[list[str]] = [[] for _ in entries]
        for centre, text in placed:
            bins[band(centre)].append(text.strip())
        if sum(1 for b in bins if b) >= 2:
            own[j] = bins
        else:
            shared.append(j)
    single = [j for j in shared if (placed := _positioned(row[j])) and len({band(c) for c, _ in placed}) == 1]
    if not own or len(own) < len(single):
        return None  # most values stand beside the first line only: one row whose name takes two lines
    # Entries with no value in any per-entry column (and no bullet of their own) label the entries below them.
    out: list[list[str]] = []
    labels: list[str] = []
    current: list[str] = []
    after_label = False
    for k, (_, text, bullet) in enumerate(entries):
        if not any(bins[k] for bins in own.values()) and not (bulleted and bullet):
            current = current + [text] if after_label else [text]
            after_label = True
            continue
        if after_label:
            labels.append(" ".join(current))
        after_label = False
        part = [""] * len(row)
        part[key] = f"{text} ({' '.join(current)})" if current else text
        for j, bins in own.items():
            part[j] = re.sub(r"(?<=[a-z]-) (?=[a-z])", "", " ".join(bins[k]))  # "daily-" + "bid": a word the line broke
        for j in range(len(row)):
            if j != key and j not in own and (j not in shared or len(_flat(str(row[j]))) <= SHARED_MAX):
                part[j] = str(row[j])
        out.append(part)
    long_shared = [j for j in shared if len(_flat(str(row[j]))) > SHARED_MAX]
    if long_shared and len(out) >= 2:
        part = [""] * len(row)
        part[key] = ", ".join(labels) if labels else ", ".join(p[key] for p in out)
        for j in long_shared:
            part[j] = str(row[j])
        out.append(part)
    return out if len(out) >= 2 else None


MAX_HEADER_LINES = 3  # a header wraps over four lines at most


def _parse(page: int, bbox: tuple[float, float, float, float], raw: list[list[object]], vocab: dict[str, int]) -> Table | None:
    rows = [[_cell(c, vocab) for c in row] for row in raw]
    rows = [row for row in rows if any(row)]
    if len(rows) < 2:
        return None
    # Drop columns that are empty everywhere (pdfplumber splits merged cells into empty ones).
    keep = [j for j in range(max(len(r) for r in rows)) if any(j < len(r) and r[j] for r in rows)]
    rows = _merge_disjoint_columns([[r[j] if j < len(r) else "" for j in keep] for r in rows])
    if len(rows[0]) < 2:
        return None
    header = [_flat(c) for c in rows[0]]
    body = rows[1:]
    # A header wrapped over more rows: short cells without numbers, filling the gaps of the first row.
    merged_lines = 0
    while merged_lines < MAX_HEADER_LINES and body and (_headerish(body[0]) or _header_tail(header, body)) and _digits_below(body[1:]) and (
            not body[0][0] or not any(body[0][1:]) or _continues(header, body[0])
            or (_fills_gaps(header, body[0]) >= 1 and sum(1 for c in body[0] if _flat(c)) >= 2)):
        header = [a if _flat(b) == a else " ".join(x for x in (a, _flat(b)) if x) for a, b in zip(header, body[0])]
        body = body[1:]
        merged_lines += 1
    header, body = _align_header(header, body)
    header, body = _merge_unnamed(header, body)
    body = _label_rows(body)
    header, body = _transpose(header, body)
    key = 1 if len(header) > 2 and ENTITY_COLUMN.search(header[1] or "") else 0
    merged: list[list[str]] = []
    for row in body:
        for part in _split_stacked(row, key):
            part = [_flat(c) for c in part]
            if merged and not part[0]:  # the first cell spans rows (rowspan): each row keeps it as its subject
                part[0] = merged[-1][0]
            merged.append(part)
    merged = [row for row in merged if sum(1 for c in row if c) >= 2 and (not header[0] or _flat(row[0]).lower() != header[0].lower())]
    if not merged:
        return None
    return Table(page, bbox[1], bbox[3], bbox[0], bbox[2], tuple(header), tuple(tuple(r) for r in merged))


def _merge_disjoint_columns(rows: list[list[object]]) -> list[list[object]]:
    """Neighbouring columns no row fills both of are one column the grid cut where some rows' cells start a few points
    off (the header and some rows one column right of the others): each row keeps the cell it fills. A row filling one
    cell only (a name set between its rows) keeps its column apart."""
    filled = [[bool(_flat(str(c))) for c in r] for r in rows]
    groups: list[list[int]] = []
    for j in range(len(rows[0])):
        pair = [*groups[-1], j] if groups else []
        if pair and not any(f[j] and any(f[i] for i in groups[-1]) for f in filled) and all(
                sum(f) > 1 for f in filled if any(f[i] for i in pair)):  # a row of one cell is a rowspan's label
            groups[-1].append(j)
        else:
            groups.append([j])
    if len(groups) == len(rows[0]):
        return rows
    return [[next((r[j] for j in group if _flat(str(r[j]))), "") for group in groups] for r in rows]


def _header_tail(header: list[str], body: list[list[str]]) -> bool:
    """A header line that names an amount ("Diazepam 10 mg or" under "Approximate Equivalents to"): short cells,
    the first one empty (or the first column's name again), every cell with a number under a header cell that goes on
    ("... to", "... or") or itself going on ("(in Hours)"), and no more cells than the row below."""
    row = body[0]
    cells = [(name, _flat(c)) for name, c in zip(header, row) if _flat(c)]
    if not cells or _flat(row[0]) not in ("", header[0]) or len(body) < 2 or len(cells) > sum(1 for c in body[1] if _flat(c)):
        return False
    return all(len(c) < 40 and "•" not in c and (not re.search(r"\d", c) or _OPEN_END.search(name) or c[:1] in "(" or c[:1].islower())
               for name, c in cells)


_OPEN_END = re.compile(r"(?i)\b(?:to|or|of|and|for|in|with|per|than|vs\.?)$")  # a header cell its next line goes on


def _digits_below(rows: list[list[str]]) -> bool:
    """Rows with numbers below: header-like rows above them are header lines (without any, a list of names is rows)."""
    return any(re.search(r"\d", _flat(c)) for row in rows for c in row)


def _continues(header: list[str], row: list[str]) -> bool:
    """Every cell of the row stands under a named header cell: the header's wrapped words ("Topic" / "Area")."""
    cells = [(name, _flat(c)) for name, c in zip(header, row) if _flat(c)]
    return bool(cells) and all(name for name, _ in cells)


def _fills_gaps(header: list[str], row: list[str]) -> int:
    """How many cells of a header's second line stand under an empty cell of its first line."""
    return sum(1 for name, cell in zip(header, row) if not name and _flat(cell))


def _label_rows(body: list[list[str]]) -> list[list[str]]:
    """Rows holding only a first cell are the pieces of a label that spans rows (a drug class set in the middle
    of its rows): joined, it names the rows above it that have no first cell of their own, else the rows below."""
    out: list[list[str]] = []
    pending: list[str] = []
    block = 0  # where the rows since the last label begin
    carry = ""

    def place() -> None:
        nonlocal pending, block, carry
        if not pending:
            return
        label = " ".join(_flat(p) for p in pending)
        above = out[block:]
        if above and all(not _flat(r[0]) for r in above):
            for r in above:
                r[0] = label
            carry = ""
        else:
            carry = label
        pending, block = [], len(out)

    for row in body:
        if _flat(row[0]) and not any(_flat(c) for c in row[1:]):
            pending.append(row[0])
            continue
        if not any(_flat(c) for c in row):
            continue
        place()
        row = list(row)
        if carry and not _flat(row[0]):
            row[0] = carry
        out.append(row)
    place()
    return out


ATTRIBUTE = re.compile(
    r"\b(dos(?:e|es|ing|age)|administration|monitor(?:ing)?|evaluation|contraindications?|adverse|side effects?|"
    r"interactions?|formulations?|mechanism|populations?|precautions?|warnings?|comments?|considerations?|frequency|"
    r"schedules?|route|duration|titration|maximum|initial|efficacy|cost|pregnan\w*|lactation|renal|hepatic|"
    r"indications?|baseline|counseling|overdose|withdrawal|availability|brand|strengths?|class|notes?)\b", re.I)


def _transpose(header: list[str], body: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """A table whose columns are the drugs and whose rows are their attributes ("Dosage and Administration" ...)
    read column by column: one row per drug, its attributes as column names."""
    if not body or len(header) < 3 or ENTITY_COLUMN.search(header[0] or ""):
        return header, body
    attrs = [_flat(r[0]) for r in body]
    named = [h for h in header[1:] if h]
    if len(named) < 2 or sum(1 for a in attrs if a and ATTRIBUTE.search(a)) < 0.6 * len(attrs):
        return header, body
    if sum(1 for h in named if ATTRIBUTE.search(h)) > 0.3 * len(named):
        return header, body
    rows = [[header[j], *[r[j] for r in body]] for j in range(1, len(header)) if header[j]]
    return [header[0] or "", *attrs], rows


def _align_header(header: list[str], body: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """A column name set over an empty column beside the column it names (merged header cells): move it."""
    header = list(header)
    drop = set()
    for j, name in enumerate(header):
        if not name or any(row[j] for row in body):
            continue
        if any(0 <= k < len(header) and k not in drop and header[k] == name and any(row[k] for row in body)
               for k in (j - 1, j + 1)):
            drop.add(j)  # "Generic Name" over an empty column beside the column that says it again
            continue
        for k in (j - 1, j + 1):
            if 0 <= k < len(header) and k not in drop and not header[k] and any(row[k] for row in body):
                header[k] = name
                drop.add(j)
                break
    keep = [j for j in range(len(header)) if j not in drop]
    return [header[j] for j in keep], [[row[j] for j in keep] for row in body]


def _merge_unnamed(header: list[str], body: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """A column without a name is a piece of the named column to its left (a cell the grid cut in two)."""
    if not any(header) or len(header) < 3:
        return header, body
    keep = [0] + [j for j in range(1, len(header)) if header[j]]
    if len(keep) == len(header):
        return header, body
    owner = []
    current = 0
    for j in range(len(header)):
        if j in keep:
            current = j
        owner.append(current)
    rows = []
    for row in body:
        merged = {j: [] for j in keep}
        for j, cell in enumerate(row):
            if cell:
                merged[owner[j]].append(cell)
        rows.append([_join_cells(merged[j]) for j in keep])
    return [header[j] for j in keep], rows


def _join_cells(parts: list[str]) -> str:
    text = "\n".join(parts)
    tops = [t for part in parts for t in _tops(part)]
    return Cell(text, tops) if tops and all(_tops(part) for part in parts) else text


def _headerish(row: list[str]) -> bool:
    cells = [_flat(c) for c in row if c]
    return bool(cells) and all(len(c) < 40 and not re.search(r"\d", c) and "•" not in c for c in cells)


ENTITY_COLUMN = re.compile(r"^\s*(drugs?|agents?|medications?|generic name|name|intervention|test)\b", re.I)


FOOTNOTE_MARKS = re.compile(r"(?<=\w)[*±†‡§¶]+(?=[\s,()]|$)")  # "Sertraline*", "Escitalopram†‡§": marks of footnotes


def row_statement(header: tuple[str, ...], row: tuple[str, ...]) -> str:
    """One row as a readable statement: 'Chlorthalidone: initial dose 12.5-25 mg daily; maximum dose 25-50 mg daily'."""
    head = _items(row[0]).rstrip(":")
    names, values = list(header[1:]), list(row[1:])
    if len(row) > 2 and ENTITY_COLUMN.search(header[1] or "") and row[1]:
        # "Type | Drug | Initial Dose ...": the drug leads, its class follows in brackets
        head = f"{_items(row[1])} ({head})" if head else _items(row[1])
        names, values = names[1:], values[1:]
    parts = []
    single = sum(1 for name in names if name) <= 1  # "Concerns | Interventions": the name adds nothing
    for name, value in zip(names, values):
        if not value:
            continue
        name, value = _column(name), _items(value)
        if single or not name or value.lower().startswith(name.lower()):
            parts.append(value)
        elif "," in value or ":" in value or len(value) > 60 or re.search(r"\d", name):  # "... 30 mg: 1 mg"
            parts.append(f"{name}: {value}")
        else:
            parts.append(f"{name} {value}")
    head = FOOTNOTE_MARKS.sub("", head)
    statement = f"{head}: " + "; ".join(parts) if head and parts else head or "; ".join(parts)
    return " ".join(statement.split()).strip(" ,;")


def _items(cell: str) -> str:
    """Bulleted items in a cell as one comma-separated list."""
    items = [item.strip(" ,;") for item in re.split(r"\s*•\s*", cell) if item.strip(" ,;")]
    return ", ".join(items)


def _column(name: str) -> str:
    name = re.sub(r"(?<=[a-z])[a-e](?:,[a-e])+$", "", name.strip())  # footnote letters on a column name ("Dosea,b")
    name = re.sub(r"(?:(?<=\))|(?<=\d mg)|(?<=\d mcg))[a-h]$", "", name)  # "(in Hours)b", "30 mga"
    name = name.rstrip(":* ")
    if len(name) > 4 and name.isupper():
        return name.lower()
    words = name.split()
    if words and all(w[:1].isupper() and w[1:].islower() or w.islower() or not w.isalpha() for w in words):
        return name.lower()  # "Initial Dose" -> "initial dose" (acronyms such as "eGFR" or "CrCl" stay)
    return name


# --------------------------------------------------------------------------- fast path: pdfium vectors
# pdfplumber's own table geometry (merge_edges -> edges_to_intersections -> intersections_to_cells ->
# cells_to_tables, its default "lines" settings) run on cell borders read from pdfium's path objects, and cell
# text read with pdfium. This skips pdfminer's parse of every glyph, which costs 0.1-0.3 s a page.

SNAP = 3  # pdfplumber's default snap, join and intersection tolerances
MIN_EDGE = 3


def _edges(raw, page, height: float) -> list[dict]:
    import ctypes

    handle = page.raw
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    edges: list[dict] = []
    path_type = raw.FPDF_PAGEOBJ_PATH
    for k in range(raw.FPDFPage_CountObjects(handle)):
        obj = raw.FPDFPage_GetObject(handle, k)
        if raw.FPDFPageObj_GetType(obj) != path_type:
            continue
        if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        x0, x1, y_top, y_bottom = left.value, right.value, height - top.value, height - bottom.value
        w, h = x1 - x0, y_bottom - y_top
        if w > 3 * MIN_EDGE and h <= 2.5:
            y = (y_top + y_bottom) / 2
            edges.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": w, "height": 0, "orientation": "h", "object_type": "line"})
        elif h > 3 * MIN_EDGE and w <= 2.5:
            x = (x0 + x1) / 2
            edges.append({"x0": x, "x1": x, "top": y_top, "bottom": y_bottom, "width": 0, "height": h, "orientation": "v", "object_type": "line"})
        elif w > MIN_EDGE and h > MIN_EDGE:  # a rectangle: its four sides (pdfplumber's rect_to_edges)
            for y in (y_top, y_bottom):
                edges.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": w, "height": 0, "orientation": "h", "object_type": "rect_edge"})
            for x in (x0, x1):
                edges.append({"x0": x, "x1": x, "top": y_top, "bottom": y_bottom, "width": 0, "height": h, "orientation": "v", "object_type": "rect_edge"})
    return edges


def find_tables_fast(path: Path, page_indexes: list[int], vocab: dict[str, int] | None = None) -> dict[int, list[Table]]:
    """Tables on the given pages from pdfium's vector paths with pdfplumber's table geometry."""
    if not page_indexes:
        return {}
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
    from pdfplumber.utils import filter_edges

    out: dict[int, list[Table]] = {}
    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in page_indexes:
            try:
                page = pdf[index]
                _width, height = page.get_size()
                edges = merge_edges(_edges(raw, page, height), SNAP, SNAP, SNAP, SNAP)
                edges = filter_edges(edges, min_length=MIN_EDGE)
                cells = intersections_to_cells(edges_to_intersections(edges, SNAP, SNAP))
                textpage = page.get_textpage()
                tables = []
                groups = cells_to_tables(cells)
                rects = _text_rects(textpage, height) if groups else []
                for group in groups:
                    grid = _grid(group)
                    rows = [[_cell_text(textpage, cell, height, rects) if cell else "" for cell in row] for row in grid]
                    rows = _distribute_spans(grid, rows)
                    x0, top = min(c[0] for c in group), min(c[1] for c in group)
                    x1, bottom = max(c[2] for c in group), max(c[3] for c in group)
                    parsed = _parse(index, (x0, top, x1, bottom), rows, vocab or {})
                    if parsed is not None:
                        tables.append(parsed)
                if tables:
                    out[index] = tables
            except Exception as exc:  # a table we cannot read stays as page text
                log.debug("table geometry failed on %s page %d: %s", path, index + 1, exc)
    finally:
        pdf.close()
    return out


def _grid(cells: list[tuple[float, float, float, float]]) -> list[list[tuple | None]]:
    """Cells as rows (pdfplumber's Table.rows): grouped by top, placed by x0."""
    import itertools
    from operator import itemgetter

    xs = sorted({c[0] for c in cells})
    rows = []
    for _top, row_cells in itertools.groupby(sorted(cells, key=itemgetter(1, 0)), itemgetter(1)):
        by_x = {c[0]: c for c in row_cells}
        rows.append([by_x.get(x) for x in xs])
    return rows


def _text_rects(textpage, height: float) -> list[tuple[float, float, float, float]]:
    """pdfium's text segments on a page: (x0, x1, top, bottom), top down."""
    out = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        out.append((left, right, height - top, height - bottom))
    return out


def _line_centres(rects: list[tuple[float, float, float, float]], cell: tuple[float, float, float, float]) -> list[float]:
    """Vertical centre of each visual line of text inside a cell (segments whose centres are close share a line)."""
    x0, top, x1, bottom = cell
    inside = sorted(((t + b) / 2, b - t) for left, right, t, b in rects
                    if x0 <= (left + right) / 2 <= x1 and top <= (t + b) / 2 <= bottom)
    lines: list[list[float]] = []
    for centre, h in inside:
        if lines and centre - lines[-1][0] < max(3.0, 0.45 * h):
            lines[-1].append(centre)
        else:
            lines.append([centre])
    return [line[0] for line in lines]


def _cell_text(textpage, cell: tuple[float, float, float, float], height: float, rects=None) -> str:
    x0, top, x1, bottom = cell
    text = textpage.get_text_bounded(x0 + 1.5, height - bottom + 1.5, x1 - 1.5, height - top - 1.5)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not rects:
        return text
    return Cell(text.replace("\x02", "-\n"), _line_centres(rects, cell)) if "\x02" in text else Cell(text, _line_centres(rects, cell))


def _distribute_spans(grid: list[list[tuple | None]], rows: list[list[str]]) -> list[list[str]]:
    """A cell that spans several grid rows and whose lines stand in more than one of them (two products in one
    cell whose rule was not drawn) gives each row the lines beside it; a label centred in its span stays whole."""
    tops = [min(c[1] for c in row if c) if any(row) else 0.0 for row in grid]
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is None or r + 1 >= len(grid) or cell[3] <= tops[r + 1] + 2:
                continue
            spanned = [k for k in range(r, len(grid)) if tops[k] < cell[3] - 2]
            if any(grid[k][c] is not None for k in spanned[1:]):
                continue
            others = [j for j in range(len(row)) if j != c and row[j] is not None and str(rows[r][j]).strip()]
            if len(others) < 2 or not all(sum(1 for j in others if grid[k][j] is not None and str(rows[k][j]).strip()) * 2 >= len(others)
                                          for k in spanned[1:]):
                continue  # the rows below are not rows of their own (only a label's pieces stand there)
            placed = _positioned(rows[r][c])
            if not placed:
                continue
            parts: dict[int, list[tuple[float, str]]] = {}
            for centre, text in placed:
                target = max((k for k in spanned if tops[k] <= centre + 2), default=r)
                parts.setdefault(target, []).append((centre, text))
            if len(parts) < 2:
                continue
            for k in spanned:
                got = parts.get(k, [])
                rows[k][c] = Cell("\n".join(t for _, t in got), [ct for ct, _ in got]) if got else ""
    return rows
