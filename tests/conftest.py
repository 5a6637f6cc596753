"""Shared fixtures: real settings in tmp folders, the real packaged model, the bundled corpus."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from assistant.settings import PROJECT_ROOT, Settings  # noqa: E402

SHARED = PROJECT_ROOT.parent / "shared"
CORPUS = PROJECT_ROOT / "corpus"


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings for a test: its own data dir, the bundled corpus, one torch thread."""
    values = {"data_dir": data_dir, "corpus_dir": CORPUS, "embedding": {"threads": 1}}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled corpus ingested once for the whole session."""
    from ingest.run import ingest

    settings = make_settings(tmp_path_factory.mktemp("corpus-index"))
    report = ingest([CORPUS], settings)
    assert not report.errors, report.errors
    return settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def guideqa(*args: str, env: dict | None = None, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `guideqa` console script."""
    exe = str(Path(sys.executable).with_name("guideqa"))
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, env=full_env, timeout=timeout, cwd=PROJECT_ROOT)


class ChromaServer:
    """A real `chroma run` on 127.0.0.1 with a free port."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> "ChromaServer":
        exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        self.proc = subprocess.Popen(
            [exe, "run", "--host", "127.0.0.1", "--port", str(self.port), "--path", str(self.path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("chroma run did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
