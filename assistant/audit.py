"""Audit log of every answer the API serves, in SQLite (WAL) under the data dir.

A row holds hashes, never the question text, unless `settings.audit.store_question_text` allows it:
time, key id, question sha256, standalone question sha256, retrieved (cited) chunk ids, index
version, status, dose verdicts and latency.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from assistant.models import Answer
from assistant.sessions import connect, faults
from assistant.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    key_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    session_hash TEXT,
    question_sha256 TEXT NOT NULL,
    question_text TEXT,
    standalone_sha256 TEXT,
    chunk_ids TEXT NOT NULL,
    index_version TEXT,
    status TEXT NOT NULL,
    dose_verdicts TEXT NOT NULL,
    latency_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
"""
COLUMNS = ("time", "key_id", "endpoint", "session_hash", "question_sha256", "question_text", "standalone_sha256",
           "chunk_ids", "index_version", "status", "dose_verdicts", "latency_ms")


def sha256(text: str) -> str:
    """Hex sha256 of UTF-8 text (how questions appear in logs and the audit log)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One audited request."""

    key_id: str
    endpoint: str
    question_sha256: str
    status: str
    latency_ms: float
    question_text: str | None = None
    standalone_sha256: str | None = None
    session_hash: str | None = None
    chunk_ids: list[str] = field(default_factory=list)
    index_version: str | None = None
    dose_verdicts: list[dict] = field(default_factory=list)
    time: float = field(default_factory=time.time)

    @classmethod
    def from_answer(cls, answer: Answer, *, key_id: str, endpoint: str, store_text: bool) -> "AuditEntry":
        """The entry for an answered, abstained or blocked question."""
        return cls(
            key_id=key_id,
            endpoint=endpoint,
            question_sha256=sha256(answer.question),
            question_text=answer.question if store_text else None,
            standalone_sha256=sha256(answer.standalone_question),
            session_hash=sha256(answer.session_id)[:16] if answer.session_id else None,
            chunk_ids=[c.chunk_id for c in answer.citations],
            index_version=answer.index_version,
            status=answer.status,
            dose_verdicts=[{"text": f.text, "verdict": f.verdict, "rule_id": f.rule_id} for f in answer.dose_checks],
            latency_ms=answer.latency_ms,
        )

    @classmethod
    def from_error(cls, question: str, code: str, *, key_id: str, endpoint: str, store_text: bool,
                   latency_ms: float, session_id: str | None = None) -> "AuditEntry":
        """The entry for a question that ended in an error (status 'error:<code>')."""
        return cls(
            key_id=key_id, endpoint=endpoint, question_sha256=sha256(question),
            question_text=question if store_text else None,
            session_hash=sha256(session_id)[:16] if session_id else None,
            status=f"error:{code}", latency_ms=round(latency_ms, 1),
        )


class AuditLog:
    """Append-only audit rows; each write is committed before `record` returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path, SCHEMA)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "AuditLog":
        return cls(settings.data_dir / "audit.sqlite3")

    def record(self, entry: AuditEntry) -> None:
        row = asdict(entry)
        row["chunk_ids"] = json.dumps(row["chunk_ids"])
        row["dose_verdicts"] = json.dumps(row["dose_verdicts"], ensure_ascii=False)
        with self._lock, faults(self.path):
            self._conn.execute(
                f"INSERT INTO audit ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [row[c] for c in COLUMNS],
            )

    def list_recent(self, n: int = 20) -> list[dict]:
        """The n newest entries, newest first, as plain dicts."""
        with self._lock, faults(self.path):
            rows = self._conn.execute(
                f"SELECT id, {', '.join(COLUMNS)} FROM audit ORDER BY id DESC LIMIT ?", (max(0, n),)
            ).fetchall()
        out = []
        for row in rows:
            item = dict(zip(("id", *COLUMNS), row))
            item["chunk_ids"] = json.loads(item["chunk_ids"])
            item["dose_verdicts"] = json.loads(item["dose_verdicts"])
            item["time"] = datetime.fromtimestamp(item["time"], timezone.utc).isoformat(timespec="milliseconds")
            if item["question_text"] is None:
                del item["question_text"]
            out.append(item)
        return out

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])

    def close(self) -> None:
        try:
            self._conn.close()
        except sqlite3.Error:
            pass


def list_recent(n: int = 20, settings: Settings | None = None) -> list[dict]:
    """The n newest audit entries of the configured data dir (what `guideqa audit` prints)."""
    from assistant.settings import get_settings

    settings = settings or get_settings()
    path = settings.data_dir / "audit.sqlite3"
    if not path.exists():
        return []
    log = AuditLog(path)
    try:
        return log.list_recent(n)
    finally:
        log.close()
