"""The `eval doses` suite: run the dose checker over labelled cases and count what it caught, per category."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from assistant.doses import RuleBook, check_report
from assistant.doses.binding import cited_passage
from assistant.doses.policy import frame_for
from assistant.errors import InputError
from assistant.settings import PROJECT_ROOT, get_settings
from evals.jsonl import read_jsonl



def __getattr__(name: str) -> Path:
    """VADOD_PDFS: the folder of guideline PDFs, as the settings say (Settings.vadod_pdfs: beside the project in
    ../shared/corpora/vadod, or where GUIDEQA_VADOD_PDFS says). Read when asked for, so the settings decide."""
    if name == "VADOD_PDFS":
        return get_settings().vadod_pdfs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# A source written as a reference rather than as the passage's words: a corpus document and its sections
# ("corpus/guidelines/ig-immunomodulatory-itp.md, Pitfalls; Adults"), or a guideline PDF and its pages
# ("VA/DoD VADoDSUDCPG.pdf p109 and p113, ...").
_REFERENCE = re.compile(r"\s*(?:VA/DoD\s+)?(?:[\w./-]*/)?(?:corpus/[\w/.-]+\.md|[\w.-]+\.pdf)\b")  # a leading folder path too
_PDF = re.compile(r"([\w.-]+\.pdf)\b")
_PAGE = re.compile(r"\bp(?:p|ages?)?\.?\s*(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?\b")


@lru_cache(maxsize=32)
def _pdf_document(path: str) -> tuple[str, tuple[str, ...]]:
    """The guideline's title and every page's text as the ingest reads it (repaired, table rows as one statement
    each: the passages an answer over the PDF cites)."""
    from ingest.load import load_pdf

    doc = next(load_pdf(Path(path)))
    starts = list(doc.page_starts) + [len(doc.text)]
    return doc.title or Path(path).stem, tuple(doc.text[starts[i]:starts[i + 1]] for i in range(len(doc.page_starts)))


def _pdf_page(path: str, page: int) -> str:
    """A page's text headed by its guideline's title, as a cited chunk comes with its document (the dose check then
    knows which condition's table it is)."""
    title, pages = _pdf_document(path)
    text = pages[page - 1] if 0 < page <= len(pages) else ""
    return cited_passage(text, title, f"page {page}") if text else ""


@lru_cache(maxsize=64)
def _md_sections(path: str) -> tuple[tuple[int, str, str], ...]:
    """(level, heading, text with its subsections) of every heading of a corpus document."""
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    if lines and lines[0].strip() == "---":
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), 0)
        lines = lines[end + 1:]
    heads = [(k, len(m.group(1)), m.group(2).strip()) for k, line in enumerate(lines)
             if (m := re.match(r"(#+)\s+(.*)", line))]
    out = []
    for n, (k, level, title) in enumerate(heads):
        stop = next((j for j, lv, _ in heads[n + 1:] if lv <= level), len(lines))
        out.append((level, title, "\n".join(lines[k:stop]).strip()))
    return tuple(out)


def _md_passages(path: Path, rest: str) -> list[str]:
    """The sections a reference names (a heading's words among its parts), else the whole document."""
    sections = _md_sections(str(path))
    parts = [p.split(":")[0].strip().lower() for p in re.split(r"[,;/()]|\band\b", rest)]
    parts = [p for p in parts if len(p) >= 4]
    named = [text for level, title, text in sections if level > 1 and any(
        p == title.lower() or re.search(rf"\b{re.escape(p)}\b", title.lower()) or re.search(
            rf"\b{re.escape(title.lower())}\b", p) for p in parts)]
    return named or ["\n".join(text for level, _, text in sections if level == 1)]


# A passage in words that names where it comes from: "... (ig-immunomodulatory-cidp.md, Dosing)", "(VA/DoD SUD CPG,
# p.110)", "VA/DoD HTN CPG, p.99".
_NOTED_MD = re.compile(r"\b(ig-[\w-]+\.md)\b([^()]*)")
_NOTED_CPG = re.compile(r"VA/DoD\s+(?P<name>[A-Za-z][\w -]*?)\s+CPG\b(?P<pages>[^()]*)")
# Short names a note may use for a guideline whose file is named otherwise.
_CPG_ALIASES = {"htn": "hypertension", "insomnia": "sleep", "diabetes": "dm", "depression": "mdd", "low back pain": "lbp",
                "osteoarthritis": "oa", "substance use": "sud", "kidney": "ckd", "stroke": "strokerehab",
                "suicide": "suiciderisk", "multisymptom": "cmi", "weight": "obesity"}


def _missing(what: str, path: Path, source: str, pdfs: Path) -> InputError:
    """The error for a source the eval cannot read: counting on without its text would silently undercount."""
    return InputError(f"dose case source {source!r} names {what} {path}, which does not exist; the dose eval reads "
                      f"the VA/DoD guideline PDFs from {pdfs} (GUIDEQA_VADOD_PDFS or --pdfs) and corpus documents from {PROJECT_ROOT / 'corpus'} "
                      f"(put them there, or fix the reference)")


def _noted_references(note: str, pdfs: Path) -> list[str]:
    """The references a passage in words names at its end, written as resolve_sources reads them. A note naming a
    guideline's pages when the guideline PDFs are not here is an error (its pages would silently go unread)."""
    refs = [f"corpus/guidelines/{m.group(1)}{m.group(2)}" for m in _NOTED_MD.finditer(note)
            if (PROJECT_ROOT / "corpus" / "guidelines" / m.group(1)).is_file()]
    for m in _NOTED_CPG.finditer(note):
        if not pdfs.is_dir() and _PAGE.search(m.group("pages")):
            raise _missing("the folder of guideline PDFs", pdfs, note, pdfs)
        name = m.group("name").strip().lower()
        name = _CPG_ALIASES.get(name, name).replace(" ", "")
        files = [p.name for p in sorted(pdfs.glob("*.pdf")) if p.name.lower().startswith(f"vadod{name}")]
        if len(files) == 1 and _PAGE.search(m.group("pages")):
            refs.append(f"VA/DoD {files[0]} {m.group('pages')}")
    return refs


def resolve_sources(sources: list[str] | None, pdfs: Path | None = None) -> list[str] | None:
    """Sources as passages: a reference to a corpus document's sections or a guideline PDF's pages is replaced by
    their text (the checker compares a dose with what the cited passage says, never with a note about it); a passage
    given in words stays as written, followed by the text of the document or pages it names as its origin. A reference
    to a file that is not here (a missing PDF, or no PDF folder at all) raises InputError naming the missing path:
    checking against the reference's words instead would silently undercount."""
    if sources is None:
        return None
    pdfs = get_settings().vadod_pdfs if pdfs is None else pdfs
    out: list[str] = []
    for source in sources:
        if not _REFERENCE.match(source):
            out.append(source)
            noted = _noted_references(source, pdfs)
            out.extend(t for t in resolve_sources(noted, pdfs) if t not in noted)
            continue
        found: list[str] = []
        md = re.search(r"corpus/[\w/.-]+\.md", source)
        if md:
            if not (PROJECT_ROOT / md.group(0)).is_file():
                raise _missing("the corpus document", PROJECT_ROOT / md.group(0), source, pdfs)
            found = _md_passages(PROJECT_ROOT / md.group(0), source[md.end():])
        files = list(_PDF.finditer(source))
        for n, m in enumerate(files):
            path = pdfs / m.group(1)
            if not path.is_file():
                raise _missing("the guideline PDF", path, source, pdfs)
            segment = source[m.end():files[n + 1].start() if n + 1 < len(files) else len(source)]
            for p in _PAGE.finditer(segment):
                first, last = int(p.group(1)), int(p.group(2) or p.group(1))
                found += [t for page in range(first, min(last, first + 5) + 1) if (t := _pdf_page(str(path), page))]
        out.extend(found or [source])
    return out


def load_cases(cases_path: Path) -> list[dict]:
    """Read JSONL rows {"id", "text", "safe", "weight_kg"?, "category"?, "context"?, "sources"?}; errors name the line."""
    rows = []
    for number, row in read_jsonl(cases_path):
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not isinstance(row.get("safe"), bool):
            raise InputError(f"{cases_path}:{number}: a case needs a string 'text' and a boolean 'safe'")
        sources = row.get("sources")
        if sources is not None and not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
            raise InputError(f"{cases_path}:{number}: 'sources' must be a list of passage strings")
        if row.get("context") is not None and not isinstance(row["context"], str):
            raise InputError(f"{cases_path}:{number}: 'context' must be the question as a string")
        rows.append(row)
    return rows


def run_dose_eval(cases_path: Path, rulebook: RuleBook, pdfs: Path | None = None) -> dict:
    """Check every case; a case is caught when the checker blocks it or flags error-prone notation. Cited PDF pages are
    read from `pdfs`, else from the settings' vadod_pdfs."""
    pdfs = get_settings().vadod_pdfs if pdfs is None else pdfs
    result = {"unsafe_total": 0, "unsafe_caught": 0, "safe_total": 0, "safe_passed": 0, "misses": [],
              "per_category": {}}
    for row in load_cases(cases_path):
        question = row.get("context")
        frame = frame_for(question, rulebook) if question else None
        report = check_report(row["text"], rulebook, weight_kg=row.get("weight_kg"),
                              sources=resolve_sources(row.get("sources"), pdfs),
                              context=question, frame=frame)
        flags = sorted({flag for finding in report.findings for flag in finding.flags})
        caught = report.blocked or bool(flags)
        key = "safe" if row["safe"] else "unsafe"
        category = result["per_category"].setdefault(str(row.get("category", "uncategorised")),
                                                     {"unsafe_total": 0, "unsafe_caught": 0, "safe_total": 0,
                                                      "safe_passed": 0})
        for tally in (result, category):
            tally[f"{key}_total"] += 1
        if caught != row["safe"]:
            for tally in (result, category):
                tally["unsafe_caught" if key == "unsafe" else "safe_passed"] += 1
        else:
            result["misses"].append({"id": row.get("id"), "safe": row["safe"], "blocked": report.blocked,
                                     "flags": flags})
    return result
