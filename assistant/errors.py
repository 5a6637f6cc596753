"""One error hierarchy for guideqa.

GuideqaError                      base; knows its HTTP status and the message a user may see
 +-- ConfigError                  settings or rule files that cannot be used (500)
 +-- InputError                   bad input from the user: empty/huge question, malformed file (422)
 |    +-- PayloadTooLarge         request body or question over the limit (413)
 +-- IngestError                  a file that could not be ingested (422), names the file
 +-- IndexMissing                 no index yet: run `guideqa ingest` first (503)
 +-- StoreUnavailable             the vector store (e.g. a Chroma server) cannot be reached (503)
 +-- StorageError                 the data dir cannot be written: disk full, file too large, read-only, no permission (503),
                                  names the data dir; `storage_error()` is the one place OS/SQLite/Chroma faults map to it
 +-- AuthError                    missing, wrong, revoked or cross-origin key (401)
 +-- NotFound                     an unknown session or document (404)
 +-- RateLimited                  too many requests for this key (429, Retry-After)
      +-- AuthThrottled           too many failed authentications from one client address (429, Retry-After)
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class GuideqaError(Exception):
    """Base of every error guideqa raises on purpose."""

    status_code: int = 500
    code: str = "internal_error"

    # What an API client is told of a server-side (5xx) error: no paths, hosts or settings, which only the operator
    # needs (they see user_message in the CLI and the server log). None: user_message is fine to show.
    public: str | None = None

    def __init__(self, user_message: str, *, detail: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail

    @property
    def public_message(self) -> str:
        return self.public or self.user_message

    def to_dict(self, *, public: bool = False) -> dict:
        """The one JSON error shape: {"error": {"code", "message"}}; `public` for API clients."""
        return {"error": {"code": self.code, "message": self.public_message if public else self.user_message}}


class ConfigError(GuideqaError):
    status_code = 500
    code = "config_error"
    public = "The server is misconfigured; its operator has the details in the server log."


class InputError(GuideqaError):
    status_code = 422
    code = "invalid_input"


class PayloadTooLarge(InputError):
    status_code = 413
    code = "payload_too_large"


class IngestError(GuideqaError):
    status_code = 422
    code = "ingest_error"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMissing(GuideqaError):
    status_code = 503
    code = "index_missing"
    public = "No guideline index is available yet; the operator must run `guideqa ingest`."


class StoreUnavailable(GuideqaError):
    status_code = 503
    code = "store_unavailable"
    public = "The vector store cannot be reached right now; try again shortly."


class StorageError(GuideqaError):
    """The data dir cannot be used: its disk is full, a file hit the size limit, it is read-only or not writable."""

    status_code = 503
    code = "storage_error"

    def __init__(self, user_message: str, *, path: str, reason: str, detail: str | None = None) -> None:
        super().__init__(user_message, detail=detail)
        self.path = path
        self.reason = reason
        self.public = f"The server cannot write to its data directory ({reason.replace('_', ' ')}); its operator has the details."

    def with_note(self, note: str) -> "StorageError":
        """The same error with one more sentence (e.g. what happened to the index)."""
        return StorageError(f"{self.user_message} {note}", path=self.path, reason=self.reason, detail=self.detail)


class AuthError(GuideqaError):
    status_code = 401
    code = "unauthorized"


class NotFound(GuideqaError):
    status_code = 404
    code = "not_found"


class RateLimited(GuideqaError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, user_message: str, *, retry_after: int) -> None:
        super().__init__(user_message)
        self.retry_after = retry_after


class AuthThrottled(RateLimited):
    code = "auth_throttled"


# ---- storage faults: the one mapping from OS, SQLite and Chroma errors to StorageError ----

FULL, TOO_LARGE, READ_ONLY, DENIED, UNWRITABLE = "disk_full", "file_too_large", "read_only", "permission_denied", "not_writable"
_ERRNOS = {errno.ENOSPC: FULL, errno.EDQUOT: FULL, errno.EFBIG: TOO_LARGE, errno.EROFS: READ_ONLY,
           errno.EACCES: DENIED, errno.EPERM: DENIED}
# what SQLite (also inside Chroma) and the OS say, for errors that lost their errno on the way
_TEXTS = ((FULL, ("database or disk is full", "no space left on device", "disk quota exceeded")),
          (TOO_LARGE, ("file too large",)),
          (READ_ONLY, ("read-only file system",)),
          (DENIED, ("permission denied", "operation not permitted")))
# SQLite says this for a read-only disk and for a folder this user may not write alike: a probe tells which
_VAGUE = ((UNWRITABLE, ("attempt to write a readonly database",)),)
_SAYS = {
    FULL: "the disk is full, the write failed (no space left on device{at})",
    TOO_LARGE: "the write failed: a file reached the file size limit (file too large{at})",
    READ_ONLY: "it is on a read-only file system (the write failed{at})",
    DENIED: "this user may not write there (permission denied{at})",
    UNWRITABLE: "it cannot be written (read-only database{at})",
}
_FIX = {
    FULL: "Free some space there, or set GUIDEQA_DATA_DIR to a folder on a roomier disk, then run the command again.",
    TOO_LARGE: "Raise the file size limit (ulimit -f) or set GUIDEQA_DATA_DIR to another disk, then run the command again.",
    READ_ONLY: "Set GUIDEQA_DATA_DIR to a writable folder, or remount the disk read-write.",
    DENIED: "Make it writable for this user, or set GUIDEQA_DATA_DIR to a writable folder.",
    UNWRITABLE: "Make it writable for this user, or set GUIDEQA_DATA_DIR to a writable folder.",
}
PROBE_BYTES = 1 << 20


def storage_error(exc: BaseException, data_dir: Path | str, *, probe: Path | str | None = None) -> StorageError | None:
    """A StorageError naming `data_dir` when `exc` (or what it wraps) is a storage fault, else None.

    Looks at errno values first, then at the message text (SQLite and Chroma keep only the text).
    When neither tells, and `probe` is given, writes (and drops) a 1 MiB scratch file in the
    nearest existing folder of `probe`: a full disk, a size limit, a read-only or a forbidden
    folder then shows as the errno of that write (Chroma reports a full disk as e.g. "failed to
    apply logs"). An OSError about a file outside the data dir (e.g. a source document) is not a
    data dir fault.
    """
    data_dir = Path(data_dir).absolute()
    if isinstance(exc, StorageError):
        return exc
    reason, at = _classify(exc, data_dir)
    if reason is None and at is False:
        return None  # a file outside the data dir
    if reason is None and probe is not None:
        reason, at = _probe(Path(probe))
    if reason is None:
        reason = _match(exc, _VAGUE)
    if reason is None:
        return None
    where = f": {at}" if at and Path(at) != data_dir else ""
    message = f"Cannot write to the data dir {data_dir}: {_SAYS[reason].format(at=where)}. {_FIX[reason]}"
    return StorageError(message, path=str(data_dir), reason=reason, detail=f"{type(exc).__name__}: {exc}")


@contextmanager
def storage_faults(data_dir: Path | str, *, probe: Path | str | None = None) -> Iterator[None]:
    """Re-raise OSError and sqlite3.Error that are storage faults of `data_dir` as StorageError."""
    import sqlite3

    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        mapped = storage_error(exc, data_dir, probe=probe)
        if mapped is None:
            raise
        raise mapped from exc


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen and len(seen) < 10:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _classify(exc: BaseException, data_dir: Path) -> tuple[str | None, str | bool | None]:
    """(reason, file) from errnos and messages; (None, False) for an OSError about a file outside the data dir."""
    outside = False
    for item in _chain(exc):
        if isinstance(item, OSError) and item.errno in _ERRNOS:
            name = item.filename
            if name is not None and not _inside(Path(os.fsdecode(name)), data_dir):
                outside = True
                continue
            return _ERRNOS[item.errno], (os.fsdecode(name) if name is not None else None)
    if outside:
        return None, False
    return _match(exc, _TEXTS), None


def _match(exc: BaseException, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    for item in _chain(exc):
        text = str(item).lower()
        for reason, needles in table:
            if any(needle in text for needle in needles):
                return reason
    return None


def _inside(path: Path, folder: Path) -> bool:
    """path is folder or under it (as written, or with symlinks resolved: index paths are resolved)."""
    pairs = ((path.absolute(), folder.absolute()), (path.resolve(), folder.resolve()))
    return any(p == f or f in p.parents for p, f in pairs)


def _probe(target: Path) -> tuple[str | None, str | None]:
    """Write 1 MiB in the nearest existing folder of target; the errno of a failed write tells the fault."""
    folder = target.absolute()
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".guideqa-probe-") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        if exc.errno in _ERRNOS:
            return _ERRNOS[exc.errno], str(folder)
    return None, None
