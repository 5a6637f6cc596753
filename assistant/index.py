"""One index on disk: a Chroma collection, the BM25 index beside it, and the manifest that commits them.

The manifest is the commit record. Ingest writes chunks to Chroma first, then a new BM25 folder,
then replaces the manifest atomically; readers trust only chunk ids the manifest lists, so an
ingest killed at any point leaves the previous index usable.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from assistant.errors import GuideqaError, IndexMissing, StoreUnavailable, storage_error
from assistant.lexical import LexicalIndex
from assistant.settings import Settings

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Stored:
    """One chunk as the store holds it."""

    text: str
    meta: dict
    vector: np.ndarray


class FileEntry(BaseModel):
    hash: str
    doc_ids: list[str]
    chunk_ids: list[str]


class Manifest(BaseModel):
    """What the index holds: per source file, its content hash and the chunk ids it produced."""

    collection: str
    model: str
    chunking: str
    version: str = ""
    bm25_dir: str | None = None
    updated: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    files: dict[str, FileEntry] = Field(default_factory=dict)

    def chunk_ids(self) -> list[str]:
        return [cid for entry in self.files.values() for cid in entry.chunk_ids]


def read_manifest(index_dir: Path) -> Manifest | None:
    """The committed manifest, or None when nothing was ever committed."""
    path = index_dir / MANIFEST
    if not path.exists():
        return None
    try:
        return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, ValueError, OSError) as exc:
        mapped = storage_error(exc, index_dir.parent.parent) if isinstance(exc, OSError) else None
        if mapped is not None:  # e.g. a manifest this user may not read
            raise mapped from exc
        raise IndexMissing(f"The index manifest {path} is damaged ({type(exc).__name__}); run `guideqa ingest --reset`.") from exc


def write_manifest(index_dir: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically (the commit point of an ingest)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = index_dir / f".{MANIFEST}.{os.getpid()}.tmp"
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(manifest.model_dump_json(indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / MANIFEST)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)  # e.g. a full disk: leave no half-written file behind
        raise


def chroma_client(settings: Settings, index_dir: Path) -> Any:
    """Embedded PersistentClient under the index folder, or an HttpClient when a host is set."""
    import chromadb
    from chromadb.config import Settings as ChromaConfig

    config = ChromaConfig(anonymized_telemetry=False, allow_reset=False)
    host = settings.chroma.host
    try:
        if host:
            client = chromadb.HttpClient(host=host, port=settings.chroma.port, ssl=settings.chroma.ssl, settings=config)
            client.heartbeat()
            return client
        index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=config)
    except Exception as exc:  # chromadb raises ValueError, httpx errors, or its own types
        if not host:  # an embedded store needs a writable folder, also to answer
            mapped = storage_error(exc, settings.data_dir, probe=index_dir / "chroma")
            if mapped is not None:
                raise mapped from exc
        where = f"the Chroma server at {host}:{settings.chroma.port}" if host else f"the Chroma store in {index_dir / 'chroma'}"
        raise StoreUnavailable(f"Cannot reach {where}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc


def unavailable(settings: Settings, exc: Exception, index_dir: Path | None = None) -> GuideqaError:
    """A StoreUnavailable for an error raised mid-operation by Chroma; a StorageError when the embedded
    store failed because its disk is full, a file hit the size limit, or the folder is not writable."""
    if not settings.chroma.host:
        # Chroma often reports a full disk only as "failed to apply logs": a probe write tells
        mapped = storage_error(exc, settings.data_dir, probe=(index_dir or settings.data_dir) / "chroma")
        if mapped is not None:
            return mapped
    where = f"Chroma server at {settings.chroma.host}:{settings.chroma.port}" if settings.chroma.host else "embedded Chroma store"
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return StoreUnavailable(f"The {where} failed: {first}")


class Index:
    """Read access to one committed index."""

    def __init__(self, settings: Settings, namespace: str = "main") -> None:
        self.settings = settings
        self.namespace = namespace
        self.dir = settings.index_dir(namespace)
        self._lock = threading.Lock()
        self._client: Any = None
        self._collection: Any = None
        self._manifest: Manifest | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._lexical: LexicalIndex | None = None
        self._allowed: frozenset[str] = frozenset()
        self._filtered: dict[str, frozenset[str]] = {}
        self._by_document: dict[str, frozenset[str]] | None = None
        self._chunks: OrderedDict[str, Stored] = OrderedDict()

    def manifest(self) -> Manifest:
        """The committed manifest, reloaded when an ingest has replaced it (a commit replaces the file: new inode)."""
        with self._lock:
            try:
                st = os.stat(self.dir / MANIFEST)
                stamp: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
            if stamp is not None and stamp == self._stamp and self._manifest is not None:
                return self._manifest
            current = read_manifest(self.dir)
            if current is None or not current.files:
                raise IndexMissing(f"No index in {self.dir}: run `guideqa ingest` first.")
            if self._manifest is None or current.version != self._manifest.version:
                self._manifest = current
                self._allowed = frozenset(current.chunk_ids())
                self._lexical = None
                self._filtered = {}
                self._by_document = None
                self._chunks.clear()
            self._stamp = stamp
            return self._manifest

    def chunks_of(self, documents: tuple[str, ...]) -> frozenset[str]:
        """Committed chunk ids of some documents, from the ids themselves (DOC:POSITION:DIGEST): no store scan."""
        self.manifest()
        with self._lock:
            if self._by_document is None:
                by_document: dict[str, list[str]] = {}
                for cid in self._allowed:
                    by_document.setdefault(cid.rsplit(":", 2)[0], []).append(cid)
                self._by_document = {doc: frozenset(ids) for doc, ids in by_document.items()}
            return frozenset().union(*(self._by_document.get(doc, frozenset()) for doc in documents))

    def filtered_ids(self, where: dict) -> frozenset[str]:
        """Committed chunk ids whose metadata matches a Chroma `where` clause; one store scan per filter and index version."""
        import json

        self.manifest()
        key = json.dumps(where, sort_keys=True)
        with self._lock:
            found = self._filtered.get(key)
        if found is None:
            got = self._store("get", where=where, include=[])
            found = frozenset(got["ids"]) & self._allowed
            with self._lock:
                if len(self._filtered) > 256:
                    self._filtered.clear()
                self._filtered[key] = found
        return found

    @property
    def version(self) -> str:
        return self.manifest().version

    def allowed_ids(self) -> frozenset[str]:
        self.manifest()
        return self._allowed

    def lexical(self) -> LexicalIndex:
        manifest = self.manifest()
        if self._lexical is None:
            folder = self.dir / (manifest.bm25_dir or "")
            try:
                self._lexical = LexicalIndex.load(folder)
            except (OSError, ValueError, KeyError) as exc:
                raise IndexMissing(f"The BM25 index {folder} is missing or damaged; run `guideqa ingest --reset`.") from exc
        return self._lexical

    def collection(self) -> Any:
        if self._collection is None:
            from assistant.embeddings import GuideqaEmbeddingFunction

            manifest = self.manifest()
            self._client = chroma_client(self.settings, self.dir)
            try:
                self._collection = self._client.get_collection(
                    manifest.collection, embedding_function=GuideqaEmbeddingFunction(manifest.model)
                )
            except Exception as exc:
                if "does not exist" in str(exc).lower() or "not found" in str(exc).lower():
                    raise IndexMissing(f"Collection {manifest.collection} is missing from the store; run `guideqa ingest --reset`.") from exc
                raise unavailable(self.settings, exc, self.dir) from exc
        return self._collection

    def reset_connection(self) -> None:
        """Forget the store connection so the next call reconnects (after a server restart)."""
        self._client = None
        self._collection = None

    def _store(self, method: str, **kwargs: Any) -> Any:
        """Call a collection method; a store failure forgets the connection (the next call reconnects) and is re-raised
        as StoreUnavailable or StorageError. IndexMissing and errors from opening the store pass through."""
        try:
            return getattr(self.collection(), method)(**kwargs)
        except GuideqaError:
            raise
        except Exception as exc:
            self.reset_connection()
            raise unavailable(self.settings, exc, self.dir) from exc

    def dense(self, vector: list[float], k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Top k (chunk id, cosine similarity) among committed chunks."""
        allowed = self.allowed_ids()
        result = self._store("query", query_embeddings=[vector], n_results=min(k + 16, max(1, len(allowed) * 2)), where=where,
                             include=["distances"])
        pairs = [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0]) if cid in allowed]
        return pairs[:k]

    def get(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        """Text and metadata of chunks by id (from memory when retrieval has read them; vectors are not read)."""
        if not ids:
            return {}
        self.manifest()
        with self._lock:
            found = {cid: (self._chunks[cid].text, self._chunks[cid].meta) for cid in ids if cid in self._chunks}
        missing = [cid for cid in dict.fromkeys(ids) if cid not in found]
        if missing:
            result = self._store("get", ids=missing, include=["documents", "metadatas"])
            found.update({cid: (doc, meta or {}) for cid, doc, meta in zip(result["ids"], result["documents"], result["metadatas"])})
        return found

    def stored(self, ids: list[str]) -> dict[str, Stored]:
        """Text, metadata and vector of chunks by id: from memory when this index version has read them before,
        else in one store read (ids the store lacks are left out)."""
        if not ids:
            return {}
        self.manifest()  # a new index version empties the memory
        size = self.settings.retrieval.chunk_cache
        with self._lock:
            found = {cid: self._chunks[cid] for cid in ids if cid in self._chunks}
            for cid in found:
                self._chunks.move_to_end(cid)
        missing = [cid for cid in dict.fromkeys(ids) if cid not in found]
        if missing:
            result = self._store("get", ids=missing, include=["documents", "metadatas", "embeddings"])
            fetched = {
                cid: Stored(doc, meta or {}, np.asarray(emb, dtype=np.float32))
                for cid, doc, meta, emb in zip(result["ids"], result["documents"], result["metadatas"], result["embeddings"])
            }
            found.update(fetched)
            if size:
                with self._lock:
                    self._chunks.update(fetched)
                    while len(self._chunks) > size:
                        self._chunks.popitem(last=False)
        return found

    def count(self) -> int:
        return len(self.allowed_ids())


def describe(manifest: Manifest) -> dict[str, Any]:
    """A short summary of an index for health checks and the CLI."""
    return {
        "version": manifest.version,
        "collection": manifest.collection,
        "files": len(manifest.files),
        "documents": sum(len(e.doc_ids) for e in manifest.files.values()),
        "chunks": sum(len(e.chunk_ids) for e in manifest.files.values()),
        "updated": manifest.updated,
    }
