"""Guideline PDFs as structure: outline headings, recommendations with strength and status, table rows,
chunk kinds, metadata, and clean text -- on a real VA/DoD guideline and on tiny generated PDFs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.settings import ChunkSettings
from ingest.chunk import chunk_document, strip_refs
from ingest.load import load_file
from ingest.normalize import compounds, join_line_hyphens, normalize_chars, vocabulary
from ingest.store import chunk_metadata
from ingest.structure import KINDS, find_recommendations, section_kind
from ingest.tables import row_statement
from tests.conftest import SHARED
from tests.ingest.pdfgen import make_pdf

CKD_PDF = SHARED / "corpora" / "vadod" / "VADoDCKDCPGFinal5082142020.pdf"
ANSWERABLE = {"text", "recommendation", "table_row"}


@pytest.fixture(scope="module")
def ckd():
    if not CKD_PDF.exists():
        pytest.skip("../shared/corpora/vadod is not beside the checkout")
    doc = next(load_file(CKD_PDF))
    return doc, chunk_document(doc, ChunkSettings())


def _outline_titles(path: Path) -> list[tuple[int, str]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [(b.get_dest().get_index(), " ".join(b.get_title().split())) for b in pdf.get_toc()]
    finally:
        pdf.close()


def test_headings_come_from_the_outline_at_their_pages(ckd):
    doc, chunks = ckd
    outline = _outline_titles(CKD_PDF)
    titles = {t for _, t in outline}
    assert len(doc.headings) >= 80
    for heading in doc.headings:
        assert heading.title in titles or heading.title.endswith("…")
    # every heading in a chunk's path is a bookmark (or the document title), never a sentence of the text
    for chunk in chunks:
        for title in chunk.heading_path:
            assert title == doc.title or title in titles or title.endswith("…"), (chunk.page, title)
    # appendices carry their own heading, not the last chapter's
    by_page = {c.page: c for c in chunks if c.kind != "recommendation"}
    assert by_page[107].heading_path[0] == "Appendix D: 2014 Recommendation Categorization Table"
    assert by_page[113].heading_path[0] == "Appendix F: Literature Review Search Terms and Strategy"
    assert by_page[134].heading_path[0].startswith("Appendix K")
    # the heading's own text opens the section on its page
    intro = next(h for h in doc.headings if h.title == "I. Introduction")
    assert doc.text[intro.start : intro.end] == "I. Introduction" and doc.page_at(intro.start) == intro.page == 6


def test_page_and_span_of_every_chunk_are_exact(ckd):
    doc, chunks = ckd
    for chunk in chunks:
        assert chunk.page == doc.page_at(chunk.start)
        source = " ".join(doc.text[chunk.start : chunk.end].split())
        first = " ".join(chunk.text.split()[:3]).lstrip("- ")
        if chunk.kind in {"text", "bibliography", "search_strategy", "front_matter", "toc"}:
            assert first.split()[0] in source, (chunk.chunk_id, first, source[:80])


def test_recommendations_are_chunks_with_strength_status_and_number(ckd):
    doc, chunks = ckd
    recs = [c for c in chunks if c.kind == "recommendation"]
    for form in ("table", "body"):  # the summary table and the statement in its section: 35 each
        numbers = {int(c.info["rec_number"]) for c in recs if c.info["rec_form"] == form}
        assert numbers == set(range(1, 36)), form
    two = next(c for c in recs if c.info["rec_number"] == "2" and c.info["rec_form"] == "body")
    assert two.text.startswith("When screening or stratifying risk for chronic kidney disease, we recommend")
    assert two.info["strength"] == "Strong for" == two.grade and two.info["status"] == "reviewed, new-added"
    assert two.heading_path[-1] == "A. Diagnosis Assessment and Lab Monitoring"
    fourteen = next(c for c in recs if c.info["rec_number"] == "14" and c.info["rec_form"] == "table")
    assert fourteen.info["status"] == "not reviewed, not changed" and fourteen.info["strength"] == "Weak for"
    assert "Nutrition" in fourteen.info.get("topic", "")
    strengths = Counter(c.info["strength"] for c in recs)
    assert set(strengths) <= {"Strong for", "Weak for", "Weak against", "Strong against", "Neither for nor against"}
    for rec in recs:  # one recommendation per chunk: no other statement's number or strength inside
        assert not re.search(r"\((?:Strong|Weak|Neither)[^|)]*\|", rec.text)
        assert not re.search(r"(?:^|\s)\d{1,2}\.\s+(?:We|In|For|There)\s", rec.text), rec.text


def test_rows_of_the_earlier_version_are_superseded(ckd):
    _, chunks = ckd
    appendix = [c for c in chunks if c.heading_path[0].startswith("Appendix D")]
    assert appendix and all(c.kind == "superseded" for c in appendix)
    deleted = [c for c in appendix if "deleted" in c.info.get("status", "")]
    assert len(deleted) >= 5
    theophylline = next(c for c in appendix if "theophylline" in c.text)
    assert theophylline.info["status"] == "not reviewed, deleted" and theophylline.info["strength"] == "Weak against"
    assert "Weak against" not in theophylline.text and "Topic – Theophylline" in theophylline.text


def test_chunk_kinds_keep_debris_out_of_answerable_text(ckd):
    _, chunks = ckd
    kinds = Counter(c.kind for c in chunks)
    assert set(kinds) <= set(KINDS)
    for kind in ("bibliography", "search_strategy", "evidence_table", "superseded", "front_matter", "recommendation", "table_row"):
        assert kinds[kind] > 0, kind
    for chunk in chunks:
        if chunk.heading_path[0] == "References":
            assert chunk.kind == "bibliography"
        if chunk.kind in ANSWERABLE:
            assert "PMID" not in chunk.text and "Set # Concept" not in chunk.text
            assert "\ufffe" not in chunk.text and "\uffff" not in chunk.text
            assert not re.search(r"\[\d+(?:[,\u2013-]\s*\d+)*\]", chunk.text), chunk.text
    small_text = [c for c in chunks if c.kind == "text" and len(c.text) < 100]
    assert len(small_text) <= 3


def test_reference_markers_move_to_metadata(ckd):
    _, chunks = ckd
    with_refs = [c for c in chunks if c.kind == "text" and "refs" in c.info]
    assert len(with_refs) > 50
    assert all(re.fullmatch(r"\d+(,\d+)*", c.info["refs"]) for c in with_refs)


def test_table_rows_are_one_readable_statement_each(ckd):
    _, chunks = ckd
    rows = [c for c in chunks if c.kind == "table_row"]
    assert len(rows) >= 20
    gout = next(c for c in rows if c.text.startswith("Agents for gout"))
    assert gout.text == "Agents for gout: Allopurinol, colchicine" and gout.heading_path[0].startswith("Appendix K")
    anticonvulsants = [c for c in rows if c.text.startswith("Anticonvulsants")]
    assert len(anticonvulsants) == 1 and "Allopurinol" not in anticonvulsants[0].text
    assert all(c.info.get("table") and c.info.get("row") for c in rows)


def test_metadata_from_the_pdf_and_chroma_safe_values(ckd):
    doc, chunks = ckd
    assert doc.meta["issuer"] == "VA/DoD" and doc.meta["year"] == 2019 and doc.meta["version"] == "4.0"
    assert "Chronic Kidney Disease" in doc.title
    for chunk in chunks[::25] + [c for c in chunks if c.kind == "recommendation"][:3]:
        meta = chunk_metadata(doc, chunk)
        assert all(isinstance(v, (str, int, float, bool)) for v in meta.values()), meta
        assert meta["kind"] == chunk.kind and meta["issuer"] == "VA/DoD" and meta["year"] == 2019
        if chunk.kind == "recommendation":
            assert meta["grade"] == meta["strength"] and meta["rec_number"] and "status" in meta


# ------------------------------------------------------------------------------------- generated PDFs

def _guideline(tmp_path: Path, outline: bool = True) -> Path:
    pages = [
        ["Department of Veterans Affairs Department of Defense", "VA/DoD GUIDELINE FOR TESTING", "Version 2.0 - 2021"],
        ["I. Introduction", "This guideline covers testing [12]. It has two parts.[3,4]",
         "1. We recommend this sentence never becomes a heading"],
        ["II. Recommendations", "Recommendation",
         "1. We recommend offering the first treatment to adults with the condition.",
         "(Strong for | Reviewed, New-added)", "Discussion", "The evidence for the first treatment is moderate and consistent.",
         "Recommendation", "2. We suggest against the second treatment for adults with the condition.",
         "(Weak against | Not reviewed, Amended)"],
        ["Appendix A: 2015 Recommendation Categorization Table", "1 12", "Topic - Old topic",
         "Recommendation - We suggest an old treatment that was later removed from the guideline.",
         "Weak for Not reviewed, Deleted --"],
        ["References", "1. Smith J, Doe A. A trial of testing. J Test. 2019;1(2):3-4. PubMed PMID: 123456."],
    ]
    marks = [("I. Introduction", 1, 0), ("II. Recommendations", 2, 0), ("Appendix A: 2015 Recommendation Categorization Table", 3, 0),
             ("References", 4, 0)] if outline else []
    return make_pdf(tmp_path / "VADoDTestCPG.pdf", pages, marks, {"Title": "VA/DoD Test Guideline", "CreationDate": "D:20210304"})


def test_generated_pdf_outline_recommendations_and_kinds(tmp_path):
    doc = next(load_file(_guideline(tmp_path)))
    assert doc.title == "VA/DoD Test Guideline" and doc.meta["issuer"] == "VA/DoD" and doc.meta["year"] == 2021
    chunks = chunk_document(doc, ChunkSettings())
    paths = {c.heading_path[0] for c in chunks}
    assert "1. We recommend this sentence never becomes a heading" not in paths
    intro = next(c for c in chunks if c.heading_path == ("I. Introduction",))
    assert intro.kind == "text" and "[12]" not in intro.text and intro.info["refs"] == "12,3,4"
    recs = [c for c in chunks if c.kind == "recommendation"]
    assert [(c.info["rec_number"], c.grade, c.info["status"]) for c in recs] == [
        ("1", "Strong for", "reviewed, new-added"), ("2", "Weak against", "not reviewed, amended")]
    assert recs[0].text == "We recommend offering the first treatment to adults with the condition."
    (old,) = [c for c in chunks if c.heading_path[0].startswith("Appendix A")]
    assert old.kind == "superseded" and old.info["status"] == "not reviewed, deleted"
    assert [c.kind for c in chunks if c.heading_path == ("References",)] == ["bibliography"]
    assert chunks[0].kind == "front_matter"


def test_generated_pdf_without_outline_falls_back_to_typography(tmp_path):
    doc = next(load_file(_guideline(tmp_path, outline=False)))
    assert doc.headings == () and doc.meta["outline"] is False
    chunks = chunk_document(doc, ChunkSettings())
    assert any(c.heading_path == ("I. Introduction",) for c in chunks)
    assert sum(c.kind == "recommendation" for c in chunks) == 2


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_sidecar_manifest_sets_metadata_and_only_http_urls(tmp_path, fmt):
    pdf = _guideline(tmp_path)
    if fmt == "yaml":
        (tmp_path / "guidelines.yaml").write_text(
            "VADoDTestCPG.pdf:\n  title: Site Testing Guideline\n  issuer: Example Hospital\n  year: 2024\n"
            "  url: https://example.org/testing.pdf\nother.pdf:\n  title: x\n")
    else:
        (tmp_path / "guidelines.csv").write_text("file,title,issuer,year,url\nVADoDTestCPG.pdf,Site Testing Guideline,Example Hospital,2024,javascript:alert(1)\n")
    doc = next(load_file(pdf))
    assert doc.title == "Site Testing Guideline" and doc.meta["issuer"] == "Example Hospital" and doc.meta["year"] == 2024
    assert doc.meta.get("url") == ("https://example.org/testing.pdf" if fmt == "yaml" else None)
    meta = chunk_metadata(doc, chunk_document(doc, ChunkSettings())[0])
    assert meta["issuer"] == "Example Hospital" and meta["year"] == 2024 and meta["title"] == "Site Testing Guideline"


# ------------------------------------------------------------------------------------------ units

def test_line_break_hyphens_and_non_characters():
    text = "renal\ufffereplacement self-management self\ufffemanagement inter\ufffevention intervention soft\u00adhyphen dose\uffff 2.5 mg"
    text = normalize_chars(text)
    fixed = join_line_hyphens(text, vocabulary(text), compounds(text))
    assert fixed == "renal-replacement self-management self-management intervention intervention softhyphen dose 2.5 mg"
    assert normalize_chars("\uf0b7 item") == "• item"


def test_strip_refs_keeps_numbers_that_are_not_markers():
    text, refs = strip_refs("Give 12.5 mg daily [9,10] in adults.[44-46] eGFR <60 mL/min/1.73 m² [3]")
    assert text == "Give 12.5 mg daily in adults. eGFR <60 mL/min/1.73 m²" and refs == ["9", "10", "44", "45", "46", "3"]


def test_recommendation_table_rows_do_not_borrow_the_next_rows_strength():
    text = ("Topic\nSub-topic # Recommendation Strength Category\nScreening\n1.\nWe suggest screening adults for the\ncondition.\n"
            "Weak for Reviewed,\nNew-added\n2.\nThere is insufficient evidence to recommend for or against\nscreening children.\n"
            "Neither for\nnor against\nNot reviewed,\nNot changed\n")
    recs = find_recommendations(text)
    assert [(r.number, r.text, r.strength, r.status) for r in recs] == [
        ("1", "We suggest screening adults for the condition.", "Weak for", "reviewed, new-added"),
        ("2", "There is insufficient evidence to recommend for or against screening children.", "Neither for nor against",
         "not reviewed, not changed"),
    ]


def test_section_kinds_from_headings():
    assert section_kind(("References",)) == "bibliography"
    assert section_kind(("Appendix F: Literature Review Search Terms and Strategy", "A. Embase.com syntax")) == "search_strategy"
    assert section_kind(("Appendix C: Evidence Table",)) == "evidence_table"
    assert section_kind(("Appendix D: 2014 Recommendation Categorization Table",)) == "superseded"
    assert section_kind(("Appendix E: Participant List",)) == "front_matter"
    assert section_kind(("VI. Recommendations", "A. Screening")) == "text"


def test_row_statement_names_columns():
    assert row_statement(("Drug", "Initial Dose", "Maximum Dose"), ("Chlorthalidone", "12.5-25 mg daily", "25-50 mg daily")) == (
        "Chlorthalidone: initial dose 12.5-25 mg daily; maximum dose 25-50 mg daily")
    assert row_statement(("Category", "Medications"), ("Agents for gout", "• Allopurinol, colchicine")) == "Agents for gout: Allopurinol, colchicine"


def test_rows_stacked_in_one_ruled_cell_become_one_statement_each():
    from ingest.tables import _parse

    raw = [["Type", "Drug", "Usual Dose Range", "Comments"],
           ["Thiazide-type Diuretics", "Chlorthalidone\nHCTZ\nIndapamide", "12.5-25 mg daily\n25-50 mg daily\nIR: 2.5 mg daily",
            "• May cause gout\n• Monitor K+ levels"],
           ["ACE inhibitors", "Benazepril\nEnalapril", "10-40 mg/day (daily or\ndivided bid)\n5-40 mg/day (daily or\ndivided bid)", "• Avoid in pregnancy"]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    statements = [row_statement(table.header, row) for row in table.rows]
    assert statements == [
        "Chlorthalidone (Thiazide-type Diuretics): usual dose range 12.5-25 mg daily; comments: May cause gout, Monitor K+ levels",
        "HCTZ (Thiazide-type Diuretics): usual dose range 25-50 mg daily; comments: May cause gout, Monitor K+ levels",
        "Indapamide (Thiazide-type Diuretics): usual dose range: IR: 2.5 mg daily; comments: May cause gout, Monitor K+ levels",
        "Benazepril (ACE inhibitors): usual dose range 10-40 mg/day (daily or divided bid); comments Avoid in pregnancy",
        "Enalapril (ACE inhibitors): usual dose range 5-40 mg/day (daily or divided bid); comments Avoid in pregnancy",
    ]


def test_new_chunk_fields_reach_chroma_and_bm25(tmp_path):
    from assistant.index import Index, read_manifest
    from ingest.run import ingest
    from tests.conftest import make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _guideline(corpus)
    (corpus / "guidelines.yaml").write_text("VADoDTestCPG.pdf:\n  url: https://example.org/test.pdf\n")
    settings = make_settings(tmp_path / "data")
    report = ingest([corpus], settings)
    assert not report.errors and report.chunks_total > 0
    ids = read_manifest(settings.index_dir()).chunk_ids()
    stored = Index(settings).get(ids)
    metas = [meta for _, meta in stored.values()]
    kinds = Counter(meta["kind"] for meta in metas)
    assert kinds["recommendation"] == 2 and kinds["superseded"] == 1 and kinds["bibliography"] == 1 and kinds["front_matter"] == 1
    rec = next(meta for text, meta in stored.values() if meta["kind"] == "recommendation" and meta["rec_number"] == "1")
    assert rec["strength"] == rec["grade"] == "Strong for" and rec["status"] == "reviewed, new-added"
    assert rec["issuer"] == "VA/DoD" and rec["year"] == 2021 and rec["url"] == "https://example.org/test.pdf" and rec["page"] == 3
    assert any(meta.get("refs") == "12,3,4" for meta in metas)


def test_fast_table_engine_reads_the_same_rows_as_pdfplumber():
    from ingest.tables import extract_tables

    if not CKD_PDF.exists():
        pytest.skip("../shared/corpora/vadod is not beside the checkout")
    pages = [133, 134]  # Appendix K: nephrotoxic medications by category
    fast, slow = extract_tables(CKD_PDF, pages), extract_tables(CKD_PDF, pages, engine="pdfplumber")
    for page in pages:
        assert [t.header for t in fast[page]] == [t.header for t in slow[page]]
        assert [row_statement(t.header, r) for t in fast[page] for r in t.rows] == [
            row_statement(t.header, r) for t in slow[page] for r in t.rows]


def _cell(lines: list[str], first: float, step: float = 13.0):
    from ingest.tables import Cell

    return Cell("\n".join(lines), [first + step * k for k in range(len(lines))])


def test_a_cell_of_several_drugs_is_split_by_where_its_lines_stand():
    """Drug names as bullets under a class label; a value that takes two lines stays with its drug; a long shared
    comment column is said once for the group rather than glued to every drug."""
    from ingest.tables import _parse

    names = _cell(["Antidepressants", "Monotherapy", "\uf0a1 Fluoxetine*", "\uf0a1 Venlafaxine*", "\uf0a1 Phenelzine±"], 100)
    initial = _cell(["10-20 mg daily", "IR: 25 mg 2 or 3 times a day", "XR: 37.5 mg once daily", "15 mg 3 times daily"], 126)
    names.tops = (100.0, 113.0, 126.0, 139.0, 165.0)  # Venlafaxine's value takes two lines
    comments = _cell(["\uf0a1 Avoid abrupt discontinuation; withdrawal symptoms with sudden stops, paroxetine",
                      "and venlafaxine in particular", "\uf0a1 Weight gain, sexual dysfunction and sedation vary by agent",
                      "and should guide the choice"], 100)
    raw = [["Therapeutic Category", "Initial Dose", "Clinical Considerations"], [names, initial, comments]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    statements = [row_statement(table.header, row) for row in table.rows]
    assert statements[:3] == [
        "Fluoxetine (Antidepressants Monotherapy): initial dose 10-20 mg daily",
        "Venlafaxine (Antidepressants Monotherapy): initial dose: IR: 25 mg 2 or 3 times a day XR: 37.5 mg once daily",
        "Phenelzine (Antidepressants Monotherapy): initial dose 15 mg 3 times daily",
    ]
    assert len(statements) == 4 and statements[3].startswith("Antidepressants Monotherapy: clinical considerations: Avoid abrupt")


def test_a_product_name_over_two_lines_is_not_split_into_two_rows():
    from ingest.tables import _parse

    raw = [["Product", "Delivery", "Strength", "Dosing"],
           [_cell(["Aclidinium/Formoterol", "Duaklir Pressair"], 100), _cell(["DPI"], 100), _cell(["400/12 mcg"], 100),
            _cell(["1 inhalation twice daily", "(Max: 2 inhalations/day)"], 100)]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert [row_statement(table.header, r) for r in table.rows] == [
        "Aclidinium/Formoterol Duaklir Pressair: delivery DPI; strength 400/12 mcg; dosing: 1 inhalation twice daily (Max: 2 inhalations/day)"]


def test_a_class_label_set_below_its_rows_names_them():
    """A drug class in a cell spanning rows is often read as label-only rows after the drugs it names."""
    from ingest.tables import _parse

    raw = [["", "Drug", "Usual Dose Range", "Comments"],
           ["", "Losartan", "25-100 mg/day", "Monitor K+"],
           ["Angiotensin II", "", "", ""], ["Receptor Blockers", "", "", ""],
           ["", "Amlodipine", "2.5-10 mg daily", "Ankle edema"],
           ["Calcium Channel", "", "", ""], ["Blockers", "", "", ""]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert [row_statement(table.header, r) for r in table.rows] == [
        "Losartan (Angiotensin II Receptor Blockers): usual dose range 25-100 mg/day; comments Monitor K+",
        "Amlodipine (Calcium Channel Blockers): usual dose range 2.5-10 mg daily; comments Ankle edema"]


def test_a_header_over_two_lines_that_fills_the_gaps_of_the_first_is_one_header():
    from ingest.tables import _parse

    raw = [["", "Generic Name", "", "Usual Starting"], ["Type", "", "Brand", "Dose"],
           ["COX-2 Selective", "Celecoxib", "Celebrex", "100 - 200 mg"]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert table.header == ("Type", "Generic Name", "Brand", "Usual Starting Dose")
    assert row_statement(table.header, table.rows[0]) == "Celecoxib (COX-2 Selective): brand Celebrex; usual starting dose 100 - 200 mg"


def test_a_table_with_a_column_per_drug_reads_one_statement_per_drug():
    from ingest.tables import _parse

    raw = [["Topic Area", "Naltrexone Oral", "Acamprosate", "Disulfiram"],
           ["Baseline Evaluation", "• Liver transaminase levels", "• CrCl", "• Liver transaminase levels"],
           ["Dosage and Administration", "• 50 mg orally once daily", "• 666 mg orally three times daily", "• 250 mg orally once daily"]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert [row_statement(table.header, r) for r in table.rows] == [
        "Naltrexone Oral: baseline evaluation Liver transaminase levels; dosage and administration 50 mg orally once daily",
        "Acamprosate: baseline evaluation CrCl; dosage and administration 666 mg orally three times daily",
        "Disulfiram: baseline evaluation Liver transaminase levels; dosage and administration 250 mg orally once daily"]


def test_abbreviation_lists_and_dose_lines_are_not_recommendation_rows():
    from ingest.structure import find_recommendations

    text = ("Fluticasone DPI 50, 100 mcg Once daily\n200\n(12 years) 50 (5-11 years)\nAbbreviations: DPI: dry powder inhaler; "
            "MDI: metered dose inhaler; N/A:\nnot applicable\n")
    assert find_recommendations(text) == []


def test_sections_the_outline_skipped_are_read_from_the_page_headings(tmp_path):
    """An outline that skips "I. Introduction" (its II. present) and "VI. Recommendations" (V. and VII. present) and
    files a table caption as a section: the skipped headings come from the pages, and text after a table stays in
    its section."""
    filler = " It is written for the clinicians of the primary care team and the specialists they refer to."
    pages = [
        ["Table of Contents", "I. Introduction ........................ 2", "V. Algorithm ........................ 3"],
        ["I. Introduction", "This guideline helps clinicians manage the condition." + filler,
         "II. Background", "Background text on how common the condition is." + filler],
        ["V. Algorithm", "Algorithm text shows the steps of care in order." + filler,
         "VI. Recommendations", "A. Treatment", "Table 3. Medication Monotherapy", "Drug Strength", "Sertraline Strong for",
         "Antipsychotics can produce metabolic adverse effects that worsen comorbid conditions." + filler],
        ["VII. Research Priorities", "Further trials are needed in this population." + filler],
    ]
    outline = [("Table of Contents", 0, 0), ("II. Background", 1, 0), ("V. Algorithm", 2, 0), ("A. Treatment", 2, 1),
               ("Table 3. Medication Monotherapy", 2, 1), ("VII. Research Priorities", 3, 0)]
    path = make_pdf(tmp_path / "gaps.pdf", pages, outline)
    doc = next(load_file(path))
    chunks = chunk_document(doc, ChunkSettings())
    path_of = {word: c.heading_path for c in chunks for word in ("This", "Background", "Algorithm", "Antipsychotics", "Further")
               if word in c.text.split()}
    assert path_of["This"] == ("I. Introduction",)
    assert path_of["Background"] == ("II. Background",)
    assert path_of["Algorithm"] == ("V. Algorithm",)
    assert path_of["Antipsychotics"] == ("VI. Recommendations", "A. Treatment")
    assert path_of["Further"] == ("VII. Research Priorities",)
    assert all("Table 3" not in " ".join(c.heading_path) for c in chunks)


def test_rows_of_an_earlier_versions_table_with_letter_grades_are_one_chunk_each():
    from ingest.structure import find_recommendations

    text = ("2.1 1 18 A thorough history should be obtained at the first visit.\nB Reviewed, Deleted\n--\n"
            "2.1 2 18 In children, a birth history must also be obtained.\nNone Not reviewed,\nDeleted\n--\n"
            "2.2 1 19 A chest radiograph should be considered during the initial evaluation.\nC,B Reviewed, New-replaced\n6\n")
    rows = find_recommendations(text, letter_grades=True)
    assert [(r.strength, r.status, r.replaced_by) for r in rows] == [
        ("Grade B", "reviewed, deleted", None), ("None", "not reviewed, deleted", None), ("Grade C,B", "reviewed, new-replaced", "6")]
    assert rows[1].text.startswith("2.1 2 18 In children") and rows[1].text.endswith("must also be obtained.")
    assert find_recommendations(text) == []  # letter grades count only in an earlier version's table


def test_a_drug_name_centred_below_its_values_names_that_row_not_the_next():
    """Header over two lines ("Agent" under an empty cell); each drug name stands on a row of its own below its values."""
    from ingest.tables import _parse

    raw = [["", "Dosage in Adults", "Symptom", "Comments"],
           ["Agent", "", "Efficacy", ""],
           ["", "• 10 – 20 mg/d", "Global", "• Improved symptoms"],
           ["Escitalopram†‡", "", "", ""],
           ["", "", "", ""],
           ["", "• 10 – 80 mg/d", "Pain", "• Take in the morning"],
           ["Fluoxetine†", "", "", ""]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert table.header == ("Agent", "Dosage in Adults", "Symptom Efficacy", "Comments")
    assert [row_statement(table.header, r) for r in table.rows] == [
        "Escitalopram: dosage in adults 10 – 20 mg/d; symptom efficacy Global; comments Improved symptoms",
        "Fluoxetine: dosage in adults 10 – 80 mg/d; symptom efficacy Pain; comments Take in the morning"]


def test_a_list_of_names_under_a_header_is_rows_not_more_header():
    from ingest.tables import _parse

    raw = [["Organization", "", "Names"],
           ["Department of Veterans Affairs", "", "Lisa Brenner, PhD"],
           ["", "", "Nazanin Bahraini, PhD"], ["", "", "Steven Dobscha, MD"], ["", "", "Tammy Hopman, LCSW"],
           ["Department of Defense", "", "Larry Pruitt, PhD"]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert table.header == ("Organization", "Names")
    assert [row_statement(table.header, r) for r in table.rows][-2:] == [
        "Department of Veterans Affairs: Tammy Hopman, LCSW", "Department of Defense: Larry Pruitt, PhD"]


def test_a_short_evidence_table_row_is_not_folded_into_the_row_before():
    from ingest.chunk import _merge_tiny

    drafts = [{"text": "We suggest a written action plan.", "start": 0, "end": 30, "kind": "evidence_table", "path": ("E",),
               "extra": {"rec_form": "table", "rec_number": "8"}},
              {"text": "We suggest education.", "start": 31, "end": 50, "kind": "evidence_table", "path": ("E",),
               "extra": {"rec_form": "table", "rec_number": "9"}},
              {"text": "Short note.", "start": 51, "end": 62, "kind": "evidence_table", "path": ("E",)},
              {"text": "Another note.", "start": 63, "end": 75, "kind": "evidence_table", "path": ("E",)}]
    merged = _merge_tiny(drafts, ChunkSettings())
    assert [d["text"] for d in merged] == ["We suggest a written action plan.", "We suggest education.", "Short note.\nAnother note."]


def test_earlier_version_rows_whose_grade_ends_a_text_line_or_sits_mid_line_are_split():
    from ingest.structure import find_recommendations

    text = ("15 1 105 Recommend all patients receive ADL training A Not reviewed,\nDeleted\n--\n"
            "15 2 105 Recommend IADL training in areas of need. C Not reviewed, Deleted -- 15 3 105 Recommend a tailored "
            "training program.\nI Not reviewed,\nDeleted\n--\n")
    rows = find_recommendations(text, letter_grades=True)
    assert [(r.text, r.strength) for r in rows] == [
        ("15 1 105 Recommend all patients receive ADL training", "Grade A"),
        ("15 2 105 Recommend IADL training in areas of need.", "Grade C"),
        ("15 3 105 Recommend a tailored training program.", "Grade I")]


def test_a_header_whose_words_wrap_under_their_own_cells_is_one_header_line():
    from ingest.tables import _parse

    raw = [["Topic", "Methadone", "Buprenorphine/Naloxone or"], ["Area", "", "Buprenorphine"],
           ["Dosage and Administration", "• Initial dose: 20 – 30 mg", "• Maintenance: 16 mg daily"]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert [row_statement(table.header, r) for r in table.rows] == [
        "Methadone: Initial dose: 20 – 30 mg",  # one attribute: its name adds nothing
        "Buprenorphine/Naloxone or Buprenorphine: Maintenance: 16 mg daily"]


def test_a_header_line_naming_an_amount_stays_in_the_header_and_rows_keep_their_amount():
    """A header whose cell goes on ("Equal to" / "drug X 5 mg or" / "drug Y 20 mg"): its lines are header lines even
    with numbers, so each row is one drug with its own amount (not the drug and its amount as two rows)."""
    from ingest.tables import _parse

    raw = [["Drug", "", "Equal to", "Peak (h)"],
           ["", "", "Drugzepam 5 mg or", ""],
           ["", "Drug", "Barbitone 20 mga", ""],
           ["", "Alphazolam", "0.5 mg", "1 – 2"],
           ["", "Betazolam", "12 mg", "2 – 3"]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert [row_statement(table.header, r) for r in table.rows] == [
        "Alphazolam: equal to drugzepam 5 mg or barbitone 20 mg: 0.5 mg; peak (h) 1 – 2",
        "Betazolam: equal to drugzepam 5 mg or barbitone 20 mg: 12 mg; peak (h) 2 – 3"]


def test_numbered_rows_under_a_complete_header_are_rows_not_header_lines():
    from ingest.tables import _parse

    raw = [["", "Food", "Goal"], ["", "Olive oil", ">=3 tbsp a day"], ["Eat", "Nuts", ">=2 servings a week"],
           ["", "Fish", ">=2 a week"]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert table.header == ("", "Food", "Goal")
    assert [row_statement(table.header, r) for r in table.rows][:2] == ["food Olive oil; goal >=3 tbsp a day",
                                                                        "Eat: food Nuts; goal >=2 servings a week"]


def test_a_subject_with_its_strength_on_a_line_of_its_own_is_one_subject_beside_each_age_group():
    from ingest.tables import _parse

    raw = [["Inhaler", "Interval", "Ages", "Low Dose"],
           ["Steroidone MDI\n(BRANDAIR)\n50, 100 mcg", "Twice daily", ">=12 years\n5-11 years", "100-200\n50-100"]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert [row_statement(table.header, r) for r in table.rows] == [
        "Steroidone MDI (BRANDAIR) 50, 100 mcg: interval Twice daily; ages >=12 years; low dose 100-200",
        "Steroidone MDI (BRANDAIR) 50, 100 mcg: interval Twice daily; ages 5-11 years; low dose 50-100"]


def test_rows_whose_cells_start_a_grid_column_off_are_read_under_their_header():
    """The grid cuts a column where some rows' cells start a few points left of the header's: neighbouring columns no
    row fills both of are one column. A name alone on a row between its values (a cell spanning rows) keeps its column."""
    from ingest.tables import _parse

    raw = [["", "Class", "", "", "Generic", "", "Start"],
           ["Relaxants", "", "", "Drugofen", "", "5 mg TID", ""],
           ["", "", "", "Drugamine", "", "10 mg BID", ""],
           ["Pain relief", "", "", "", "Drugprofen", "", "400 mg q6h"]]
    table = _parse(0, (0, 0, 100, 100), raw, {})
    assert [row_statement(table.header, r) for r in table.rows] == [
        "Relaxants: generic Drugofen; start 5 mg TID", "Relaxants: generic Drugamine; start 10 mg BID",
        "Pain relief: generic Drugprofen; start 400 mg q6h"]
    spanned = [["", "Dosage", "Effects"], ["Agent", "", ""], ["", "10 mg daily", "Nausea"], ["Drugalopram", "", ""]]
    table = _parse(0, (0, 0, 100, 100), spanned, {})
    assert table.header[:2] == ("Agent", "Dosage")


def test_key_questions_and_the_review_methods_are_no_answer(ckd):
    """The key questions (PICOTS) and the evidence review are how the guideline was made: searchable, never advice."""
    from ingest.structure import text_kind

    _, chunks = ckd
    planned = [c for c in chunks if any(re.search(r"Key Questions?|Review Methodology|Grading Recommendations", h)
                                        for h in c.heading_path)]
    assert planned and all(c.kind not in ANSWERABLE for c in planned)
    assert not [c for c in chunks if c.kind in ANSWERABLE and len(re.findall(r"\bKey Question \d", c.text)) >= 2]
    assert section_kind(("Appendix A: Evidence Review Methodology", "A. Developing the Scope and Key Questions",
                         "b. Interventions")) == "methodology"
    assert section_kind(("III. About this Clinical Practice Guideline", "A. Methods")) == "methodology"
    assert section_kind(("III. About this Clinical Practice Guideline", "D. Scope of this Clinical Practice Guideline")) == "text"
    assert section_kind(("VII. Research Priorities",)) == "research"
    assert text_kind("- Key Question 1 Tests - Spirometry - Key Question 2 Tests - Chest x-ray") == "methodology"
    assert "methodology" in KINDS and "research" in KINDS


def test_an_abbreviation_list_is_front_matter_and_reads_as_a_glossary(ckd):
    from assistant.vocabulary import glossary

    _, chunks = ckd
    listed = [c for c in chunks if re.search(r"(?i)abbreviation|acronym", c.heading_path[-1])]
    assert listed and all(c.kind == "front_matter" for c in listed)
    entries = {long: short for c in listed for long, short in glossary(c.text).items()}
    assert entries.get("chronic kidney disease") == "CKD"
    assert section_kind(("Appendix I: Acronym List",)) == "front_matter"
