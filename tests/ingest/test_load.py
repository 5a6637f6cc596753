"""Each loader on tiny real files, and bad input that must give a clear error naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from assistant.errors import IngestError
from ingest.load import discover, load_file
from tests.conftest import SHARED

DOCS = Path(__file__).parent.parent / "data" / "docs"
VADOD_PDF = SHARED / "corpora" / "vadod" / "VADoDHypertensionCPG508Corrected792020.pdf"


def one(path: Path):
    docs = list(load_file(path))
    assert len(docs) == 1
    return docs[0]


def pdf_excerpt(tmp_path: Path, pages: range, password: str | None = None) -> Path:
    """A few pages of a real VA/DoD guideline, written as a new PDF."""
    reader = PdfReader(str(VADOD_PDF))
    writer = PdfWriter()
    for i in pages:
        writer.add_page(reader.pages[i])
    if password:
        writer.encrypt(password)
    out = tmp_path / ("locked.pdf" if password else "excerpt.pdf")
    with out.open("wb") as handle:
        writer.write(handle)
    return out


def test_markdown_front_matter_is_validated_and_kept():
    doc = one(DOCS / "scig-basics.md")
    assert doc.doc_id == "scig-basics"
    assert doc.meta["issuer"] == "guideqa test suite"
    assert doc.layout == "markdown"
    assert "## Dosing" in doc.text and "---" not in doc.text.splitlines()[0]


def test_plain_text_and_html(tmp_path):
    txt = one(DOCS / "plain-note.txt")
    assert txt.title == "Hand hygiene note" and txt.layout == "plain"
    html = one(DOCS / "page.html")
    assert html.title == "Infusion chair checklist"
    assert "# Infusion chair checklist" in html.text and "- Record baseline vital signs." in html.text
    assert "do not index" not in html.text  # scripts are not text


def test_pdf_keeps_pages_and_drops_running_headers(tmp_path):
    doc = one(pdf_excerpt(tmp_path, range(5, 12)))
    assert doc.layout == "plain" and len(doc.page_starts) == 7
    assert "Page 6 of 134" not in doc.text
    assert doc.page_at(0) == 1 and doc.page_at(len(doc.text) - 1) == 7
    assert "Evidence-Based Practice Work" in doc.text


def test_beir_corpus_rows(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps({"_id": "d1", "title": "T", "text": "Alpha."}) + "\n" + json.dumps({"_id": "d2", "text": "Beta."}) + "\n")
    docs = list(load_file(path))
    assert [d.doc_id for d in docs] == ["d1", "d2"] and docs[0].layout == "passage"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"   \n", "file is empty"),
        ("latin1.txt", "Dosis f\u00fcr Kinder".encode("latin-1"), "not UTF-8"),
        ("badyaml.md", b"---\nid: [unclosed\n---\n# T\ntext\n", "front matter is not valid YAML"),
        ("badmeta.md", b"---\nid: Bad Id!\ntitle: x\n---\n# T\ntext\n", "bad front matter"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("corpus.jsonl", b'{"_id": "a", "text": "ok"}\nnot json\n', "line 2"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_files_name_the_file_and_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        list(load_file(path))
    assert info.value.path == str(path)
    assert reason in info.value.reason


def test_encrypted_pdf_is_refused_clearly(tmp_path):
    with pytest.raises(IngestError, match="encrypted"):
        list(load_file(pdf_excerpt(tmp_path, range(0, 2), password="s3cret")))


def test_discover_skips_rules_readmes_and_non_corpus_jsonl(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.md").write_text("# rules")
    (tmp_path / "README.md").write_text("# readme")
    (tmp_path / "queries.jsonl").write_text("{}")
    (tmp_path / "a.md").write_text("# A\ntext")
    assert [p.name for p in discover([tmp_path])] == ["a.md"]
    with pytest.raises(IngestError, match="no such file"):
        discover([tmp_path / "missing"])
