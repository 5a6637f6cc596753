"""Ruled tables as rows: pdfplumber finds the cells on the few pages that look like tables, and each row
becomes one readable statement with its column names ("Chlorthalidone: initial dose 12.5-25 mg daily; ...")."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Table:
    page: int  # 0-based
    top: float  # distance from the page top, PDF units (pdfplumber's convention)
    bottom: float
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


PARALLEL_FROM = 4  # pages: below this, a worker process costs more than it saves
_POOL = None


def _pool():
    """Two forked worker processes (fork: nothing is re-imported), kept for the life of this process (pdfplumber is pure Python and
    CPU-bound; while PDFs are read, the second core is otherwise idle)."""
    global _POOL
    if _POOL is None:
        import atexit
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _POOL = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"))
        atexit.register(_POOL.shutdown, wait=False, cancel_futures=True)
    return _POOL


def extract_tables(path: Path, page_indexes: list[int], vocab: dict[str, int] | None = None) -> dict[int, list[Table]]:
    """Tables on the given pages (pdfplumber's line strategy); a page that fails is skipped.

    Many pages are shared between two worker processes; if the workers cannot run, the pages are read here."""
    if len(page_indexes) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        words = {w: 1 for w, n in (vocab or {}).items() if n}
        try:
            halves = [page_indexes[0::2], page_indexes[1::2]]
            out: dict[int, list[Table]] = {}
            for part in _pool().map(_extract, [path, path], halves, [words, words]):
                out.update(part)
            return out
        except Exception as exc:  # e.g. no process can be started here
            log.debug("table workers unavailable (%s): reading tables in this process", exc)
    return _extract(path, page_indexes, vocab)


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
    text = " ".join(str(value or "").replace("\ufffe", "-").split())
    words = re.findall(r"[A-Za-z]{3,}", text)
    if words and vocab:  # vertical labels come out reversed ("gnirotinoM"): drop them
        forward = sum(1 for w in words if vocab.get(w.lower()))
        backward = sum(1 for w in words if vocab.get(w[::-1].lower()))
        if backward > forward:
            return ""
    return text


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
    header = rows[0]
    body = rows[1:]
    # A header wrapped over two rows: the second row fills the first row's gaps and has no first cell.
    while body and not body[0][0] and sum(1 for c in body[0] if c) <= len(header) and _headerish(body[0]):
        header = [" ".join(x for x in (a, b) if x) for a, b in zip(header, body[0])]
        body = body[1:]
    merged: list[list[str]] = []
    for row in body:
        if merged and not row[0]:  # a continuation line of the row above
            merged[-1] = [" ".join(x for x in (a, b) if x) for a, b in zip(merged[-1], row)]
        else:
            merged.append(row)
    merged = [row for row in merged if sum(1 for c in row if c) >= 2 or len(row) == 1]
    if not merged:
        return None
    return Table(page, bbox[1], bbox[3], tuple(header), tuple(tuple(r) for r in merged))


def _headerish(row: list[str]) -> bool:
    cells = [c for c in row if c]
    return bool(cells) and all(len(c) < 40 and not re.search(r"\d", c) for c in cells)


def row_statement(header: tuple[str, ...], row: tuple[str, ...]) -> str:
    """One row as a sentence-like line: 'First cell: column two value; column three value'."""
    head = row[0].rstrip(":")
    parts = []
    for name, value in zip(header[1:], row[1:]):
        if not value:
            continue
        name = _column(name)
        parts.append(f"{name} {value}" if name and not value.lower().startswith(name.lower()) else value)
    statement = f"{head}: " + "; ".join(parts) if head and parts else head or "; ".join(parts)
    statement = statement.replace("•", ";").replace(":;", ":").replace("; ;", ";")
    return " ".join(statement.split())


def _column(name: str) -> str:
    name = re.sub(r"(?<=[a-z])[a-e](?:,[a-e])*$", "", name.strip())  # footnote letters on a column name
    name = name.rstrip(":")
    if name.isupper() and len(name) > 4:
        return name.lower()
    return name[:1].lower() + name[1:] if name[:2] != name[:2].upper() else name
