"""Conversation sessions in SQLite (WAL): turns survive restarts; a session belongs to one key.

A session a server request starts is only *reserved* (in memory) until its first turn is stored, so a request that
fails leaves no row behind. Sessions idle past the retention period are refused on every read (and deleted), and
`purge` (run periodically by the server) deletes them too. The database, its WAL files and the folder holding them
are readable by their owner only.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
import sqlite3
import threading
import time
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import NotFound, storage_faults

log = logging.getLogger(__name__)
FILE_MODE = 0o600
DIR_MODE = 0o700
EMPTY_GRACE_S = 3600.0  # a session created but never given a turn (the CLI, evals) is swept after this

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
        private_dir(path.parent)
        # SQLite creates the -wal and -shm files with the mode of the database file: make that owner-only first.
        # Only a missing file is created here: closing a descriptor of a database this process already has open
        # would drop that connection's POSIX locks.
        if not path.exists():
            try:
                os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE))
            except FileExistsError:  # another connection made it meanwhile
                pass
        private_file(path)
        conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            if schema:
                conn.executescript(schema)
            for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                private_file(name)  # also tightens files an older version left 0644
        except BaseException:
            conn.close()
            raise
    return conn


def private_dir(folder: Path) -> None:
    """Create `folder` owner-only (0700); an existing one of ours that others can read is tightened.

    A shared folder (sticky, like /tmp) or one owned by someone else is left as it is.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    info = folder.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX:
        # Only take rights away: a folder made read-only on purpose stays read-only.
        os.chmod(folder, stat.S_IMODE(info.st_mode) & ~0o077)


def private_file(path: Path) -> None:
    """Make an existing file owner-only (0600)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & ~0o077)
    except FileNotFoundError:
        pass


def faults(path: Path):
    """Storage faults of the database at `path` (in the data dir) as StorageError."""
    return storage_faults(path.parent, probe=path.parent)


class SessionStore:
    """Sessions and their turns; `retention_days` (None: keep forever) is enforced on every read."""

    def __init__(self, path: Path, retention_days: float | None = None) -> None:
        self.path = path
        self.retention_days = retention_days
        self._conn = connect(path, SCHEMA)
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[str, float]] = {}  # reserved session id -> (key id, time reserved)

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

    def _cutoff(self) -> float:
        """Sessions last used before this time are expired (-inf without retention)."""
        return time.time() - self.retention_days * 86400 if self.retention_days is not None else float("-inf")

    def create(self, key_id: str = "local", session_id: str | None = None) -> str:
        """A new session id (unguessable unless given), stored at once (the CLI's --session)."""
        session_id = session_id or secrets.token_urlsafe(18)
        now = time.time()
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO sessions VALUES (?, ?, ?, ?)", (session_id, key_id, now, now))
        return session_id

    def reserve(self, key_id: str) -> str:
        """A new unguessable session id held in memory only: it is written with its first turn, or never."""
        session_id = secrets.token_urlsafe(18)
        with self._lock:
            self._pending[session_id] = (key_id, time.time())
        return session_id

    def release(self, session_id: str) -> None:
        """Forget a reservation (once its request is over: the turn, if any, is stored by then)."""
        with self._lock:
            self._pending.pop(session_id, None)

    def owner(self, session_id: str) -> str | None:
        """The key owning a live session; an expired one is deleted on the spot and reported as absent."""
        rows = self._read("SELECT key_id, updated FROM sessions WHERE id = ?", (session_id,))
        if rows:
            key_id, updated = rows[0]
            if updated >= self._cutoff():
                return key_id
            self.delete(session_id)
            return None
        with self._lock:
            pending = self._pending.get(session_id)
        return pending[0] if pending else None

    def check(self, session_id: str, key_id: str) -> None:
        """Raise NotFound unless the session exists, is not expired and belongs to this key (no hint which)."""
        if self.owner(session_id) != key_id:
            raise NotFound("No such session.")

    def history(self, session_id: str) -> list[str]:
        """Standalone questions of earlier turns, oldest first."""
        return [turn["standalone_question"] for turn in self.turns(session_id)]

    def turns(self, session_id: str) -> list[dict]:
        """The turns of a live session (none for an expired one)."""
        rows = self._read(
            "SELECT t.n, t.question, t.standalone, t.answer, t.created FROM turns t JOIN sessions s ON s.id = t.session_id "
            "WHERE t.session_id = ? AND s.updated >= ? ORDER BY t.n", (session_id, self._cutoff()))
        return [{"n": n, "question": q, "standalone_question": s, "answer": json.loads(a), "created": c} for n, q, s, a, c in rows]

    def add_turn(self, session_id: str, question: str, standalone: str, answer_json: str) -> int:
        """Append a turn (writing a reserved session with it); committed before returning."""
        now = time.time()
        with self._lock:
            pending = self._pending.get(session_id)
        with self._tx() as conn:
            if pending is not None:
                conn.execute("INSERT OR IGNORE INTO sessions VALUES (?, ?, ?, ?)", (session_id, pending[0], now, now))
            n = conn.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM turns WHERE session_id = ?", (session_id,)).fetchone()[0]
            conn.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?)", (session_id, n, question, standalone, answer_json, now))
            conn.execute("UPDATE sessions SET updated = ? WHERE id = ?", (now, session_id))
        return n

    def delete(self, session_id: str) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def purge(self, older_than_days: float | None = None) -> int:
        """Delete sessions idle for longer than the retention period, and sessions left without a turn.

        `older_than_days` defaults to `retention_days` (without either, only empty sessions go).
        """
        days = self.retention_days if older_than_days is None else older_than_days
        now = time.time()
        cutoff = now - days * 86400 if days is not None else float("-inf")
        with self._lock:
            for session_id in [s for s, (_, at) in self._pending.items() if at < now - EMPTY_GRACE_S]:
                del self._pending[session_id]
        with self._tx() as conn:
            expired = conn.execute("DELETE FROM sessions WHERE updated < ?", (cutoff,)).rowcount
            empty = conn.execute("DELETE FROM sessions WHERE created < ? AND NOT EXISTS "
                                 "(SELECT 1 FROM turns WHERE turns.session_id = sessions.id)", (now - EMPTY_GRACE_S,)).rowcount
        return expired + empty
