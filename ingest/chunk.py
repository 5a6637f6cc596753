"""Section-aware chunking: chunks follow headings and bullet lists and carry their heading path,
page and character span in the source; chunk ids are stable (document id + position + content hash)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.corpus import CITATION_MARK, GRADE_MARK, cited_keys
from assistant.settings import ChunkSettings
from assistant.text import split_sentences
from ingest.load import SourceDocument
from ingest.structure import Heading, find_recommendations, is_superseded, section_kind, text_kind

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
    kind: str = "text"  # one of ingest.structure.KINDS
    extra: tuple[tuple[str, str], ...] = ()  # strength, status, rec_number, refs, table, row ... (flat strings)

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)

    @property
    def info(self) -> dict[str, str]:
        return dict(self.extra)


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
    if doc.page_starts:
        return chunk_pdf(doc, settings)
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
                # The published sources each line cites, so a statement lists its own line's references, not the chunk's.
                extra=(("line_references", json.dumps(["|".join(cited_keys(line)) for line in raw.splitlines() if clean(line)])),),
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


# ------------------------------------------------------------------------------------------ PDF documents

REF_MARK = re.compile(r"[ \t]?\[(\d{1,4}(?:\s*[-\u2013,]\s*\d{1,4})*)\](?!\()")
SUPERSCRIPT_RUN = re.compile(r"(?<=[A-Za-z\).,;])(?<!\bm)(?<!\bcm)(?<!\bmm)(?<!\bkm)(?<!\bft)[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+(?:[,\u2013-][\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+)*")
SUPERSCRIPT_DIGITS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789")
LABEL_LINE = re.compile(r"^(?:Recommendations?|Discussion)\s*$", re.M)
MIN_CHARS = 100
STATEMENT_KINDS = frozenset({"text", "recommendation", "table_row"})


def strip_refs(text: str) -> tuple[str, list[str]]:
    """Text without the document's own reference markers ("[54]", "[9,10]", "[44-48]", superscript runs)."""
    refs: list[str] = []

    def take(match: re.Match[str]) -> str:
        for part in re.split(r"\s*,\s*", match.group(1).translate(SUPERSCRIPT_DIGITS)):
            bounds = re.split(r"\s*[-\u2013]\s*", part)
            if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit() and 0 < int(bounds[1]) - int(bounds[0]) < 50:
                numbers = [str(n) for n in range(int(bounds[0]), int(bounds[1]) + 1)]
            else:
                numbers = [b for b in bounds if b.isdigit()]
            refs.extend(n for n in numbers if n not in refs)
        return ""

    text = REF_MARK.sub(take, text)
    text = re.sub(r"[ \t]?\[\s*\]", "", text)  # a marker whose numbers the PDF lost: "clinicians,[ ]"
    text = SUPERSCRIPT_RUN.sub(lambda m: take(re.match(r"(.*)", m.group(0).replace("\u2013", "-"))) , text)
    return re.sub(r"[ \t]+([.,;:])", r"\1", text), refs


STATEMENT_LIKE = re.compile(r"\b(we recommend|we suggest|there is insufficient|recommend (for|against))\b", re.I)


def _outline_or_typography(doc: SourceDocument) -> list[Heading]:
    if doc.headings:
        return list(doc.headings)
    out = []
    for block in parse_blocks(doc):
        if block.kind == "heading" and not STATEMENT_LIKE.search(block.text):
            out.append(Heading(block.start, block.end, block.level, block.text, doc.page_at(block.start) or 0))
    return out


def chunk_pdf(doc: SourceDocument, settings: ChunkSettings) -> list[Chunk]:
    """Chunks of a PDF: sections from the outline; recommendations and table rows each a chunk of their own;
    every chunk marked with the kind of text it holds; tiny chunks merged into a neighbour of their section."""
    headings = _outline_or_typography(doc)
    sections: list[tuple[tuple[str, ...], int, int, str]] = []
    stack: list[tuple[int, str]] = []
    first = headings[0].start if headings else len(doc.text)
    if doc.text[:first].strip():
        sections.append(((doc.title,), 0, first, "front_matter" if headings else "text"))
    for i, heading in enumerate(headings):
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        stack.append((heading.level, _heading_title(heading.title)))
        end = headings[i + 1].start if i + 1 < len(headings) else len(doc.text)
        path = tuple(t for _, t in stack)
        sections.append((path, max(heading.end, heading.start), end, section_kind(path)))

    drafts: list[dict] = []
    for path, start, end, kind in sections:
        if start < end:
            drafts.extend(_section_drafts(doc, settings, path, start, end, kind))
    drafts = _merge_tiny(drafts, settings)
    chunks: list[Chunk] = []
    for draft in drafts:
        text, refs = draft["text"], []
        if draft["kind"] in STATEMENT_KINDS:
            text, refs = strip_refs(text)
        text = clean(text)
        if not text:
            continue
        extra = dict(draft.get("extra", {}))
        if refs:
            extra["refs"] = ",".join(refs)
        position = len(chunks)
        path = draft["path"]
        digest = hashlib.sha256(f"{path}|{draft['kind']}|{text}".encode()).hexdigest()[:10]
        grade = extra.get("strength")
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}:{position:04d}:{digest}",
                doc_id=doc.doc_id,
                position=position,
                text=text,
                heading_path=path,
                start=draft["start"],
                end=draft["end"],
                page=doc.page_at(draft["start"]),
                references=(),
                grade=grade,
                kind=draft["kind"],
                extra=tuple(sorted(extra.items())),
            )
        )
    return chunks


def _heading_title(title: str) -> str:
    title = re.sub(r"(?<=[a-z])[a-e](?:,[a-e])+$", "", title.strip())  # "Agentsa,b": footnote letters
    return title.rstrip("*† ").strip() or title


def _section_drafts(doc: SourceDocument, settings: ChunkSettings, path: tuple[str, ...], start: int, end: int, kind: str) -> list[dict]:
    """Drafts (text, span, kind, extra) of one section, in order."""
    special: list[dict] = []
    taken: list[tuple[int, int]] = []
    for region in doc.regions:
        if start <= region.start < end:
            row_kind = "table_row" if kind == "text" else kind
            extra = {k: str(v) for k, v in region.data.items()}
            special.append({"text": doc.text[region.start : region.end], "start": region.start, "end": region.end, "kind": row_kind, "extra": extra})
            taken.append((region.start, region.end))
    if kind in {"text", "superseded", "evidence_table"}:
        for rec in find_recommendations(doc.text, start, end, letter_grades=kind == "superseded"):
            if any(a < rec.end and rec.start < b for a, b in taken):
                continue
            extra = {"strength": rec.strength, "status": rec.status, "rec_form": rec.form}
            if rec.number:
                extra["rec_number"] = rec.number
            if rec.replaced_by:
                extra["replaced_by"] = rec.replaced_by
            rec_kind = "evidence_table" if kind == "evidence_table" else ("superseded" if is_superseded(rec, kind) else "recommendation")
            special.append({"text": rec.text, "start": rec.start, "end": rec.end, "kind": rec_kind, "extra": extra})
            taken.append((rec.start, rec.end))
    special.sort(key=lambda d: d["start"])
    drafts: list[dict] = []
    cursor = start
    for item in special + [None]:
        gap_end = item["start"] if item else end
        if gap_end > cursor and item is not None and item["extra"].get("rec_form") == "table" and _table_gap(doc.text[cursor:gap_end]):
            topic = _table_gap(doc.text[cursor:gap_end])
            if topic != "-":
                item["extra"]["topic"] = topic  # the topic cells above a table row name its subject
        elif gap_end > cursor:
            drafts.extend(_text_drafts(doc, settings, path, cursor, gap_end, kind))
        if item:
            item["path"] = path
            drafts.append(item)
            cursor = max(cursor, item["end"])
    return drafts


TABLE_HEADER_WORDS = re.compile(
    r"\b(Topic|Sub-?\s*topic|#|Recommendation[a-z]?|Strength[a-z*†]?|Category[a-z*†]?|\(cont(?:inued|\.)?\)|continued|"
    r"20\d\d|Location|Text|Grade|Rec|Number|Page|Evidence|of)\b[*†]?",
    re.I,
)


def _table_gap(gap: str) -> str:
    """Between two recommendation rows: the topic labels ("Bone Health Medications"), "-" for only
    a repeated table header, or "" when the gap is real text that needs chunks of its own."""
    flat = " ".join(gap.split())
    if not flat:
        return "-"
    if len(flat) > 240 or re.search(r"[a-z]{3,}\.(\s|$)", flat):
        return ""
    topic = TABLE_HEADER_WORDS.sub(" ", flat).replace("#", " ")
    topic = " ".join(re.sub(r"\(\s*\)", " ", topic).split()).strip(" -–,")
    return topic[:200] if len(topic) >= 3 else "-"


def _text_drafts(doc: SourceDocument, settings: ChunkSettings, path: tuple[str, ...], start: int, end: int, kind: str) -> list[dict]:
    """Plain text between headings, recommendations and rows: paragraphs and bullets packed to max_chars,
    with exact spans; labels ("Recommendation", "Discussion") standing alone are left out."""
    segment = doc.text[start:end]
    blocks: list[tuple[int, int, str, bool]] = []  # start, end, text, is bullet
    current: list[tuple[int, str]] = []
    bullet = False

    def flush() -> None:
        nonlocal current
        if current:
            text = " ".join(part.strip() for _, part in current).strip()
            if text:
                blocks.append((current[0][0], current[-1][0] + len(current[-1][1]), text, bullet))
        current = []

    offset = start
    for line in segment.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        stripped = bare.strip()
        if not stripped or LABEL_LINE.match(stripped):
            flush()
        elif BULLET.match(bare):
            flush()
            bullet = True
            content = BULLET.sub("", bare, count=1)
            current = [(offset + len(bare) - len(content), content)]
        else:
            if not current:
                bullet = False
            current.append((offset, bare))
        offset += len(line)
    flush()

    drafts: list[dict] = []
    group: list[tuple[int, int, str, bool]] = []
    size = 0

    def emit(items: list[tuple[int, int, str, bool]]) -> None:
        text = "\n".join(("- " if b else "") + t for _, _, t, b in items)
        drafts.append({"text": text, "start": items[0][0], "end": items[-1][1], "kind": _kind_of(text, kind), "path": path})

    for block in blocks:
        b_start, b_end, text, is_bullet = block
        if len(text) > settings.max_chars:
            if group:
                emit(group)
                group, size = [], 0
            spans = _Spans(doc.text, b_start, b_end)
            for piece in _split_long(Block("bullet" if is_bullet else "paragraph", text, b_start, b_end), settings):
                p_start, p_end = spans.locate(piece.text)
                drafts.append({"text": ("- " if is_bullet else "") + piece.text, "start": p_start, "end": p_end,
                               "kind": _kind_of(piece.text, kind), "path": path})
            continue
        if group and size + len(text) > settings.max_chars:
            emit(group)
            group, size = [], 0
        group.append(block)
        size += len(text) + 1
    if group:
        emit(group)
    return drafts


def _kind_of(text: str, section: str) -> str:
    if section != "text":
        return section
    return text_kind(text) or "text"


class _Spans:
    """Exact source spans of pieces of a block (its words with whitespace collapsed), found in order."""

    def __init__(self, source: str, lo: int, hi: int) -> None:
        import bisect

        self._bisect = bisect.bisect_right
        tokens = list(re.finditer(r"\S+", source[lo:hi]))
        self.starts = [lo + t.start() for t in tokens]
        self.ends = [lo + t.end() for t in tokens]
        self.norm = " ".join(t.group(0) for t in tokens)
        self.offsets, at = [], 0  # where each token begins in norm
        for t in tokens:
            self.offsets.append(at)
            at += len(t.group(0)) + 1
        self.floor, self.lo, self.hi = 0, lo, hi

    def locate(self, piece: str) -> tuple[int, int]:
        text = " ".join(piece.split())
        at = self.norm.find(text, self.floor)
        if at < 0 or not self.starts:
            at = self.norm.find(" ".join(text.split()[:3]), self.floor)
            if at < 0 or not self.starts:
                return self.lo, self.hi
            length = len(text)
        else:
            length = len(text)
        first = self._bisect(self.offsets, at) - 1
        last = min(self._bisect(self.offsets, at + max(length - 1, 0)) - 1, len(self.ends) - 1)
        self.floor = at
        return self.starts[first], max(self.ends[last], self.starts[first])


def _is_unit(draft: dict) -> bool:
    extra = draft.get("extra") or {}
    return "rec_form" in extra or "row" in extra


def _merge_tiny(drafts: list[dict], settings: ChunkSettings) -> list[dict]:
    """Fold text drafts under MIN_CHARS into the previous (else the next) draft of the same section and kind."""
    out: list[dict] = []
    for draft in drafts:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev["kind"] == draft["kind"] and prev["kind"] not in {"recommendation", "table_row", "superseded"}
            and not _is_unit(prev) and not _is_unit(draft)  # a recommendation or table row stays a chunk of its own
            and prev["path"] == draft["path"]
            and (len(draft["text"]) < MIN_CHARS or len(prev["text"]) < MIN_CHARS)
            and len(prev["text"]) + len(draft["text"]) <= settings.max_chars + MIN_CHARS
        ):
            prev["text"] = prev["text"] + "\n" + draft["text"]
            prev["end"] = max(prev["end"], draft["end"])
            continue
        out.append(draft)
    return out
