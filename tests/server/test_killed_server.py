"""A real `guideqa serve` SIGKILLed in the middle of a conversation: the session and audit databases
(SQLite, WAL) come back intact with every turn that was answered, and the conversation goes on."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.audit import sha256
from assistant.settings import Settings
from tests.conftest import PROJECT_ROOT, free_port
from tests.server.conftest import FOLLOW_UP, KAWASAKI, KEYS, SK_ALPHA, bearer

QUESTIONS = [
    KAWASAKI,
    FOLLOW_UP,
    "What IgG trough level should be targeted in primary antibody deficiency?",
    "Should immunoglobulin replacement be given during an active infection?",
    "How often should trough levels be checked?",
]
LAST = "and what dose for the second infusion?"


class Serve:
    """`guideqa serve` as its own process on a free port; its log goes to a file (never a pipe that could fill)."""

    def __init__(self, data: Path, corpus: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "GUIDEQA_DATA_DIR": str(data), "GUIDEQA_CORPUS_DIR": str(corpus),
               "GUIDEQA_SERVER__KEYS": json.dumps(KEYS), "GUIDEQA_SERVER__RATE_LIMIT_PER_MINUTE": "100000",
               "GUIDEQA_EMBEDDING__THREADS": "1", "GUIDEQA_LOG_LEVEL": "INFO"}
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen([str(Path(sys.executable).with_name("guideqa")), "serve", "--port", str(self.port)],
                                         env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, http: httpx.Client, timeout: float = 180) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            assert self.proc.poll() is None, f"guideqa serve exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}"
            try:
                if http.get(f"{self.url}/v1/ready", headers=bearer(SK_ALPHA)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise AssertionError(f"guideqa serve never got ready:\n{self.log.read_text()[-3000:]}")

    def kill(self, sig: int) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=60)


def ask(http: httpx.Client, server: Serve, question: str, session_id: str | None) -> dict:
    body = {"question": question, **({"session_id": session_id} if session_id else {"start_session": True})}
    response = http.post(f"{server.url}/v1/ask", json=body, headers=bearer(SK_ALPHA))
    assert response.status_code == 200, response.text
    return response.json()


def read_db(path: Path, sql: str, args: tuple = ()) -> tuple[str, list[tuple]]:
    """(integrity_check result, rows) from a fresh connection, closed again before the server restarts."""
    conn = sqlite3.connect(str(path))
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        return integrity, conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_a_killed_server_loses_no_answered_turn_and_the_session_goes_on(tiny_index: Settings, tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(tiny_index.data_dir, data)
    for stale in [*data.glob("audit.sqlite3*"), *data.glob("sessions.sqlite3*")]:
        stale.unlink()  # earlier tests' sessions and audit rows: this test counts only its own
    log = tmp_path / "serve.log"
    answers: list[dict] = []
    with httpx.Client(timeout=120) as http:
        first = Serve(data, tiny_index.corpus_dir, log)
        try:
            first.wait_ready(http)
            session_id = None
            for question in QUESTIONS:
                answers.append(ask(http, first, question, session_id))
                session_id = answers[-1]["session_id"]
                assert session_id
        finally:
            first.kill(signal.SIGKILL)
        assert first.proc.returncode == -signal.SIGKILL

        # committed turns live in the write-ahead logs the killed process never checkpointed
        assert (data / "sessions.sqlite3-wal").exists() and (data / "audit.sqlite3-wal").exists()
        integrity, turns = read_db(data / "sessions.sqlite3",
                                   "SELECT n, question, standalone FROM turns WHERE session_id = ? ORDER BY n", (session_id,))
        assert integrity == "ok"
        assert turns == [(n, a["question"], a["standalone_question"]) for n, a in enumerate(answers, 1)]
        integrity, owner = read_db(data / "sessions.sqlite3", "SELECT key_id FROM sessions WHERE id = ?", (session_id,))
        assert integrity == "ok" and owner == [("alpha",)]
        integrity, rows = read_db(data / "audit.sqlite3",
                                  "SELECT key_id, endpoint, question_sha256, session_hash, status, index_version FROM audit ORDER BY id")
        assert integrity == "ok"
        assert rows == [("alpha", "ask", sha256(a["question"]), sha256(session_id)[:16], a["status"], a["index_version"])
                        for a in answers]

        second = Serve(data, tiny_index.corpus_dir, log)
        try:
            second.wait_ready(http)
            kept = http.get(f"{second.url}/v1/sessions/{session_id}", headers=bearer(SK_ALPHA))
            assert kept.status_code == 200, kept.text
            assert [t["question"] for t in kept.json()["turns"]] == [a["question"] for a in answers]
            more = ask(http, second, LAST, session_id)
            assert more["session_id"] == session_id
            assert more["standalone_question"] != LAST  # the follow-up was read with the turns from before the kill
            after = http.get(f"{second.url}/v1/sessions/{session_id}", headers=bearer(SK_ALPHA)).json()["turns"]
            assert [t["n"] for t in after] == list(range(1, len(QUESTIONS) + 2)) and after[-1]["question"] == LAST
        finally:
            second.kill(signal.SIGTERM)
    integrity, count = read_db(data / "audit.sqlite3", "SELECT COUNT(*) FROM audit")
    assert integrity == "ok" and count == [(len(QUESTIONS) + 1,)]
