"""PDF text repair: noise removed, broken words joined, numbers never changed."""

from __future__ import annotations

import re

from ingest.normalize import clean_pdf_pages, digits, repair_words, vocabulary


def test_split_words_and_units_are_joined_when_the_document_knows_the_word():
    vocab = vocabulary("dietary intake shape of the curve")
    assert repair_words("daily intak e of 2300 m g", vocab) == "daily intake of 2300 mg"
    assert repair_words("the shap e of it", vocab) == "the shape of it"
    # an unknown join stays as it was: better a gap than an invented word
    assert repair_words("plan b is fine", vocab) == "plan b is fine"


def test_hyphenated_line_breaks():
    vocab = vocabulary("intervention")
    assert repair_words("nurse-led inter-\nvention", vocab) == "nurse-led intervention"
    assert repair_words("long-term follow-\nup visits", vocab) == "long-term follow-up visits"


def test_running_headers_and_footers_go_numbers_stay():
    pages = [
        f"VA/DoD Clinical Practice Guideline for Testing\nMarch 2020 Page {i} of 9\nBody line {i} with 0.4 mg/kg and 12 patients.\n{i}"
        for i in range(1, 10)
    ]
    cleaned = clean_pdf_pages(pages)
    for i, page in enumerate(cleaned, start=1):
        assert "Clinical Practice Guideline for Testing" not in page
        assert "Page" not in page
        assert f"Body line {i} with 0.4 mg/kg and 12 patients." in page


def test_numbers_inside_a_page_are_never_dropped():
    pages = ["Header X\nTable\n12\n7.5\n40\nend of table\nFooter"] * 5
    cleaned = clean_pdf_pages(pages)
    assert re.findall(r"\d+(?:\.\d+)?", cleaned[0]) == ["12", "7.5", "40"]


def test_a_footnote_letter_glued_to_a_word_is_dropped_when_the_document_writes_the_word():
    from ingest.normalize import strip_footnote_letters

    text = "Sertraline is an SSRI. Start sertraline daily; sertralinea 25 mg. Dosea,b column. The dose was reviewed."
    vocab = vocabulary(text + " dose dose")
    out = strip_footnote_letters(text, vocab)
    assert "sertraline 25 mg" in out and "Dose column" in out
    assert "reviewed" in out and digits(out) == digits(text)  # English words and numbers stay as written


def test_a_word_the_document_does_not_write_without_the_letter_keeps_it():
    from ingest.normalize import strip_footnote_letters

    text = "Saxenda is given daily. Gelsyn once."
    assert strip_footnote_letters(text, vocabulary(text)) == text
