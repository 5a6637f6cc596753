"""Read source files into documents: Markdown with front matter, plain text, HTML, PDF, BEIR corpus.jsonl.

Every loader raises IngestError naming the file and the reason; the caller skips that file and goes on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import frontmatter
import yaml
from pydantic import ValidationError

from assistant.corpus import GuidelineMeta
from assistant.errors import IngestError
from assistant.models import http_url
from ingest.structure import Heading, Region

Layout = Literal["markdown", "plain", "passage"]
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html", ".htm": "html", ".pdf": "pdf", ".jsonl": "beir"}


@dataclass(frozen=True)
class SourceDocument:
    """One document's text as it will be chunked, with where it came from."""

    doc_id: str
    title: str
    text: str
    layout: Layout
    source_path: str
    meta: dict[str, Any] = field(default_factory=dict)
    page_starts: tuple[int, ...] = ()  # offset in text where page i+1 begins (PDF only)
    headings: tuple[Heading, ...] = ()  # from the PDF outline, at their offsets in text (empty: use typography)
    regions: tuple[Region, ...] = ()  # spans with a kind of their own (table rows)

    def __post_init__(self) -> None:
        if "url" in self.meta:  # only http(s) links leave the corpus (front matter, BEIR metadata): never javascript: or data:
            self.meta["url"] = http_url(self.meta["url"])

    def page_at(self, offset: int) -> int | None:
        """1-based page holding a character offset, for PDFs."""
        if not self.page_starts:
            return None
        page = 0
        for i, start in enumerate(self.page_starts):
            if start <= offset:
                page = i
            else:
                break
        return page + 1


def slug(text: str) -> str:
    """A lower-case id made of letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes: what the manifest compares."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover(paths: list[Path]) -> list[Path]:
    """Files guideqa can ingest under the given files and folders, sorted (rule and README files skipped)."""
    found: set[Path] = set()
    for path in paths:
        if path.is_file():
            found.add(path.resolve())
        elif path.is_dir():
            for child in path.rglob("*"):
                if child.is_file() and child.suffix.lower() in SUFFIXES and _is_document(child, path):
                    found.add(child.resolve())
        else:
            raise IngestError(str(path), "no such file or folder")
    return sorted(found)


def _is_document(child: Path, root: Path) -> bool:
    parts = {p.lower() for p in child.relative_to(root).parts}
    if parts & {"rules", ".git", "qrels"} or child.name.upper().startswith("README"):
        return False
    # In a BEIR folder only corpus.jsonl holds documents (queries.jsonl, answers.jsonl do not).
    return child.suffix.lower() != ".jsonl" or child.name == "corpus.jsonl"


def read_text(path: Path) -> str:
    """UTF-8 text of a file, or an IngestError saying why not."""
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(str(path), "file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"not UTF-8 text (invalid byte at position {exc.start})") from exc


def load_file(path: Path) -> Iterator[SourceDocument]:
    """Documents in one file (a BEIR corpus.jsonl holds many)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise IngestError(str(path), f"unsupported file type '{path.suffix}'")
    loader = {"markdown": load_markdown, "text": load_text, "html": load_html, "pdf": load_pdf, "beir": load_beir}[kind]
    yield from loader(path)


def load_markdown(path: Path) -> Iterator[SourceDocument]:
    raw = read_text(path)
    try:
        post = frontmatter.loads(raw)
    except (yaml.YAMLError, ValueError) as exc:
        raise IngestError(str(path), f"front matter is not valid YAML ({str(exc).splitlines()[0]})") from exc
    body = post.content
    if not body.strip():
        raise IngestError(str(path), "document has front matter but no text")
    meta: dict[str, Any] = dict(post.metadata)
    if meta:
        try:
            meta = GuidelineMeta.model_validate(meta).model_dump()
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "front matter"
            raise IngestError(str(path), f"bad front matter: {where}: {first['msg']}") from exc
    heading = re.search(r"^#\s+(.+)$", body, re.MULTILINE)
    title = meta.get("title") or (heading.group(1).strip() if heading else path.stem)
    yield SourceDocument(meta.get("id") or slug(path.stem), title, body, "markdown", str(path), meta)


def load_text(path: Path) -> Iterator[SourceDocument]:
    text = read_text(path)
    first_line = next(line.strip() for line in text.splitlines() if line.strip())
    yield SourceDocument(slug(path.stem), first_line[:200], text, "plain", str(path))


def load_html(path: Path) -> Iterator[SourceDocument]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_text(path), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    lines: list[str] = []
    for node in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "pre", "blockquote"]):
        if node.find_parent(["li", "p", "td"]) is not None and node.name != "li":
            continue  # text of nested blocks is already inside its parent
        text = " ".join(node.get_text(" ", strip=True).split())
        if not text:
            continue
        if node.name in {"h1", "h2", "h3", "h4"}:
            lines.append("\n" + "#" * int(node.name[1]) + " " + text + "\n")
        elif node.name == "li":
            lines.append("- " + text)
        else:
            lines.append("\n" + text + "\n")
    body = "\n".join(lines).strip()
    if not body:
        raise IngestError(str(path), "HTML page has no text")
    title = soup.title.get_text(strip=True) if soup.title else ""
    yield SourceDocument(slug(path.stem), title or path.stem, body, "markdown", str(path))


def load_pdf(path: Path) -> Iterator[SourceDocument]:
    """Text of every page (pdfium: about 17x faster than pypdf on the VA/DoD guidelines), repaired, with the
    outline placed as headings, ruled tables turned into one line per row, and metadata from the file."""
    from ingest.pdfdoc import build_pdf_document

    yield build_pdf_document(path, sidecar_meta(path))


SIDECAR_NAMES = ("guidelines.yaml", "guidelines.yml", "guidelines.csv")
SIDECAR_FIELDS = ("title", "issuer", "year", "version", "url")


def sidecar_meta(path: Path) -> dict[str, Any]:
    """What a site says about a file in a manifest beside it (guidelines.yaml or .csv, keyed by file name).

    YAML: a mapping of file name to {title, issuer, year, version, url}, or a list of such rows with a `file`
    key. CSV: a header row with `file` and any of those columns. A URL that is not http(s) is dropped."""
    for name in SIDECAR_NAMES:
        manifest = path.parent / name
        if manifest.is_file():
            try:
                rows = _sidecar_rows(manifest)
            except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
                raise IngestError(str(manifest), f"guideline manifest is not readable ({str(exc).splitlines()[0]})") from exc
            row = rows.get(path.name) or rows.get(path.stem) or {}
            return _sidecar_clean(row)
    return {}


def _sidecar_rows(manifest: Path) -> dict[str, dict[str, Any]]:
    import csv

    text = manifest.read_text(encoding="utf-8-sig")
    if manifest.suffix == ".csv":
        return {str(r.get("file", "")).strip(): dict(r) for r in csv.DictReader(text.splitlines()) if r.get("file")}
    data = yaml.safe_load(text) or {}
    if isinstance(data, dict) and isinstance(data.get("guidelines"), (list, dict)):
        data = data["guidelines"]
    if isinstance(data, list):
        return {str(r["file"]): r for r in data if isinstance(r, dict) and r.get("file")}
    if isinstance(data, dict):
        return {str(k): v for k, v in data.items() if isinstance(v, dict)}
    raise ValueError("expected a mapping of file name to fields, or a list of rows with a 'file' key")


def _sidecar_clean(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in SIDECAR_FIELDS:
        value = row.get(key)
        if value is None or str(value).strip() == "":
            continue
        value = str(value).strip()
        if key == "year":
            if not re.fullmatch(r"(19|20)\d\d", value):
                continue
            out[key] = int(value)
        elif key == "url":
            if safe_url(value):
                out[key] = value
        else:
            out[key] = value[:300]
    return out


def safe_url(value: str) -> bool:
    """Only http and https links are shown to a user."""
    return http_url(value) is not None


def load_beir(path: Path) -> Iterator[SourceDocument]:
    """Rows of a BEIR corpus.jsonl: {"_id", "title", "text", "metadata"?}."""
    text = read_text(path)
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            doc_id, body = str(row["_id"]), str(row["text"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise IngestError(str(path), f"line {line_no} is not a BEIR corpus row ({exc})") from exc
        title = str(row.get("title") or "")
        meta = row.get("metadata") if isinstance(row.get("metadata"), dict) else {}
        yield SourceDocument(doc_id, title or doc_id, body, "passage", str(path), meta)
