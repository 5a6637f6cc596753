"""Conversation sessions in SQLite (WAL): turns survive restarts; a session belongs to one key."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import NotFound, storage_faults

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, key_id TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    n INTEGER NOT NULL, question TEXT NOT NULL, standalone TEXT NOT NULL,
    answer TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (session_id, n)
);
"""


def connect(path: Path, schema: str | None = None) -> sqlite3.Connection:
    """A SQLite connection in WAL mode with foreign keys on, with `schema` applied.

    A folder that cannot hold the database (read-only, not writable, full disk) raises StorageError naming it.
    """
    with faults(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            if schema:
                conn.executescript(schema)
        except BaseException:
            conn.close()
            raise
    return conn


def faults(path: Path):
    """Storage faults of the database at `path` (in the data dir) as StorageError."""
    return storage_faults(path.parent, probe=path.parent)


class SessionStore:
    """Sessions and their turns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path, SCHEMA)
        self._lock = threading.Lock()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, faults(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:  # SQLite may already have rolled back (e.g. a full disk)
                    self._conn.execute("ROLLBACK")
                raise

    def _read(self, sql: str, args: tuple) -> list[tuple]:
        with faults(self.path):
            return self._conn.execute(sql, args).fetchall()

    def create(self, key_id: str = "local", session_id: str | None = None) -> str:
        """A new session id (unguessable unless given)."""
        session_id = session_id or secrets.token_urlsafe(18)
        now = time.time()
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO sessions VALUES (?, ?, ?, ?)", (session_id, key_id, now, now))
        return session_id

    def owner(self, session_id: str) -> str | None:
        rows = self._read("SELECT key_id FROM sessions WHERE id = ?", (session_id,))
        return rows[0][0] if rows else None

    def check(self, session_id: str, key_id: str) -> None:
        """Raise NotFound unless the session exists and belongs to this key (no hint which)."""
        if self.owner(session_id) != key_id:
            raise NotFound("No such session.")

    def history(self, session_id: str) -> list[str]:
        """Standalone questions of earlier turns, oldest first."""
        rows = self._read("SELECT standalone FROM turns WHERE session_id = ? ORDER BY n", (session_id,))
        return [row[0] for row in rows]

    def turns(self, session_id: str) -> list[dict]:
        rows = self._read("SELECT n, question, standalone, answer, created FROM turns WHERE session_id = ? ORDER BY n", (session_id,))
        return [{"n": n, "question": q, "standalone_question": s, "answer": json.loads(a), "created": c} for n, q, s, a, c in rows]

    def add_turn(self, session_id: str, question: str, standalone: str, answer_json: str) -> int:
        """Append a turn; committed before returning."""
        now = time.time()
        with self._tx() as conn:
            n = conn.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM turns WHERE session_id = ?", (session_id,)).fetchone()[0]
            conn.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?)", (session_id, n, question, standalone, answer_json, now))
            conn.execute("UPDATE sessions SET updated = ? WHERE id = ?", (now, session_id))
        return n

    def delete(self, session_id: str) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def purge(self, older_than_days: int) -> int:
        """Delete sessions idle for longer than the retention period."""
        cutoff = time.time() - older_than_days * 86400
        with self._tx() as conn:
            return conn.execute("DELETE FROM sessions WHERE updated < ?", (cutoff,)).rowcount
