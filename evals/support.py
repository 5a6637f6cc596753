"""The `support` suite: (statement, passage, label) pairs written from the sources, scored with the claim-level check.

Rows: {"id", "group", "split", "source": {"doc": "corpus/guidelines/x.md"} | {"pdf": "FILE.pdf", "page": N},
"span": {"start", "end", "sha1"}, "heading", "statement", "label": "supported"|"unsupported", "kind", "note"}.
The passage is cut from the source at run time (a doc relative to the repository root; a PDF page's text exactly as
pypdfium2 gives it) and its sha1 checked: a span that drifted from its source is reported as an error, never scored.
"Unsupported" is the positive class: its precision and recall, accuracy, and both per kind and per source.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.settings import Settings
from assistant.support import MAX_UNCOVERED, MIN_COVERAGE, check_support
from assistant.support import acronyms_of
from assistant.vocabulary import Vocabulary, document_conditions, load_vocabulary, with_conditions
from evals.jsonl import read_jsonl

LABELS = ("supported", "unsupported")


@lru_cache(maxsize=64)
def pdf_pages(path: Path) -> tuple[str, ...]:
    """Every page's text, as the cases' spans were cut from it."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return tuple(doc[i].get_textpage().get_text_range().replace("\r\n", "\n").replace("\r", "\n") for i in range(len(doc)))
    finally:
        doc.close()


class Sources:
    """Finds each case's source text: bundled docs under the repository root, PDFs in their folder."""

    def __init__(self, root: Path, pdf_dir: Path) -> None:
        self.root, self.pdf_dir = root, pdf_dir

    def document(self, source: dict) -> tuple[str, str]:
        """(key, full text) of a case's source: the doc, or the PDF page."""
        if "doc" in source:
            path = self.root / source["doc"]
            if not path.is_file():
                raise LookupError(f"{source['doc']} does not exist")
            return source["doc"], path.read_text("utf-8")
        path = self.pdf_dir / source["pdf"]
        if not path.is_file():
            raise LookupError(f"{path} does not exist (the VA/DoD PDFs are read from --pdf-dir)")
        pages = pdf_pages(path)
        page = int(source["page"])
        if not 1 <= page <= len(pages):
            raise LookupError(f"{source['pdf']} has no page {page}")
        return source["pdf"], pages[page - 1]

    def title(self, key: str) -> str:
        """A source document's title as the index stores it: a PDF's metadata title (else its first line), a doc's
        front-matter title (else its first line)."""
        if key.lower().endswith(".pdf"):
            return pdf_title(self.pdf_dir / key) or _title(self.whole(key))
        return _title(self.whole(key))

    @lru_cache(maxsize=128)
    def whole(self, key: str) -> str:
        """A source document's whole text (a PDF's every page), where it defines its acronyms and names its subject."""
        if key.lower().endswith(".pdf"):
            return "\n".join(pdf_pages(self.pdf_dir / key))
        return (self.root / key).read_text("utf-8")


@lru_cache(maxsize=64)
def pdf_title(path: Path) -> str:
    """A PDF's title as ingest reads it (the document information dictionary, underscores as spaces), or ""."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return " ".join(str(doc.get_metadata_dict().get("Title") or "").replace("_", " ").split())
    finally:
        doc.close()


def _title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("title:"):
            return line.split(":", 1)[1].strip()
        if line.strip() and not line.startswith("---"):
            return line.strip().lstrip("# ")
    return ""


def passage_of(row: dict, sources: Sources) -> tuple[str, str]:
    """(source key, passage) of a case; ValueError when its span drifted from the source."""
    key, text = sources.document(row["source"])
    span = row["span"]
    passage = text[int(span["start"]):int(span["end"])]
    digest = hashlib.sha1(passage.encode("utf-8")).hexdigest()
    if digest != span.get("sha1"):
        raise ValueError(f"span {span['start']}-{span['end']} of {key} drifted (sha1 {digest[:10]} != {str(span.get('sha1'))[:10]})")
    return key, passage


def _rates(tp: int, fp: int, fn: int, tn: int) -> dict[str, Any]:
    total = tp + fp + fn + tn
    return {
        "n": total,
        "precision_unsupported": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall_unsupported": round(tp / (tp + fn), 4) if tp + fn else None,
        "accuracy": round((tp + tn) / total, 4) if total else None,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


def _score(results: list[dict]) -> dict[str, Any]:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for r in results:
        actual, predicted = r["label"] == "unsupported", not r["supported"]
        counts[("t" if actual == predicted else "f") + ("p" if predicted else "n")] += 1
    return _rates(**counts)


def vocabulary_for(settings: Settings, sources: Sources, keys: set[str]) -> Vocabulary:
    """The corpus vocabulary plus the conditions the cases' source documents name in their titles."""
    base = load_vocabulary(settings.doses.rules_dir, settings.corpus_dir / "lexicon.yaml")
    titles = {key: sources.title(key) for key in sorted(keys)}  # sorted: which document's name a condition takes
    return with_conditions(base, document_conditions(titles, {key: sources.whole(key) for key in sorted(keys)}))


def run_support_eval(cases_path: Path, settings: Settings, pdf_dir: Path, *, min_coverage: float = MIN_COVERAGE,
                     max_uncovered: int = MAX_UNCOVERED) -> dict[str, Any]:
    """Every case checked against its passage; the figures for 'unsupported', per kind and per source, and errors."""
    return _run(_load(cases_path, settings, pdf_dir), min_coverage, max_uncovered)


def sweep(cases_path: Path | Sequence[Path], settings: Settings, pdf_dir: Path,
          coverages: Sequence[float] = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85),
          uncovered: Sequence[int] = (1, 2, 3, 4, 5, 6), min_precision: float = 0.9) -> dict[str, Any]:
    """The figures at each (min_coverage, max_uncovered), and the pair the rule picks: the highest recall of
    'unsupported' whose precision is at least `min_precision` (ties: higher accuracy, then the stricter pair); where no
    pair reaches that precision, the highest accuracy. Several case files (two independent dev sets) are scored as one."""
    paths = [cases_path] if isinstance(cases_path, (str, Path)) else list(cases_path)
    loaded = [_load(Path(p), settings, pdf_dir) for p in paths]
    grid = []
    for cov in coverages:
        for unc in uncovered:
            r = _score([x for one in loaded for x in _run(one, cov, unc)["results"]])
            grid.append({"min_coverage": cov, "max_uncovered": unc, "precision_unsupported": r["precision_unsupported"],
                         "recall_unsupported": r["recall_unsupported"], "accuracy": r["accuracy"]})
    ok = [g for g in grid if (g["precision_unsupported"] or 0) >= min_precision]
    if ok:
        pick = max(ok, key=lambda g: (g["recall_unsupported"], g["accuracy"], g["min_coverage"], -g["max_uncovered"]))
    else:
        pick = max(grid, key=lambda g: (g["accuracy"], g["recall_unsupported"], g["min_coverage"], -g["max_uncovered"]))
    return {"rule": f"max recall subject to precision >= {min_precision}" if ok else "max accuracy (no pair reaches the precision)",
            "pick": pick, "grid": grid}


def _load(cases_path: Path, settings: Settings, pdf_dir: Path) -> tuple:
    sources = Sources(settings.corpus_dir.resolve().parent, pdf_dir)
    rows, errors = [], []
    for line, row in read_jsonl(cases_path):
        try:
            if row.get("label") not in LABELS or not row.get("statement"):
                raise ValueError(f"label must be one of {LABELS} and the statement non-empty")
            key, passage = passage_of(row, sources)
        except (KeyError, TypeError, ValueError, LookupError, OSError) as exc:
            errors.append({"id": row.get("id") if isinstance(row, dict) else None, "line": line, "error": str(exc)})
            continue
        rows.append((row, key, passage))
    if not rows and not errors:
        raise InputError(f"{cases_path} holds no cases.")
    vocab = vocabulary_for(settings, sources, {key for _, key, _ in rows})
    keys = {key for _, key, _ in rows}
    acronyms = {key: acronyms_of(sources.whole(key)) for key in keys}
    titles = {key: sources.title(key) for key in keys}
    return rows, errors, vocab, acronyms, titles


def _run(loaded: tuple, min_coverage: float, max_uncovered: int) -> dict[str, Any]:
    rows, errors, vocab, acronyms, titles = loaded
    results = []
    for row, key, passage in rows:
        verdict = check_support(row["statement"], [([titles[key], row.get("heading") or ""], passage)], vocab, acronyms=acronyms[key],
                                min_coverage=min_coverage, max_uncovered=max_uncovered)
        results.append({"id": row["id"], "kind": row.get("kind") or "?", "source": key, "label": row["label"],
                        "supported": verdict.supported, "reasons": list(verdict.reasons), "coverage": verdict.coverage,
                        "statement": row["statement"], "quote": verdict.quote})
    by_kind: dict[str, list[dict]] = defaultdict(list)
    by_source: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_kind[r["kind"]].append(r)
        by_source["pdf" if r["source"].lower().endswith(".pdf") else "corpus"].append(r)
        by_source[r["source"]].append(r)
    return {
        **_score(results),
        "min_coverage": min_coverage, "max_uncovered": max_uncovered,
        "per_kind": {k: _score(v) for k, v in sorted(by_kind.items())},
        "per_source": {k: _score(v) for k, v in sorted(by_source.items())},
        "errors": errors,
        "misses": [r for r in results if (r["label"] == "unsupported") == r["supported"]],
        "results": results,
    }
