"""Write side of an index: add chunks to Chroma, build the BM25 folder, commit the manifest, collect garbage."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from assistant.errors import FULL, GuideqaError, StorageError, StoreUnavailable
from assistant.index import Manifest, chroma_client, unavailable, write_manifest
from assistant.lexical import LexicalIndex
from assistant.settings import Settings
from ingest.chunk import Chunk, contextual_text
from ingest.load import SourceDocument

log = logging.getLogger(__name__)
GET_BATCH = 5000  # below Chroma's largest batch (5461)


def chunk_metadata(doc: SourceDocument, chunk: Chunk) -> dict[str, Any]:
    """Flat Chroma metadata of a chunk (no None values; lists as boolean keys for filtering)."""
    meta: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "section": chunk.section,
        "heading_path": json.dumps(list(chunk.heading_path)),
        "position": chunk.position,
        "start": chunk.start,
        "end": chunk.end,
        "source_path": doc.source_path,
        "layout": doc.layout,
        "references": "|".join(chunk.references),
        "kind": chunk.kind,  # text | recommendation | table_row | superseded | bibliography | search_strategy | ...
    }
    optional = {
        "page": chunk.page,
        "grade": chunk.grade,
        "line_grades": json.dumps(list(chunk.line_grades)) if chunk.line_grades else None,
        "issuer": doc.meta.get("issuer"),
        "year": doc.meta.get("year"),
        "url": doc.meta.get("url"),
        "version": doc.meta.get("version"),
    }
    meta.update({key: value for key, value in optional.items() if value is not None})
    # Recommendation and table-row fields (strength, status, rec_number, refs "3,4,9", table, row, ...): flat strings.
    meta.update({key: value for key, value in chunk.extra if key not in meta and value not in (None, "")})
    for field in ("population", "topics"):
        values = doc.meta.get(field) or []
        if values:
            meta[field] = "|".join(values)
        for value in values:
            meta[f"{field}:{slugify(value)}"] = True
    return meta


def slugify(value: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in str(value).lower()).split())


class Store:
    """A Chroma collection opened for writing, and the index folder beside it."""

    def __init__(self, settings: Settings, namespace: str = "main") -> None:
        from assistant.embeddings import GuideqaEmbeddingFunction

        self.settings = settings
        self.dir = settings.index_dir(namespace)
        self.name = settings.index_name(namespace)
        self.client = chroma_client(settings, self.dir)
        try:
            self.collection = self.client.get_or_create_collection(
                self.name,
                embedding_function=GuideqaEmbeddingFunction(settings.embedding.model),
                metadata={"hnsw:space": "cosine"},
            )
        except Exception as exc:
            raise unavailable(settings, exc, self.dir) from exc

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GuideqaError:
            raise
        except Exception as exc:
            raise unavailable(self.settings, exc, self.dir) from exc

    def existing(self, ids: list[str]) -> set[str]:
        """Which of these chunk ids the collection already holds (from an earlier, maybe interrupted, run)."""
        found: set[str] = set()
        for i in range(0, len(ids), GET_BATCH):
            found.update(self._call(self.collection.get, ids=ids[i : i + GET_BATCH], include=[])["ids"])
        return found

    def add(self, items: list[tuple[SourceDocument, Chunk]], vectors: Any) -> None:
        """Write chunks with their embeddings (refused before writing when the embedded store's disk is nearly full)."""
        self.ensure_room()
        self._call(
            self.collection.upsert,
            ids=[chunk.chunk_id for _, chunk in items],
            embeddings=vectors,
            documents=[chunk.text for _, chunk in items],
            metadatas=[chunk_metadata(doc, chunk) for doc, chunk in items],
        )

    def refresh(self, items: list[tuple[SourceDocument, Chunk]]) -> None:
        """Rewrite the metadata of chunks already stored (their text and vector are unchanged)."""
        for i in range(0, len(items), GET_BATCH):
            batch = items[i : i + GET_BATCH]
            self._call(self.collection.update, ids=[chunk.chunk_id for _, chunk in batch],
                       metadatas=[chunk_metadata(doc, chunk) for doc, chunk in batch])

    def ensure_room(self) -> None:
        """StorageError when the embedded store's disk has less than `min_free_mb` free (a Chroma server keeps its own disk)."""
        need = self.settings.min_free_mb * 2**20
        if not need or self.settings.chroma.host:
            return
        folder = self.dir
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        free = shutil.disk_usage(folder).free
        if free < need:
            data_dir = self.settings.data_dir.absolute()
            raise StorageError(
                f"Cannot write to the data dir {data_dir}: the disk is full ({free / 2**20:.1f} MB free; ingest writes nothing "
                f"more when less than {self.settings.min_free_mb} MB is free, GUIDEQA_MIN_FREE_MB). Free some space there, "
                "or set GUIDEQA_DATA_DIR to a folder on a roomier disk, then run the command again.",
                path=str(data_dir), reason=FULL,
            )

    def texts(self, ids: list[str]) -> dict[str, str]:
        """Contextual text (title, headings, chunk) of stored chunks, for the BM25 index."""
        out: dict[str, str] = {}
        for i in range(0, len(ids), GET_BATCH):
            got = self._call(self.collection.get, ids=ids[i : i + GET_BATCH], include=["documents", "metadatas"])
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                out[cid] = stored_contextual_text(doc, meta)
        return out

    def build_lexical(self, ids: list[str], version: str) -> str:
        """Write a new BM25 folder for these chunks; returns its name."""
        texts = self.texts(ids)
        missing = [cid for cid in ids if cid not in texts]
        if missing:
            raise StoreUnavailable(f"{len(missing)} chunks are missing from the store (e.g. {missing[0]}); run `guideqa ingest --reset`.")
        name = f"bm25-{version}"
        folder = self.dir / name
        if folder.exists():
            shutil.rmtree(folder)
        tmp = self.dir / f".{name}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        try:
            LexicalIndex.build(ids, [texts[cid] for cid in ids]).save(tmp)
            tmp.rename(folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)  # e.g. a full disk: give the space back
            raise
        return name

    def commit(self, manifest: Manifest) -> int:
        """Make the manifest current, then drop what it no longer lists; returns chunks deleted."""
        write_manifest(self.dir, manifest)
        return self.collect_garbage(manifest)

    def collect_garbage(self, manifest: Manifest) -> int:
        """Delete chunks and BM25 folders the committed manifest does not list."""
        keep = set(manifest.chunk_ids())
        stored = self._call(self.collection.get, include=[])["ids"]
        stale = [cid for cid in stored if cid not in keep]
        for i in range(0, len(stale), GET_BATCH):
            self._call(self.collection.delete, ids=stale[i : i + GET_BATCH])
        for folder in self.dir.glob("*bm25-*"):
            if folder.name != manifest.bm25_dir:
                shutil.rmtree(folder, ignore_errors=True)
        return len(stale)

    def drop(self) -> None:
        """Delete the collection and the index folder (ingest --reset)."""
        try:
            self.client.delete_collection(self.name)
        except Exception as exc:  # a missing collection is already what we want
            log.debug("delete_collection: %s", exc)
        for child in self.dir.glob("*"):
            if child.name != "chroma":
                shutil.rmtree(child) if child.is_dir() else child.unlink()


def stored_contextual_text(text: str, meta: dict[str, Any]) -> str:
    """Rebuild contextual_text() from what Chroma stores."""
    path = tuple(json.loads(meta.get("heading_path") or "[]"))
    chunk = Chunk("", "", 0, text, path, 0, 0, None, (), None)
    return contextual_text(str(meta.get("title", "")), chunk)


def index_version(manifest: Manifest) -> str:
    """Content address of an index: changes exactly when its chunk set or a source file changes (a front-matter edit
    changes chunks' metadata, not their ids)."""
    parts = sorted(manifest.chunk_ids()) + sorted(f"{key}={entry.hash}" for key, entry in manifest.files.items())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]
