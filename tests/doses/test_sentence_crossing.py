"""A passage whose line breaks the sentence splitter takes for sentence ends inside an amount ("0.6 \\nto 0.8 g/kg/day",
"1.5-\\n5 mL/kg/hr", as PDF text comes out) is still read as a source: the check gives verdicts, it does not fail."""

from __future__ import annotations

import pytest

from assistant.doses.policy import check_report

# Line breaks where a PDF's text layout put them: inside a range, after its hyphen.
SOURCES = ["For patients with stage 3 and 4 CKD, we suggest a protein diet of 0.6 \nto 0.8 g/kg/day as it may slow the "
           "decline of kidney function.",
           "Prehydration line (3 mL/kg over one hour followed by 1.5-\n5 mL/kg/hr over four hours guided by volume status)."]


@pytest.mark.parametrize("text", [
    "In stage 3-4 CKD a protein intake of 0.6-0.8 g/kg/day is suggested.",
    "Give saline 3 mL/kg over one hour, then 1.5-5 mL/kg/h for four hours.",
])
def test_an_amount_split_across_a_line_break_in_the_source_is_checked(corpus_book, text):
    report = check_report(text, corpus_book, sources=SOURCES)
    assert report.findings, "the amounts of the statement are judged"
