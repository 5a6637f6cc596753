"""Section-aware chunking: chunks follow headings and bullet lists and carry their heading path,
page and character span in the source; chunk ids are stable (document id + position + content hash)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.corpus import CITATION_MARK, GRADE_MARK, cited_keys
from assistant.settings import ChunkSettings
from assistant.text import split_sentences
from ingest.load import SourceDocument

MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
BULLET = re.compile(r"^\s*(?:[-*+•●▪◦]|\d{1,2}[.)])\s+")
# Numbered headings in PDFs and plain text: "I. Introduction", "B. Scope", "3.2 Dosing".
PLAIN_HEADING = [
    (1, re.compile(r"^[IVX]{1,5}\.\s+[A-Z][^.]{2,80}(?<![\d.])$")),
    (2, re.compile(r"^[A-H]\.\s+[A-Z][^.]{2,80}(?<![\d.])$")),
    (3, re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z][A-Za-z][^.]{2,80}(?<![\d.])$")),
]


@dataclass(frozen=True)
class Block:
    kind: str  # heading | bullet | paragraph
    text: str
    start: int
    end: int
    level: int = 0


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage."""

    chunk_id: str
    doc_id: str
    position: int
    text: str
    heading_path: tuple[str, ...]
    start: int
    end: int
    page: int | None
    references: tuple[str, ...]
    grade: str | None
    line_grades: tuple[str | None, ...] = ()  # the grade of each line of `text` (its own, else its section's)

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line.rstrip("\r\n")
        offset += len(line)


def parse_blocks(doc: SourceDocument) -> list[Block]:
    """Headings, bullets and paragraphs of a document, with their character spans."""
    if doc.layout == "passage":
        return [Block("paragraph", doc.text.strip(), 0, len(doc.text))] if doc.text.strip() else []
    blocks: list[Block] = []
    current: list[tuple[int, str]] = []
    current_kind = "paragraph"

    def flush() -> None:
        nonlocal current
        if current:
            text = " ".join(part.strip() for _, part in current).strip()
            if text:
                start = current[0][0]
                end = current[-1][0] + len(current[-1][1])
                blocks.append(Block(current_kind, text, start, end))
        current = []

    for offset, line in _lines(doc.text):
        stripped = line.strip()
        heading = _heading(stripped, doc.layout)
        if not stripped:
            flush()
        elif heading:
            flush()
            level, title = heading
            blocks.append(Block("heading", title, offset, offset + len(line), level))
        elif BULLET.match(line):
            flush()
            current_kind = "bullet"
            current = [(offset, BULLET.sub("", line, count=1))]
        else:
            if not current:
                current_kind = "paragraph"
            current.append((offset, line))
    flush()
    return blocks


def _heading(line: str, layout: str) -> tuple[int, str] | None:
    if layout == "markdown":
        match = MD_HEADING.match(line)
        return (len(match.group(1)), match.group(2)) if match else None
    for level, pattern in PLAIN_HEADING:
        if pattern.match(line) and not line.endswith((",", ";", ":")):
            return level, line
    return None


def clean(text: str) -> str:
    """Chunk text without the corpus's inline [@key] and [grade: ...] markers."""
    text = GRADE_MARK.sub("", CITATION_MARK.sub("", text))
    lines = (re.sub(r"\s+([.,;:])", r"\1", " ".join(line.split())) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def chunk_document(doc: SourceDocument, settings: ChunkSettings) -> list[Chunk]:
    """Pack blocks into chunks that never cross a heading and rarely split a list."""
    chunks: list[Chunk] = []
    path: list[tuple[int, str]] = []
    pending: list[Block] = []

    def emit(blocks: list[Block]) -> None:
        raw = "\n".join(("- " if b.kind == "bullet" else "") + b.text for b in blocks)
        text = clean(raw)
        if not text:
            return
        grades = [g.strip() for b in blocks for g in GRADE_MARK.findall(b.text)]
        heading_path = tuple(title for _, title in path) or (doc.title,)
        section_grade = _section_grade(doc, heading_path)
        line_grades = tuple(
            next((g.strip() for g in GRADE_MARK.findall(line)), section_grade) for line in raw.splitlines() if clean(line)
        )
        position = len(chunks)
        digest = hashlib.sha256(f"{heading_path}|{text}".encode()).hexdigest()[:10]
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}:{position:04d}:{digest}",
                doc_id=doc.doc_id,
                position=position,
                text=text,
                heading_path=heading_path,
                start=blocks[0].start,
                end=blocks[-1].end,
                page=doc.page_at(blocks[0].start),
                references=tuple(cited_keys(raw)),
                grade=grades[0] if grades else section_grade,
                line_grades=line_grades if grades else (),
            )
        )

    def flush() -> None:
        size = 0
        group: list[Block] = []
        for block in pending:
            if len(clean(block.text)) > settings.max_chars:
                if group:
                    emit(group)
                    group, size = [], 0
                for piece in _split_long(block, settings):
                    emit([piece])
                continue
            if group and size + len(block.text) > settings.max_chars:
                emit(group)
                group, size = [], 0
            group.append(block)
            size += len(block.text) + 1
        if group:
            emit(group)
        pending.clear()

    for block in parse_blocks(doc):
        if block.kind == "heading":
            flush()
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, block.text))
        else:
            pending.append(block)
    flush()
    return chunks


def _section_grade(doc: SourceDocument, heading_path: tuple[str, ...]) -> str | None:
    grades = doc.meta.get("grades") or {}
    for heading in reversed(heading_path):
        if heading in grades:
            return grades[heading]
    return None


def _split_long(block: Block, settings: ChunkSettings) -> Iterator[Block]:
    """Split an over-long block at sentence ends, repeating a little text between pieces."""
    sentences = split_sentences(block.text)
    piece: list[str] = []
    size = 0
    for sentence in sentences:
        while len(sentence) > settings.max_chars:  # a "sentence" longer than a chunk (tables, lists)
            cut = sentence.rfind(" ", 0, settings.max_chars) or settings.max_chars
            if piece:
                yield Block(block.kind, " ".join(piece), block.start, block.end)
                piece, size = [], 0
            yield Block(block.kind, sentence[:cut], block.start, block.end)
            sentence = sentence[cut:].strip()
        if piece and size + len(sentence) > settings.max_chars:
            yield Block(block.kind, " ".join(piece), block.start, block.end)
            overlap: list[str] = []
            for previous in reversed(piece):
                if sum(len(s) for s in overlap) + len(previous) > settings.overlap_chars:
                    break
                overlap.insert(0, previous)
            piece, size = overlap, sum(len(s) + 1 for s in overlap)
        piece.append(sentence)
        size += len(sentence) + 1
    if piece:
        yield Block(block.kind, " ".join(piece), block.start, block.end)


def contextual_text(title: str, chunk: Chunk) -> str:
    """What is embedded and indexed: the chunk with its document title and heading path."""
    headings = [h for h in chunk.heading_path if h != title]
    return " | ".join([title, *headings]) + "\n" + chunk.text
