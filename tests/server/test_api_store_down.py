"""The API over a real Chroma server that goes away and comes back: 503 in the error shape, health
says degraded, and service recovers by itself."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from assistant.server.app import create_app
from ingest.run import ingest
from tests.conftest import ChromaServer, make_settings
from tests.server.conftest import KAWASAKI, KEYS, SK_ALPHA, bearer, wait_ready, with_server


@pytest.mark.slow
def test_store_outage_is_503_and_recovers(tiny_index, tmp_path):
    server = ChromaServer(tmp_path / "chroma").start()
    try:
        settings = make_settings(tmp_path / "data", corpus_dir=tiny_index.corpus_dir,
                                 chroma={"host": "127.0.0.1", "port": server.port})
        assert not ingest([tiny_index.corpus_dir / "guidelines"], settings).errors
        with TestClient(create_app(with_server(settings, keys=KEYS))) as client:
            wait_ready(client, bearer(SK_ALPHA))
            ask = lambda: client.post("/v1/ask", json={"question": KAWASAKI}, headers=bearer(SK_ALPHA))  # noqa: E731
            assert ask().status_code == 200

            server.stop()
            response = ask()
            assert response.status_code == 503
            error = response.json()["error"]
            assert error["code"] == "store_unavailable" and "try again" in error["message"]
            health = client.get("/v1/health")
            assert health.status_code == 200 and health.json()["status"] == "degraded"
            assert str(server.port) not in response.text + health.text  # no host or port for clients (health needs no key)
            assert health.json()["store"]["reachable"] is False and "Traceback" not in health.text
            ready = client.get("/v1/ready", headers=bearer(SK_ALPHA))  # not ready while answers would be 503
            assert ready.status_code == 503 and ready.json()["error"]["code"] == "not_ready"
            assert str(server.port) not in ready.text

            server.start()
            deadline = time.time() + 30
            while (response := ask()).status_code != 200 and time.time() < deadline:
                time.sleep(0.5)
            assert response.status_code == 200 and response.json()["status"] == "answered"
            assert client.get("/v1/health").json()["status"] == "ok"
            assert client.get("/v1/ready", headers=bearer(SK_ALPHA)).status_code == 200
    finally:
        server.stop()
