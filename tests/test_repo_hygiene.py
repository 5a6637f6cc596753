"""What the repository must never hold: secrets, and third-party text copied verbatim."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import PROJECT_ROOT, SHARED

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "OpenAI-style key": re.compile(r"\bsk-[A-Za-z0-9_-]{32,}\b"),
    "Hugging Face token": re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"),
    # guideqa API keys: only the test-only keys (sk_test_…, pk_test_…) may appear in the repository
    "guideqa key": re.compile(r"\b[sp]k_(?!test_)[A-Za-z0-9_]{24,}\b"),
}


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def text_of(name: str) -> str | None:
    data = (PROJECT_ROOT / name).read_bytes()
    if b"\0" in data[:4096]:
        return None
    return data.decode("utf-8", errors="replace")


def test_no_secrets_in_tracked_files():
    found = []
    for name in tracked_files():
        text = text_of(name)
        if text is None:
            continue
        found += [f"{name}: {kind}" for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)]
    assert not found, found


def test_no_env_files_or_data_dirs_tracked():
    names = tracked_files()
    assert not [n for n in names if re.search(r"(^|/)\.env(\.|$)|(^|/)\.guideqa/|\.sqlite3?$|(^|/)chroma\.sqlite3$", n)]


def test_secret_scan_catches_a_planted_key():
    planted = "GUIDEQA_SERVER__KEYS=sk_live_" + "x" * 30
    assert SECRET_PATTERNS["guideqa key"].search(planted)
    assert not SECRET_PATTERNS["guideqa key"].search("sk_test_alpha_" + "a" * 30)


def _windows(text: str, size: int) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + size]) for i in range(0, max(0, len(words) - size + 1))}


@pytest.mark.parametrize("third_party", ["seed/ivig-hypogammaglobulinemia.txt", "facts/immunoglobulin-dosing.md"])
def test_corpus_is_written_in_our_own_words(third_party):
    """No run of 25 words of the shared seed page or facts file appears in the corpus (facts and numbers may)."""
    source = SHARED / third_party
    assert source.exists(), "../shared must sit beside the checkout"
    theirs = _windows(source.read_text(encoding="utf-8"), 25)
    copied = []
    for path in sorted((PROJECT_ROOT / "corpus").rglob("*")):
        if path.is_file() and path.suffix in (".md", ".txt", ".yaml"):
            overlap = _windows(path.read_text(encoding="utf-8"), 25) & theirs
            if overlap:
                copied.append(f"{path.name}: {next(iter(overlap))!r}")
    assert not copied, copied
