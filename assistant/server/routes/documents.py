"""GET /v1/documents: the guidelines of the corpus (front matter) with their resolved references."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import frontmatter
from fastapi import APIRouter
from pydantic import ValidationError

from assistant.corpus import GuidelineMeta, load_references
from assistant.errors import GuideqaError
from assistant.server.deps import KeyDep, StateDep
from assistant.server.routes.common import AUTH_ERRORS
from assistant.server.schemas import DocumentOut, DocumentsOut, ReferenceOut

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["corpus"])
_cache: dict[tuple, list[DocumentOut]] = {}
_lock = threading.Lock()


def read_corpus(corpus_dir: Path) -> list[DocumentOut]:
    """Every guideline under corpus_dir/guidelines with valid front matter (others are logged and left out)."""
    files = sorted((corpus_dir / "guidelines").glob("*.md"))
    refs_path = corpus_dir / "references.yaml"
    stamp = (str(corpus_dir), *((f.name, f.stat().st_mtime_ns) for f in files),
             refs_path.stat().st_mtime_ns if refs_path.exists() else None)
    with _lock:
        if stamp in _cache:
            return _cache[stamp]
    references = load_references(refs_path) if refs_path.exists() else {}
    documents = []
    for path in files:
        try:
            meta = GuidelineMeta.model_validate(frontmatter.load(str(path)).metadata)
        except (ValidationError, ValueError, OSError) as exc:
            log.warning("skipping %s in /v1/documents: %s", path.name, type(exc).__name__)
            continue
        refs = [ReferenceOut(key=k, citation=references[k].cite(), title=references[k].title, year=references[k].year,
                             doi=references[k].doi, url=references[k].url) for k in meta.references if k in references]
        documents.append(DocumentOut(id=meta.id, title=meta.title, issuer=meta.issuer, year=meta.year, topics=meta.topics,
                                     population=meta.population, url=meta.url, indexed=False, references=refs))
    with _lock:
        _cache.clear()
        _cache[stamp] = documents
    return documents


@router.get("/documents", response_model=DocumentsOut, responses=AUTH_ERRORS, summary="What the corpus holds")
def documents(key: KeyDep, state: StateDep) -> DocumentsOut:
    """Guidelines with title, issuer, year, topics, population and references; `indexed` says whether the index holds them."""
    version, indexed = None, set()
    try:
        manifest = state.assistant.index.manifest()
        version = manifest.version
        indexed = {doc for entry in manifest.files.values() for doc in entry.doc_ids}
    except GuideqaError:  # no index yet: still list the corpus
        pass
    docs = [d.model_copy(update={"indexed": d.id in indexed}) for d in read_corpus(state.settings.corpus_dir)]
    known = {d.id for d in docs}
    docs += [DocumentOut(id=doc, title=doc, indexed=True) for doc in sorted(indexed - known)]
    return DocumentsOut(index_version=version, documents=docs)
