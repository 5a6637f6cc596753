"""Storage faults against the real `guideqa` CLI: a disk that fills up mid-ingest, and a read-only data dir.

The full disk is a small tmpfs when this process may mount one (root on Linux), else a file size limit
(RLIMIT_FSIZE, with SIGXFSZ ignored so writes fail with EFBIG) set in the child: the test runs either way.
TEST_FULL_DISK=tmpfs|rlimit forces one. A read-only data dir under root is enforced by dropping
CAP_DAC_OVERRIDE (root then obeys file modes like anyone), or by running the child as `nobody`.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.errors import storage_error
from assistant.index import read_manifest
from ingest.run import ingest
from ingest.store import Store
from tests.conftest import CORPUS, PROJECT_ROOT, make_settings

GUIDELINES = ["ig-immunomodulatory-kawasaki.md", "ig-dosing-overview.md", "ig-trough-monitoring.md"]
QUESTION = "What IVIG dose is used for Kawasaki disease?"
LEAVE_FREE = 256 * 1024  # room left for the ingest that must fail: a few batches fit, the whole of it does not
EXE = str(Path(sys.executable).with_name("guideqa"))


def run(args: list[str], data: Path, **kwargs) -> subprocess.CompletedProcess:
    """The real `guideqa` console script on a data dir (small batches: many writes, so the disk fills mid-ingest)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GUIDEQA_DATA_DIR": str(data), "GUIDEQA_MIN_FREE_MB": "0",  # the raw fault
           "GUIDEQA_EMBEDDING__BATCH_SIZE": "4", "GUIDEQA_EMBEDDING__THREADS": "1", **kwargs.pop("env", {})}
    return subprocess.run([EXE, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, **kwargs)


def error_paragraph(result: subprocess.CompletedProcess) -> str:
    """The one `error:` paragraph on stderr; fails on a traceback or on anything else printed."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def write_corpus(folder: Path, notes: int = 0) -> None:
    """Three bundled guidelines, plus `notes` generated notes (two chunks each)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in GUIDELINES:
        shutil.copy(CORPUS / "guidelines" / name, folder)
    for i in range(notes):
        body = "\n".join(f"- Item {j} of note {i}: rotate infusion sites and record reactions." for j in range(6))
        (folder / f"note-{i:03d}.md").write_text(f"# Note {i}\n\n## Part A\n{body}\n\n## Part B\n{body}\n")


def stored_ids(settings) -> set[str]:
    return set(Store(settings).collection.get(include=[])["ids"])


@pytest.mark.parametrize("exc, reason", [
    (OSError(errno.ENOSPC, "No space left on device"), "disk_full"),
    (OSError(errno.EFBIG, "File too large", "DATA/index/x/manifest.json"), "file_too_large"),
    (PermissionError(errno.EACCES, "Permission denied", "DATA/sessions.sqlite3"), "permission_denied"),
    (OSError(errno.EROFS, "Read-only file system", "DATA"), "read_only"),
    (sqlite3.OperationalError("database or disk is full"), "disk_full"),
    (RuntimeError("Query error: Database error: (code: 13) database or disk is full"), "disk_full"),
    (PermissionError(errno.EACCES, "Permission denied", "/elsewhere/source.md"), None),  # a source file, not the data dir
    (sqlite3.OperationalError("no such table: turns"), None),
])
def test_storage_faults_map_to_one_error_naming_the_data_dir(tmp_path, exc, reason):
    data = tmp_path / "data"
    if isinstance(exc, OSError) and exc.filename and exc.filename.startswith("DATA"):
        exc = type(exc)(exc.errno, exc.strerror, exc.filename.replace("DATA", str(data)))
    mapped = storage_error(exc, data)
    if reason is None:
        assert mapped is None
    else:
        assert mapped.reason == reason and mapped.code == "storage_error" and mapped.status_code == 503
        assert mapped.user_message.startswith(f"Cannot write to the data dir {data}: ")


# ---------------------------------------------------------------- a disk that fills up


class SmallDisk:
    """A data dir whose disk can be filled to `LEAVE_FREE` bytes and emptied again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mount = root / "disk"
        self.mount.mkdir()
        self.data = self.mount / "data"
        forced = os.environ.get("TEST_FULL_DISK", "")
        if forced == "rlimit":
            self.kind = "rlimit"
        elif self._mount():
            self.kind = "tmpfs"
        else:
            assert forced != "tmpfs", "TEST_FULL_DISK=tmpfs, but a tmpfs cannot be mounted here"
            self.kind = "rlimit"
        self.ballast = self.mount / "ballast"
        self.limit: int | None = None

    def _mount(self) -> bool:
        if os.geteuid() != 0 or not shutil.which("mount"):
            return False
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m,mode=0755", "tmpfs", str(self.mount)], capture_output=True)
        return done.returncode == 0

    def fill(self) -> None:
        """Leave LEAVE_FREE bytes: a ballast file on the tmpfs, or a file size limit that far above the largest file."""
        if self.kind == "tmpfs":
            free = os.statvfs(self.mount).f_bavail * os.statvfs(self.mount).f_frsize
            with self.ballast.open("wb") as handle:
                os.posix_fallocate(handle.fileno(), 0, free - LEAVE_FREE)
        else:
            largest = max(p.stat().st_size for p in self.data.rglob("*") if p.is_file())
            self.limit = largest + LEAVE_FREE

    def make_room(self) -> None:
        if self.kind == "tmpfs":
            self.ballast.unlink()
        self.limit = None

    def kwargs(self) -> dict:
        """subprocess.run arguments that put a child under the fault (none for a tmpfs: the disk itself is full)."""
        if self.limit is None:
            return {}
        limit = self.limit

        def limited() -> None:  # in the child, before exec: writes past `limit` bytes fail with EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        return {"preexec_fn": limited}

    def close(self) -> None:
        if os.path.ismount(self.mount):
            subprocess.run(["umount", "-l", str(self.mount)], check=False)  # lazy: chroma may still hold a handle


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    disk = SmallDisk(tmp_path)
    try:
        yield disk
    finally:
        disk.close()


@pytest.mark.slow
def test_a_disk_full_mid_ingest_is_a_clear_error_and_the_old_index_survives(small_disk: SmallDisk, tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    data = small_disk.data
    first = run(["ingest", str(corpus)], data)  # a roomier run commits the old index
    assert first.returncode == 0, first.stderr
    settings = make_settings(data, embedding={"batch_size": 4, "threads": 1})
    old = read_manifest(settings.index_dir())
    assert old is not None and old.files

    write_corpus(corpus, notes=60)  # ~120 more chunks: far more than the room left
    small_disk.fill()
    full = run(["ingest", str(corpus)], data, **small_disk.kwargs())
    assert full.returncode != 0, full.stdout
    message = error_paragraph(full)
    assert str(data) in message and "the write failed" in message, message
    assert ("the disk is full" if small_disk.kind == "tmpfs" else "file too large") in message, message
    assert f"index from before this run ({old.version}) is unchanged" in message, message
    assert read_manifest(settings.index_dir()) == old  # nothing was committed
    assert not list(settings.index_dir().glob(".*.tmp"))  # no half-written BM25 folder or manifest left behind

    # while the disk is still full, `ask` answers from the old index, or (when Chroma must first finish applying
    # what the failed run logged, which needs room) says clearly why it cannot
    still_full = run(["ask", QUESTION, "--json"], data, **small_disk.kwargs())
    if still_full.returncode == 0:
        assert json.loads(still_full.stdout)["index_version"] == old.version
    else:
        assert json.loads(still_full.stdout)["error"]["code"] == "storage_error"
        assert str(data) in error_paragraph(still_full)

    small_disk.make_room()
    asked = run(["ask", QUESTION, "--json"], data)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["status"] == "answered" and answer["index_version"] == old.version
    cited = {c["chunk_id"] for c in answer["citations"]}
    assert cited and cited <= set(old.chunk_ids())
    assert any(c["document_id"] == "ig-immunomodulatory-kawasaki" for c in answer["citations"])

    again = run(["ingest", str(corpus)], data)
    assert again.returncode == 0, again.stderr
    clean = make_settings(tmp_path / "clean", embedding={"batch_size": 4, "threads": 1})
    reference = ingest([corpus], clean)
    manifest = read_manifest(settings.index_dir())
    assert manifest.version == reference.index_version != old.version
    assert set(manifest.chunk_ids()) == set(read_manifest(clean.index_dir()).chunk_ids())
    assert stored_ids(settings) == stored_ids(clean) == set(manifest.chunk_ids())


@pytest.mark.slow
def test_ingest_writes_nothing_when_free_space_is_below_the_minimum(tmp_path: Path):
    """The guard in front of a full disk: below GUIDEQA_MIN_FREE_MB, no chunk is written, so the old index stays readable."""
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus)
    assert run(["ingest", str(corpus)], data).returncode == 0
    settings = make_settings(data)
    old = read_manifest(settings.index_dir())
    before = stored_ids(settings)

    write_corpus(corpus, notes=5)
    refused = run(["ingest", str(corpus)], data, env={"GUIDEQA_MIN_FREE_MB": str(10**9)})  # more than any disk has
    assert refused.returncode != 0
    message = error_paragraph(refused)
    assert str(data) in message and "the disk is full" in message and "MB free" in message, message
    assert f"index from before this run ({old.version}) is unchanged" in message, message
    assert read_manifest(settings.index_dir()) == old and stored_ids(settings) == before

    asked = run(["ask", QUESTION, "--json"], data, env={"GUIDEQA_MIN_FREE_MB": str(10**9)})  # reading needs no room
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["index_version"] == old.version


# ---------------------------------------------------------------- a read-only data dir

CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, PR_CAPBSET_DROP = 1, 2, 3, 24


def _drop_dac_caps() -> None:
    """In the child, before exec: root loses the capabilities that let it ignore file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


# the child must import the project (so it can read the repo and the venv) and be refused a write
PROBE = """
import sys
import assistant.cli
try:
    open(sys.argv[1], "w").close()
except PermissionError:
    print("denied")
else:
    print("wrote")
"""


def unprivileged(probe_dir: Path) -> dict:
    """subprocess.run arguments under which file modes are enforced, checked on a read-only `probe_dir`.

    Not root: nothing. Root: drop CAP_DAC_OVERRIDE, or else run as nobody/nogroup, whichever can both
    run the venv's interpreter and is refused a write in probe_dir. Fails (never skips) when neither can.
    """
    if os.geteuid() != 0:
        return {}
    probe = probe_dir / ".probe"
    check = [sys.executable, "-c", PROBE, str(probe)]
    tried = []
    for kwargs in ({"preexec_fn": _drop_dac_caps}, {"user": "nobody", "group": "nogroup", "extra_groups": []}):
        try:
            done = subprocess.run(check, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, **kwargs)
        except (OSError, subprocess.SubprocessError) as exc:  # e.g. no such user, or prctl refused
            tried.append(f"{kwargs}: {exc}")
            continue
        probe.unlink(missing_ok=True)
        if done.stdout.strip() == "denied":
            return kwargs
        tried.append(f"{kwargs}: rc={done.returncode} {done.stdout.strip()} {done.stderr[-300:]}")
    pytest.fail("no way to run a child that obeys file modes: " + " | ".join(tried))


def read_only(folder: Path) -> None:
    """Everyone may read and enter folder and everything under it; nobody may write."""
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        extra = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH if path.is_dir() else 0
        path.chmod((mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | extra) & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder any user can enter (pytest's tmp_path sits under a root-only folder)."""
    root = Path(tempfile.mkdtemp(prefix="guideqa-ro-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        for path in [root, *root.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
        shutil.rmtree(root)


@pytest.mark.slow
def test_a_read_only_data_dir_is_a_clear_error_and_nothing_is_written(shared_tmp: Path):
    corpus = shared_tmp / "corpus"
    write_corpus(corpus)
    data = shared_tmp / "data"
    report = ingest([corpus], make_settings(data, embedding={"batch_size": 4, "threads": 1}))
    assert not report.errors and report.chunks_total > 0
    read_only(shared_tmp)
    before = snapshot(data)
    as_user = unprivileged(data)

    def refused(args: list[str], data_dir: Path, expect: Callable[[str], bool]) -> str:
        result = run(args, data_dir, **as_user)
        assert result.returncode != 0, result.stdout
        message = error_paragraph(result)
        assert str(data_dir) in message and expect(message), message
        return message

    def says_read_only(message: str) -> bool:
        return "permission denied" in message or "read-only" in message

    refused(["ingest", str(corpus)], data, says_read_only)
    refused(["ingest", str(corpus), "--reset"], data, says_read_only)
    refused(["ask", QUESTION, "--session", "s1"], data, says_read_only)  # the session database cannot be created
    refused(["ingest", str(corpus)], shared_tmp / "new-data", says_read_only)  # a data dir that cannot even be created

    # answering needs no new files, but the embedded Chroma store opens its database for writing:
    # either it answers from the index, or it says clearly why it cannot
    asked = run(["ask", QUESTION, "--json"], data, **as_user)
    if asked.returncode == 0:
        assert json.loads(asked.stdout)["index_version"] == report.index_version
    else:
        assert json.loads(asked.stdout)["error"]["code"] == "storage_error"
        message = error_paragraph(asked)
        assert str(data) in message and says_read_only(message), message

    assert snapshot(data) == before  # the failed commands wrote nothing
    assert not (shared_tmp / "new-data").exists()
