"""Ingest: files -> documents -> chunks -> embeddings -> Chroma + BM25 + manifest, incrementally and crash-safely."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import IngestError, StorageError, storage_faults
from assistant.index import FileEntry, Manifest, read_manifest
from assistant.progress import Progress, Silent
from assistant.settings import Settings
from ingest.chunk import Chunk, chunk_document
from ingest.embed import Item, embed_items
from ingest.load import SourceDocument, discover, file_hash, load_file
from ingest.store import Store, index_version

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What one ingest did."""

    files_seen: int = 0
    files_unchanged: int = 0
    files_changed: int = 0
    files_removed: int = 0
    documents: int = 0
    chunks_total: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    chunks_deleted: int = 0
    pages: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    index_version: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)


def ingest(
    paths: list[Path],
    settings: Settings,
    *,
    reset: bool = False,
    namespace: str = "main",
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index up to date with the files under paths; bad files are reported and skipped.

    A full disk, a file size limit, or a read-only or forbidden data dir raises StorageError naming the
    data dir and saying whether this run committed (the previous index stays in place when it did not).
    """
    committing: list[str] = []
    try:
        with storage_faults(settings.data_dir, probe=settings.index_dir(namespace)):
            return _ingest(paths, settings, reset, namespace, progress or Silent(), committing)
    except StorageError as exc:
        raise exc.with_note(_outcome(settings, namespace, committing)) from exc


def _outcome(settings: Settings, namespace: str, committing: list[str]) -> str:
    """What a failed run left behind, in one sentence."""
    try:
        current = read_manifest(settings.index_dir(namespace))
    except Exception:  # the manifest itself cannot be read: say nothing we are not sure of
        return "The ingest stopped before it finished."
    if current is not None and committing and current.version == committing[0]:
        return f"The ingest committed index {current.version} but could not yet remove the chunks it replaced; the next ingest will."
    if current is not None and current.files:
        return f"Nothing was committed: the index from before this run ({current.version}) is unchanged."
    return "Nothing was committed."


def _ingest(
    paths: list[Path], settings: Settings, reset: bool, namespace: str, progress: Progress, committing: list[str]
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    store = Store(settings, namespace)
    if reset:
        store.drop()
        store = Store(settings, namespace)
    old = read_manifest(store.dir)
    if old is not None and (old.model != settings.embedding.model or old.collection != store.name):
        old = None
    previous = old.files if old else {}
    roots = [p.resolve() for p in paths]
    files = discover(paths)
    report.files_seen = len(files)
    progress.start("files", len(files))

    entries: dict[str, FileEntry] = {}
    pending: list[Item] = []
    # doc id -> file, to refuse two files claiming one id (files of earlier runs outside this run's paths keep theirs)
    owners: dict[str, str] = {doc_id: key for key, entry in previous.items()
                              if not _under(Path(key), roots) and Path(key).exists() for doc_id in entry.doc_ids}
    for path in files:
        key = str(path)
        digest = file_hash(path)
        try:
            if key in previous and previous[key].hash == digest:
                _claim(owners, previous[key].doc_ids, key)
                entries[key] = previous[key]
                report.files_unchanged += 1
                progress.advance("files")
                continue
            items = _load_and_chunk(path, settings)
            _claim(owners, sorted({doc.doc_id for doc, _ in items}), key)
        except IngestError as exc:
            report.errors.append({"path": exc.path, "reason": exc.reason})
            log.warning("skipped %s: %s", exc.path, exc.reason)
            if key in previous:  # keep what this file held before it broke
                entries[key] = previous[key]
            progress.advance("files")
            continue
        docs = {doc.doc_id: doc for doc, _ in items}
        report.pages += sum(int(doc.meta.get("pages", 0) or 0) for doc in docs.values())
        entries[key] = FileEntry(hash=digest, doc_ids=list(docs), chunk_ids=[c.chunk_id for _, c in items])
        pending.extend(items)
        report.files_changed += 1
        progress.advance("files")

    for key in previous:
        if key not in entries and (not Path(key).exists() or _under(Path(key), roots)):
            report.files_removed += 1
        elif key not in entries:
            entries[key] = previous[key]  # outside this run's paths: left alone

    already = store.existing([chunk.chunk_id for _, chunk in pending])
    to_embed = [(doc, chunk) for doc, chunk in pending if chunk.chunk_id not in already]
    report.chunks_reused = len(pending) - len(to_embed)
    store.refresh([(doc, chunk) for doc, chunk in pending if chunk.chunk_id in already])  # e.g. an edited front matter
    if to_embed:
        from assistant.embeddings import get_embedder, set_threads

        set_threads(settings.embedding.threads)
        embedder = get_embedder(settings.embedding.model, settings.embedding.batch_size)
        progress.start("embedding", len(to_embed))
        t0 = time.perf_counter()
        report.chunks_embedded = embed_items(
            embedder, to_embed, store.add, batch_size=settings.embedding.batch_size,
            on_progress=lambda n: progress.advance("embedding", n),
        )
        report.embed_seconds = time.perf_counter() - t0

    manifest = Manifest(collection=store.name, model=settings.embedding.model, chunking=settings.chunking.fingerprint(), files=entries)
    ids = manifest.chunk_ids()
    manifest.version = index_version(manifest)
    if old is not None and old.version == manifest.version and old.bm25_dir and (store.dir / old.bm25_dir).exists():
        manifest.bm25_dir = old.bm25_dir
        if old.files != manifest.files:
            committing.append(manifest.version)
            report.chunks_deleted = store.commit(manifest)
    else:
        if ids:
            manifest.bm25_dir = store.build_lexical(ids, manifest.version)
        committing.append(manifest.version)
        report.chunks_deleted = store.commit(manifest)
    report.documents = sum(len(e.doc_ids) for e in entries.values())
    report.chunks_total = len(ids)
    report.index_version = manifest.version
    report.seconds = time.perf_counter() - started
    return report


def _load_and_chunk(path: Path, settings: Settings) -> list[tuple[SourceDocument, Chunk]]:
    items: list[tuple[SourceDocument, Chunk]] = []
    for doc in load_file(path):
        chunks = chunk_document(doc, settings.chunking)
        if not chunks:
            raise IngestError(str(path), f"document '{doc.doc_id}' has no text to index")
        items.extend((doc, chunk) for chunk in chunks)
    if not items:
        raise IngestError(str(path), "no documents found")
    return items


def _claim(owners: dict[str, str], doc_ids: list[str], key: str) -> None:
    for doc_id in doc_ids:
        other = owners.get(doc_id)
        if other is not None and other != key:
            raise IngestError(key, f"document id '{doc_id}' is already used by {other}")
        owners[doc_id] = key


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)
