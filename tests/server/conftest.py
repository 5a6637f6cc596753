"""API fixtures: a tiny real corpus ingested once (with a passage that tries HTML injection),
keyed apps under TestClient, and a real uvicorn server on a free 127.0.0.1 port."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from assistant.server.app import create_app
from assistant.server.auth import hash_key
from assistant.server.protocol import http_protocol
from assistant.settings import Settings
from tests.conftest import CORPUS, free_port, make_settings

DATA = Path(__file__).parent / "data"
TINY_FILES = ["ig-immunomodulatory-kawasaki.md", "ig-dosing-overview.md", "ig-primary-antibody-deficiency.md",
              "ig-trough-monitoring.md", "ig-active-infection.md"]
XSS = "<img src=x onerror=alert(1)>"
XSS_DOC = "test-zebrafinch-log"
KAWASAKI = "What IVIG dose for Kawasaki disease?"
FOLLOW_UP = "and what if the fever persists after the infusion?"
ZEBRAFINCH = "What must the infusion log record in zebrafinch syndrome?"
# a test document whose own text holds bracketed numbers ("[9,10]", a planted "[2]") and whose front matter URL is javascript:
QUOKKA_DOC = "test-quokka-references"
QUOKKA = "What is documented before each immunoglobulin course in quokka fever?"
OFF_TOPIC = "What is the weather on Mars today?"

# test-only keys (never used outside tests); only their hashes go into the settings
SK_ALPHA = "sk_test_alpha_" + "a" * 30
SK_BETA = "sk_test_beta_" + "b" * 30
SK_GONE = "sk_test_revoked_" + "c" * 30
SK_TIGHT = "sk_test_tight_" + "d" * 30
PK_SITE = "pk_test_site_" + "e" * 24
SITE = "https://clinic.example"
KEYS = [
    {"id": "alpha", "kind": "server", "sha256": hash_key(SK_ALPHA)},
    {"id": "beta", "kind": "server", "sha256": hash_key(SK_BETA)},
    {"id": "gone", "kind": "server", "sha256": hash_key(SK_GONE), "revoked": True},
    {"id": "tight", "kind": "server", "sha256": hash_key(SK_TIGHT), "rate_limit_per_minute": 3},
    {"id": "site", "kind": "publishable", "key": PK_SITE, "origins": [SITE]},
]


def bearer(key: str, origin: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {key}"}
    if origin:
        headers["Origin"] = origin
    return headers


def with_server(settings: Settings, **server) -> Settings:
    """The same settings with some server fields replaced."""
    return settings.model_copy(update={"server": settings.server.model_copy(update=server)})


@pytest.fixture(scope="session")
def tiny_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Five bundled guidelines plus two test documents (an <img onerror> tag in a statement; the source's own bracketed
    numbers and a javascript: URL), ingested once."""
    from ingest.run import ingest

    root = tmp_path_factory.mktemp("tiny")
    guidelines = root / "corpus" / "guidelines"
    guidelines.mkdir(parents=True)
    for name in TINY_FILES:
        shutil.copy(CORPUS / "guidelines" / name, guidelines)
    shutil.copy(DATA / f"{XSS_DOC}.md", guidelines)
    shutil.copy(DATA / f"{QUOKKA_DOC}.md", guidelines)
    shutil.copy(CORPUS / "references.yaml", root / "corpus")
    settings = make_settings(root / "data", corpus_dir=root / "corpus")
    report = ingest([guidelines], settings)
    assert not report.errors, report.errors
    return settings


@pytest.fixture(scope="session")
def keyed_settings(tiny_index: Settings) -> Settings:
    # the failure back-off has its own tests: here many refusals in a row must stay 401s
    return with_server(tiny_index, keys=KEYS, rate_limit_per_minute=100_000, auth_failure_limit=0)


def wait_ready(client: TestClient | httpx.Client, headers: dict[str, str], timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        response = client.get("/v1/ready", headers=headers)
        if response.status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"never ready: {response.json()}")


@pytest.fixture(scope="module")
def client(keyed_settings: Settings) -> Iterator[TestClient]:
    """TestClient on the real app with the test keys, warmed up."""
    with TestClient(create_app(keyed_settings)) as test_client:
        wait_ready(test_client, bearer(SK_ALPHA))
        yield test_client


class LiveServer:
    """The real app under uvicorn in a thread, on 127.0.0.1 and a free port."""

    def __init__(self, settings_for_port) -> None:
        self.port = free_port()
        self.settings = settings_for_port(self.port)
        self.app = create_app(self.settings)
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                http=http_protocol())  # as `guideqa serve` runs it
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.time() + 60
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def live_server(keyed_settings: Settings) -> Iterator[LiveServer]:
    """A real uvicorn server with the test keys, warmed up."""
    with LiveServer(lambda port: with_server(keyed_settings, port=port)) as server:
        with httpx.Client(base_url=server.url) as http:
            wait_ready(http, bearer(SK_ALPHA))
        yield server
