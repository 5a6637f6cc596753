"""Chroma server mode: a real `chroma run` on 127.0.0.1; a dead server is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.embeddings import get_embedder
from assistant.errors import StoreUnavailable
from assistant.index import Index
from ingest.run import ingest
from tests.conftest import ChromaServer, free_port, guideqa, make_settings

DOCS = Path(__file__).parent.parent / "data" / "docs"


def test_ingest_and_query_through_a_real_chroma_server(tmp_path):
    server = ChromaServer(tmp_path / "chroma-server").start()
    try:
        settings = make_settings(tmp_path / "data", chroma={"host": "127.0.0.1", "port": server.port})
        report = ingest([DOCS], settings)
        assert report.chunks_embedded == report.chunks_total > 0
        assert not (settings.index_dir() / "chroma").exists()  # nothing embedded locally
        index = Index(settings)
        hits = index.dense(get_embedder().embed_query("where to inject subcutaneous immunoglobulin"), 3)
        assert hits and hits[0][0].startswith("scig-basics:")
        assert ingest([DOCS], settings).chunks_embedded == 0
    finally:
        server.stop()
    with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{server.port}"):
        Index(settings).dense(get_embedder().embed_query("anything"), 3)


def test_cli_reports_a_dead_server_without_a_traceback(tmp_path):
    port = free_port()
    env = {"GUIDEQA_DATA_DIR": str(tmp_path), "GUIDEQA_CHROMA__HOST": "127.0.0.1", "GUIDEQA_CHROMA__PORT": str(port)}
    result = guideqa("ingest", str(DOCS), "--json", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"Cannot reach the Chroma server at 127.0.0.1:{port}" in result.stderr
