"""Incremental, crash-safe ingest against real Chroma and the real packaged model."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.index import Index, read_manifest
from ingest.run import ingest
from ingest.store import Store
from tests.conftest import PROJECT_ROOT, make_settings

DOCS = Path(__file__).parent.parent / "data" / "docs"


def stored_ids(settings) -> set[str]:
    return set(Store(settings).collection.get(include=[])["ids"])


def test_incremental_ingest_embeds_only_what_changed(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(DOCS, corpus)
    settings = make_settings(tmp_path / "data")

    first = ingest([corpus], settings)
    assert first.files_changed == 3 and first.chunks_embedded == first.chunks_total > 0 and not first.errors
    again = ingest([corpus], settings)
    assert again.chunks_embedded == 0 and again.files_unchanged == 3 and again.index_version == first.index_version

    md = corpus / "scig-basics.md"
    md.write_text(md.read_text().replace("settles within a day", "settles within two days"))
    changed = ingest([corpus], settings)
    assert changed.files_changed == 1 and changed.chunks_embedded == 1
    assert changed.index_version != first.index_version
    manifest = read_manifest(settings.index_dir())
    assert stored_ids(settings) == set(manifest.chunk_ids())  # the old chunk is gone

    (corpus / "page.html").unlink()
    removed = ingest([corpus], settings)
    assert removed.files_removed == 1 and removed.chunks_deleted >= 1
    assert not any("page" in cid for cid in stored_ids(settings))
    assert stored_ids(settings) == set(read_manifest(settings.index_dir()).chunk_ids())


def test_a_bad_file_is_reported_and_the_rest_ingest(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(DOCS, corpus)
    (corpus / "bad.md").write_text("---\nid: [oops\n---\n# x\n")
    settings = make_settings(tmp_path / "data")
    report = ingest([corpus], settings)
    assert [e["path"] for e in report.errors] == [str(corpus / "bad.md")]
    assert report.documents == 3

    # a good file that later breaks keeps its previous chunks (nothing is lost)
    before = set(read_manifest(settings.index_dir()).chunk_ids())
    (corpus / "plain-note.txt").write_bytes(b"\xff\xfe broken")
    report = ingest([corpus], settings)
    assert any("plain-note.txt" in e["path"] for e in report.errors)
    assert set(read_manifest(settings.index_dir()).chunk_ids()) == before


def test_reset_rebuilds_and_missing_index_is_a_clear_error(tmp_path):
    settings = make_settings(tmp_path / "data")
    from assistant.errors import IndexMissing

    with pytest.raises(IndexMissing, match="guideqa ingest"):
        Index(settings).manifest()
    ingest([DOCS], settings)
    report = ingest([DOCS], settings, reset=True)
    assert report.chunks_embedded == report.chunks_total


def test_a_damaged_manifest_names_the_path(tmp_path):
    from assistant.errors import IndexMissing

    settings = make_settings(tmp_path / "data")
    ingest([DOCS], settings)
    (settings.index_dir() / "manifest.json").write_text("{not json")
    with pytest.raises(IndexMissing, match="manifest.json"):
        Index(settings).manifest()


def _many_docs(folder: Path, n: int, tag: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = "\n".join(f"- Item {j} of note {i} ({tag}): rotate infusion sites and record reactions." for j in range(6))
        (folder / f"note-{i:03d}.md").write_text(f"# Note {i}\n\n## Part A\n{body}\n\n## Part B\n{body}\n")


@pytest.mark.slow
def test_killed_ingest_leaves_the_old_index_usable_and_the_next_run_completes(tmp_path):
    """SIGKILL a real `guideqa ingest` at random points; the chunk set ends equal to a clean ingest's."""
    corpus = tmp_path / "corpus"
    _many_docs(corpus, 40, "v1")
    data = tmp_path / "data"
    env = {**os.environ, "GUIDEQA_DATA_DIR": str(data), "GUIDEQA_EMBEDDING__BATCH_SIZE": "4", "GUIDEQA_EMBEDDING__THREADS": "1"}
    settings = make_settings(data, embedding={"batch_size": 4, "threads": 1})
    ingest([corpus], settings)
    old_version = read_manifest(settings.index_dir()).version

    shutil.rmtree(corpus)
    _many_docs(corpus, 60, "v2")  # every chunk changes, and there are more of them
    exe = str(Path(sys.executable).with_name("guideqa"))
    rng = random.Random(7)
    for _ in range(3):
        proc = subprocess.Popen([exe, "ingest", str(corpus)], env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(6.0, 14.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        manifest = read_manifest(settings.index_dir())
        index = Index(settings)
        assert manifest.version in {old_version, index.version}
        hits = index.lexical().search("rotate infusion sites", 5)
        assert hits and all(cid in index.allowed_ids() for cid, _ in hits)
        assert len(index.get([cid for cid, _ in hits])) == len(hits)

    final = ingest([corpus], settings)
    assert not final.errors
    clean = make_settings(tmp_path / "clean", embedding={"batch_size": 4, "threads": 1})
    reference = ingest([corpus], clean)
    assert final.index_version == reference.index_version
    assert stored_ids(settings) == stored_ids(clean) == set(read_manifest(settings.index_dir()).chunk_ids())


def test_chunks_read_once_per_index_version_and_reread_after_an_ingest(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(DOCS, corpus)
    settings = make_settings(tmp_path / "data")
    ingest([corpus], settings)
    index = Index(settings)
    ids = [cid for cid in index.manifest().chunk_ids() if cid.startswith("scig-basics")]
    first = index.stored(ids)
    assert set(first) == set(ids) and all(c.vector.shape == (index.stored(ids)[ids[0]].vector.shape[0],) for c in first.values())
    assert {c.meta["issuer"] for c in first.values()} == {"guideqa test suite"}

    calls = []
    real = Index._store
    monkeypatch.setattr(Index, "_store", lambda self, method, **kw: calls.append(method) or real(self, method, **kw))
    assert index.get(ids) == {cid: (c.text, c.meta) for cid, c in first.items()} and calls == []  # from memory

    md = corpus / "scig-basics.md"
    md.write_text(md.read_text().replace("issuer: guideqa test suite", "issuer: a revised issuer"))
    ingest([corpus], settings)  # same text, new metadata: a new index version
    again = index.stored([cid for cid in index.manifest().chunk_ids() if cid.startswith("scig-basics")])
    assert calls == ["get"] and {c.meta["issuer"] for c in again.values()} == {"a revised issuer"}


def test_no_chunk_memory_when_the_cache_is_off(tmp_path, monkeypatch):
    settings = make_settings(tmp_path / "data")
    settings = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update={"chunk_cache": 0})})
    ingest([DOCS], settings)
    index = Index(settings)
    ids = index.manifest().chunk_ids()
    index.stored(ids)
    calls = []
    real = Index._store
    monkeypatch.setattr(Index, "_store", lambda self, method, **kw: calls.append(method) or real(self, method, **kw))
    assert set(index.stored(ids)) == set(ids) and calls == ["get"]


def test_the_same_documents_from_a_second_folder_are_refused_by_name(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    shutil.copytree(DOCS, first)
    shutil.copytree(DOCS, second)
    settings = make_settings(tmp_path / "data")
    assert not ingest([first], settings).errors
    again = ingest([second], settings)  # a copy of the corpus elsewhere: every document id is taken
    assert len(again.errors) == again.files_seen and all("already used by" in e["reason"] for e in again.errors)
    manifest = read_manifest(settings.index_dir())
    assert all(key.startswith(str(first)) for key in manifest.files) and stored_ids(settings) == set(manifest.chunk_ids())
