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


def _cell(value: object, vocab: dict[str, int]) -> str:
    """A cell's text with its line breaks; a vertical label (pdfplumber reads it backwards) turned round."""
    text = "\n".join(" ".join(line.split()) for line in str(value or "").replace("\ufffe", "-").replace("\x02", "-").splitlines())
    text = text.strip("\n")
    words = re.findall(r"[A-Za-z]{3,}", text)
    if words and vocab:
        forward = sum(1 for w in words if vocab.get(w.lower()))
        backward = sum(1 for w in words if vocab.get(w[::-1].lower()))
        if backward > forward:
            return " ".join(text.replace("\n", " ")[::-1].split())
    return text


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
    cells = [_logical_lines(c) for c in row]
    if key >= len(row) or len(cells[key]) < 2 or row[key].lstrip().startswith("•"):
        return [row]
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


def _parse(page: int, bbox: tuple[float, float, float, float], raw: list[list[object]], vocab: dict[str, int]) -> Table | None:
    rows = [[_cell(c, vocab) for c in row] for row in raw]
    rows = [row for row in rows if any(row)]
    if len(rows) < 2:
        return None
    # Drop columns that are empty everywhere (pdfplumber splits merged cells into empty ones).
    keep = [j for j in range(max(len(r) for r in rows)) if any(j < len(r) and r[j] for r in rows)]
    rows = [[r[j] if j < len(r) else "" for j in keep] for r in rows]
    if len(keep) < 2:
        return None
    header = [_flat(c) for c in rows[0]]
    body = rows[1:]
    # A header wrapped over more rows: short cells without numbers, filling the gaps of the first row.
    while body and _headerish(body[0]) and (not body[0][0] or not any(body[0][1:])):
        header = [" ".join(x for x in (a, _flat(b)) if x) for a, b in zip(header, body[0])]
        body = body[1:]
    header, body = _align_header(header, body)
    header, body = _merge_unnamed(header, body)
    key = 1 if len(header) > 2 and ENTITY_COLUMN.search(header[1] or "") else 0
    merged: list[list[str]] = []
    for row in body:
        for part in _split_stacked(row, key):
            part = [_flat(c) for c in part]
            if merged and not part[0]:  # the first cell spans rows (rowspan): each row keeps it as its subject
                part[0] = merged[-1][0]
            merged.append(part)
    merged = [row for row in merged if sum(1 for c in row if c) >= 2 and _flat(row[0]).lower() != header[0].lower()]
    if not merged:
        return None
    return Table(page, bbox[1], bbox[3], bbox[0], bbox[2], tuple(header), tuple(tuple(r) for r in merged))


def _align_header(header: list[str], body: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """A column name set over an empty column beside the column it names (merged header cells): move it."""
    header = list(header)
    drop = set()
    for j, name in enumerate(header):
        if not name or any(row[j] for row in body):
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
        rows.append(["\n".join(merged[j]) for j in keep])
    return [header[j] for j in keep], rows


def _headerish(row: list[str]) -> bool:
    cells = [_flat(c) for c in row if c]
    return bool(cells) and all(len(c) < 40 and not re.search(r"\d", c) and "•" not in c for c in cells)


ENTITY_COLUMN = re.compile(r"^\s*(drugs?|agents?|medications?|generic name|name|intervention|test)\b", re.I)


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
        elif "," in value or ":" in value or len(value) > 60:
            parts.append(f"{name}: {value}")
        else:
            parts.append(f"{name} {value}")
    statement = f"{head}: " + "; ".join(parts) if head and parts else head or "; ".join(parts)
    return " ".join(statement.split()).strip(" ,;")


def _items(cell: str) -> str:
    """Bulleted items in a cell as one comma-separated list."""
    items = [item.strip(" ,;") for item in re.split(r"\s*•\s*", cell) if item.strip(" ,;")]
    return ", ".join(items)


def _column(name: str) -> str:
    name = re.sub(r"(?<=[a-z])[a-e](?:,[a-e])+$", "", name.strip())  # footnote letters on a column name ("Dosea,b")
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
                for group in cells_to_tables(cells):
                    grid = _grid(group)
                    rows = [[_cell_text(textpage, cell, height) if cell else "" for cell in row] for row in grid]
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


def _cell_text(textpage, cell: tuple[float, float, float, float], height: float) -> str:
    x0, top, x1, bottom = cell
    text = textpage.get_text_bounded(x0 + 1.5, height - bottom + 1.5, x1 - 1.5, height - top - 1.5)
    return text.replace("\r\n", "\n").replace("\r", "\n")
