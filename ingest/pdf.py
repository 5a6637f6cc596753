"""Read a PDF with pypdfium2: page text, the bookmark outline, document metadata, and which pages carry ruled tables.

Tables are looked for only on the pages the cheap pdfium signals point at (many vector path objects, many
short lines, a section that holds prose rather than appendix apparatus); see ingest.tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path



@dataclass(frozen=True)
class Bookmark:
    level: int
    page: int  # 0-based page index
    title: str
    y: float | None = None  # top of the destination view, PDF units from the page bottom, when the outline says


@dataclass
class PdfData:
    pages: list[str]
    outline: list[Bookmark]
    info: dict[str, str]
    path_counts: list[int]
    page_sizes: list[tuple[float, float]]
    rotations: list[int] = field(default_factory=list)


def read_pdf(path: Path) -> PdfData:
    """Text of every page, the outline and the metadata; raises pdfium's own errors."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(path))
    try:
        pages, counts, sizes, rotations = [], [], [], []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            counts.append(_path_count(raw, page) if _many_short_lines(pages[-1]) else 0)
            sizes.append(tuple(page.get_size()))
            rotations.append(page.get_rotation())
        outline = _outline(pdf)
        info = {k: str(v) for k, v in pdf.get_metadata_dict().items() if v}
    finally:
        pdf.close()
    return PdfData(pages, outline, info, counts, sizes, rotations)


def _many_short_lines(text: str) -> bool:
    """The text signal of a table: at least 8 lines, 40% of them short (the vector count is only taken then)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 8 and sum(1 for line in lines if len(line.strip()) < 60) >= 0.4 * len(lines)


def _path_count(raw, page) -> int:
    """Vector path objects on a page (raw calls: no Python object per page object)."""
    handle = page.raw
    n = raw.FPDFPage_CountObjects(handle)
    path_type = raw.FPDF_PAGEOBJ_PATH
    return sum(1 for k in range(n) if raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(handle, k)) == path_type)


def _outline(pdf) -> list[Bookmark]:
    marks: list[Bookmark] = []
    try:
        toc = list(pdf.get_toc(max_depth=8))
    except Exception:  # a broken outline is no outline
        return []
    for item in toc:
        dest = item.get_dest()
        if dest is None:
            continue
        index = dest.get_index()
        if index is None or index < 0:
            continue
        title = " ".join((item.get_title() or "").replace("\ufffe", "-").split())
        if not title:
            continue
        y = None
        try:
            _mode, view = dest.get_view()
            if len(view) >= 2 and view[1]:
                y = float(view[1])
        except Exception:
            y = None
        marks.append(Bookmark(int(item.level), int(index), title, y))
    return marks


def bounded_text(path: Path, rects: dict[int, list[tuple[float, float, float, float]]]) -> dict[int, list[str]]:
    """Text inside rectangles (left, bottom, right, top in PDF units) of some pages, in reading order."""
    import pypdfium2 as pdfium

    from ingest.normalize import normalize_chars

    pdf = pdfium.PdfDocument(str(path))
    out: dict[int, list[str]] = {}
    try:
        for index, wanted in rects.items():
            textpage = pdf[index].get_textpage()
            out[index] = [
                normalize_chars(textpage.get_text_bounded(left, bottom, right, top).replace("\r\n", "\n").replace("\r", "\n"))
                if right - left > 1 and top - bottom > 1 else ""
                for left, bottom, right, top in wanted
            ]
    finally:
        pdf.close()
    return out


# ---------------------------------------------------------------------------------------------- metadata

VERSION_YEAR = re.compile(r"Version\s+(\d+(?:\.\d+)?)\s*[\u2013\u2014-]?\s*(?:[A-Z][a-z]+\s+)?((?:19|20)\d\d)\b")
VERSION = re.compile(r"\bVersion\s+(\d+(?:\.\d+)?)\b")
MONTH_YEAR = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+((?:19|20)\d\d)\b")
PDF_DATE = re.compile(r"D:((?:19|20)\d\d)")


def pdf_metadata(info: dict[str, str], pages: list[str]) -> dict[str, object]:
    """issuer, title, year and version from the document info dictionary and the title page."""
    out: dict[str, object] = {}
    title = " ".join(info.get("Title", "").replace("_", " ").split())
    front = "\n".join(pages[:2])
    if title:
        out["title"] = title
    author = info.get("Author", "")
    blob = " ".join([title, info.get("Subject", ""), author, front[:600]])
    if re.search(r"\bVA\s*/\s*DoD\b|Department of Veterans Affairs", blob, re.IGNORECASE):
        out["issuer"] = "VA/DoD"
    elif author:
        out["issuer"] = author.split(",")[0].strip()[:120]
    match = VERSION_YEAR.search(front)
    if match:
        out["version"], out["year"] = match.group(1), int(match.group(2))
    else:
        version = VERSION.search(front)
        if version:
            out["version"] = version.group(1)
        created = PDF_DATE.search(info.get("CreationDate", ""))
        month_year = MONTH_YEAR.search(pages[0] if pages else "")
        if month_year:
            out["year"] = int(month_year.group(1))
        elif created:
            out["year"] = int(created.group(1))
    year = out.get("year")
    if isinstance(year, int) and not 1950 <= year <= date.today().year + 1:
        out.pop("year")
    return out
