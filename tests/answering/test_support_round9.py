"""Classes of round 9 of the support check (issue #15), with statements and passages written for the test: pdfium's
hyphen at a line break (U+FFFE) read as a hyphen, a share said as a ratio of counts ("seven in ten"), a sibling term
inside a compound ("maltose-containing" against "sucrose"), values written before the names they are of, a claim the
statement adds as a phrase the source says nothing of, a study introduced in the passage's first sentence and its finding
sentences later, a document's acronym whose long form has an initial's period and an apostrophe, and a dosing frequency in
a column-by-column table's cell."""

from __future__ import annotations

from assistant.support_cues import clean, normal
from assistant.support_entities import value_names
from assistant.support_table import block_rows
from tests.answering.support_pairs import assert_pair, check


# ---- U+FFFE: pdfium's hyphen at a line break --------------------------------------------------------------------------
def test_a_line_break_hyphen_is_a_hyphen_unless_it_breaks_a_word():
    assert "daily-bid" in clean("120-480 mg divided daily\ufffebid")
    assert "non-recovering" in clean("patients with non\ufffe\nrecovering field loss")
    assert "treatment" in clean("the treat\ufffement arm")  # "ment" is no word: one word broken in two
    assert "2 times daily" in normal("120-480 mg divided daily\ufffebid")


def test_a_frequency_glued_by_a_line_break_hyphen_is_read():
    passage = "Slow-release verapamil: 120-480 mg divided daily\ufffebid."
    assert_pair(passage, supported="Slow-release verapamil is given at 120-480 mg a day, split bid.",
                unsupported="Slow-release verapamil is given at 120-480 mg a day, split tid.")


def test_a_dosing_frequency_in_a_tables_cell_is_the_rows():
    table = "Blockers\nAmlodipine\nVerapamil\nextended release\n2.5-10 mg daily\n120-480 mg divided daily\ufffebid"
    assert {q.text for q in block_rows("verapamil", table)} == {"120-480 mg", "2 times"}
    assert check("Extended-release verapamil is given at 120-480 mg a day, once daily or split bid.", table).supported


# ---- a share said as a ratio of counts ------------------------------------------------------------------------------
def test_a_ratio_of_counts_is_its_percentage():
    assert "70% patients" in normal("Seven in ten patients had headaches.")
    assert "20% adults" in normal("one out of every five adults")
    assert "1 in 3" in normal("1 in 3 people")  # 33.3...%: left as written
    assert "2 in 10 mL" in normal("2 in 10 mL")  # a count and a volume
    passage = "In the trial of night splints, 70% of patients reported less wrist pain at eight weeks."
    assert_pair(passage, supported="Seven in ten patients given night splints reported less wrist pain at eight weeks.",
                unsupported="Nine in ten patients given night splints reported less wrist pain at eight weeks.")


# ---- a sibling term inside a compound --------------------------------------------------------------------------------
def test_a_sibling_substance_inside_a_compound_is_not_the_sources():
    passage = "- Renal dysfunction after IVIG is more common with products that contain sucrose"
    assert_pair(passage, supported="Renal dysfunction after IVIG is more common with sucrose-containing products.",
                unsupported="Renal dysfunction after IVIG is more common with maltose-containing products.")


# ---- values before the names they are of -------------------------------------------------------------------------------
def test_values_written_before_their_names_are_those_names():
    said = "The extracts were standardised to 0.1-0.3% hypericin or 1-6% hyperforin."
    assert {(q.text, n) for q, n in value_names(said)} >= {("0.1-0.3%", "hypericin"), ("1-6%", "hyperforin")}
    assert {(q.text, n) for q, n in value_names("Citalopram 20 mg Escitalopram 10 mg")} == {("20 mg", "citalopram"),
                                                                                          ("10 mg", "escitalopram")}
    passage = "The extracts studied were standardized to hypericin (0.1 - 0.3%) or hyperforin (1 - 6%)."
    assert_pair(passage, supported=said,
                unsupported="The extracts were standardised to 1-6% hypericin or 0.1-0.3% hyperforin.")


# ---- a claim the statement adds ----------------------------------------------------------------------------------------
def test_a_phrase_the_source_says_nothing_of_is_an_added_claim():
    passage = ("11. We suggest that in the perioperative phase following amputation, patients receive physical "
               "rehabilitation and appropriate durable medical equipment. (Weak for | Reviewed, New-replaced)")
    added = check("VA/DoD suggests that perioperative rehabilitation after amputation include fitting a prosthesis before "
                  "hospital discharge.", passage)
    assert not added.supported and any(r.startswith("adds a claim") for r in added.reasons)
    assert check("VA/DoD suggests physical rehabilitation for patients in the perioperative phase after amputation.",
                 passage).supported


def test_a_hyphenated_compound_and_vague_words_are_no_added_phrase():
    passage = "- Aseptic meningitis usually begins within hours to 2 days after an IVIG infusion"
    assert check("Aseptic meningitis may begin anywhere from a few hours to roughly 48 hours after an IVIG infusion.",
                 passage).supported


# ---- a study introduced first, its finding later -------------------------------------------------------------------------
def test_a_study_named_in_the_first_sentence_and_its_finding_later_support_a_statement_of_both():
    passage = ("A multi-center RCT by Moreno et al. (2019) studied 64 patients with chronic tinnitus. The period was chosen "
               "to capture patients with stable symptoms. Patients with hearing aids were excluded from the trial. "
               "Interventions included eight weeks of sound therapy or counselling. Of note, 40% of patients in the sound "
               "therapy arm reported ear discomfort.")
    assert_pair(passage, supported="Two in five patients given sound therapy in the Moreno trial reported ear discomfort.",
                unsupported="Four in five patients given sound therapy in the Moreno trial reported ear discomfort.")


# ---- an acronym whose long form has a period and an apostrophe --------------------------------------------------------------
def test_an_acronyms_long_form_is_read_with_an_initials_period_and_an_apostrophe():
    passage = "St. John\u2019s wort is commonly given three times daily."
    verdict = check("SJW is commonly given three times daily.", passage, acronyms={"st john s wort": "SJW"})
    assert verdict.supported, verdict.reasons
