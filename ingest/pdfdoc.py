"""One PDF file -> one SourceDocument: cleaned page text, outline headings at exact offsets, table rows as
lines of their own (regions), and issuer/title/year/version metadata (a site's sidecar manifest wins)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from assistant.errors import IngestError
from ingest.normalize import (
    compounds,
    join_line_hyphens,
    normalize_chars,
    repair_words,
    repeated_lines,
    strip_page_noise,
    vocabulary,
)
from ingest.pdf import PdfData, bounded_text, pdf_metadata, read_pdf
from ingest.structure import ROW_END, Region, fill_outline_gaps, find_recommendations, place_outline, section_kind
from ingest.tables import Table, extract_tables, looks_like_table, row_statement

log = logging.getLogger(__name__)
NO_TABLE_SECTIONS = re.compile(r"algorithm|module|sidebar|methodolog|alternative text|alternate text", re.I)
MAX_TABLE_PAGES = 80  # ~0.02 s a page with the fast table engine: a bound, not a budget


def build_pdf_document(path: Path, sidecar: dict[str, Any]):
    from ingest.load import SourceDocument, slug

    import pypdfium2 as pdfium

    try:
        data = read_pdf(path)
    except pdfium.PdfiumError as exc:
        reason = "PDF is encrypted with a password" if "password" in str(exc).lower() else f"unreadable PDF ({exc})"
        raise IngestError(str(path), reason) from exc
    if not any(page.strip() for page in data.pages):
        raise IngestError(str(path), "PDF has no extractable text (scanned images need OCR)")
    raw = [normalize_chars(page) for page in data.pages]
    data.outline = fill_outline_gaps(data.outline, raw)
    headers = repeated_lines(raw)
    whole = "\n".join(raw)
    vocab, hyphenated = vocabulary(whole), compounds(whole)
    candidates = table_pages(data, raw)
    tables = extract_tables(path, candidates, vocab) if candidates else {}

    pages: list[str] = []
    row_spans: list[tuple[int, int, int, dict]] = []  # page index, offset in page, length, data
    table_no = 0
    band_text = _bands(path, data, tables)
    for i, page in enumerate(raw):
        if i not in band_text:
            pages.append(_repair(strip_page_noise(page, headers), vocab, hyphenated))
            continue
        pieces = band_text[i]
        out = _repair(strip_page_noise(pieces[0], headers), vocab, hyphenated)
        for table, after, beside in zip(tables[i], pieces[1:], band_text[i].beside):
            table_no += 1
            columns = " | ".join(h for h in table.header if h)
            for k, row in enumerate(table.rows):
                line = _repair(row_statement(table.header, row), vocab, hyphenated)
                if not line:
                    continue
                out = out.rstrip("\n") + "\n\n" if out.strip() else ""
                row_spans.append((i, len(out), len(line), {"table": table_no, "row": k + 1, "columns": columns}))
                out += line
            if beside.strip():  # text set beside the table (outside its columns), kept as text after its rows
                out = out.rstrip("\n") + "\n\n" + _repair(beside.strip(), vocab, hyphenated)
            tail = _repair(strip_page_noise(after, headers), vocab, hyphenated)
            if tail.strip():
                out = out.rstrip("\n") + "\n\n" + tail
        pages.append(out)

    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 2
    text = "\n\n".join(pages)
    headings = tuple(place_outline(data.outline, pages, tuple(starts)))
    regions = tuple(Region(starts[i] + at, starts[i] + at + n, "table_row", meta) for i, at, n, meta in row_spans)

    meta: dict[str, Any] = {"pages": len(pages), **pdf_metadata(data.info, data.pages)}
    meta.update(sidecar)
    meta["outline"] = bool(headings)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), path.stem)
    title = str(meta.pop("title", "") or first_line)
    return SourceDocument(slug(path.stem), title[:200], text, "plain", str(path), meta, tuple(starts), headings, regions)


def _repair(text: str, vocab, hyphenated) -> str:
    return repair_words(join_line_hyphens(text, vocab, hyphenated), vocab)


def table_pages(data: PdfData, pages: list[str]) -> list[int]:
    """Pages worth reading as tables: ruled, short-lined, inside a prose section, not a recommendation table."""
    kinds = _page_sections(data)
    out = []
    for i, page in enumerate(pages):
        if data.rotations and data.rotations[i] % 360:
            continue
        if not looks_like_table(page, data.path_counts[i]):
            continue
        sections = kinds[i]
        prose = [path for kind, path in sections if kind == "text" and not NO_TABLE_SECTIONS.search(" ".join(path))]
        if sections and not prose:
            continue
        if ROW_END.search(page) and find_recommendations(page):  # recommendation rows are read from the text
            continue
        out.append(i)
    if len(out) > MAX_TABLE_PAGES:
        log.info("%d table pages, reading the first %d with pdfplumber", len(out), MAX_TABLE_PAGES)
        out = out[:MAX_TABLE_PAGES]
    return out


def _page_sections(data: PdfData) -> list[list[tuple[str, tuple[str, ...]]]]:
    """Per page: (kind, heading path) of every section that is open on it."""
    from ingest.structure import _drop_root

    marks = sorted(_drop_root(data.outline), key=lambda m: m.page)
    out: list[list[tuple[str, tuple[str, ...]]]] = [[] for _ in data.pages]
    if not marks:
        return out
    stack: list[tuple[int, str]] = []
    j = 0
    for i in range(len(data.pages)):
        if stack:
            path = tuple(t for _, t in stack)
            out[i].append((section_kind(path), path))
        while j < len(marks) and marks[j].page == i:
            while stack and stack[-1][0] >= marks[j].level:
                stack.pop()
            stack.append((marks[j].level, marks[j].title))
            path = tuple(t for _, t in stack)
            out[i].append((section_kind(path), path))
            j += 1
    return out


class _PageBands(list):
    """Text above, between and below a page's tables (a list), and beside each table (.beside)."""

    beside: list[str]


def _bands(path: Path, data: PdfData, tables: dict[int, list[Table]]) -> dict[int, _PageBands]:
    """For each page with tables: the text above, between and below them, and the text left and right of each
    (pdfium, PDF units from the bottom)."""
    wanted: dict[int, list[tuple[float, float, float, float]]] = {}
    for i, found in tables.items():
        found.sort(key=lambda t: t.top)
        width, height = data.page_sizes[i]
        edges = [height] + [y for t in found for y in (height - t.top, height - t.bottom)] + [0.0]
        rects = [(0.0, edges[k + 1], width, edges[k]) for k in range(0, len(edges), 2)]
        for t in found:
            rects.append((0.0, height - t.bottom, max(t.x0 - 1, 0.0), height - t.top))
            rects.append((min(t.x1 + 1, width), height - t.bottom, width, height - t.top))
        wanted[i] = rects
    if not wanted:
        return {}
    texts = bounded_text(path, wanted)
    out: dict[int, _PageBands] = {}
    for i, found in tables.items():
        got = texts[i]
        bands = _PageBands(got[: len(found) + 1])
        side = got[len(found) + 1 :]
        bands.beside = [(side[2 * k] + "\n" + side[2 * k + 1]).strip() if side[2 * k].strip() or side[2 * k + 1].strip() else ""
                        for k in range(len(found))]
        out[i] = bands
    return out
