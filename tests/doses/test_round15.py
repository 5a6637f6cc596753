"""Round 15 of issue 14: a patient's age against a table row's age band; a dose added to what the patient already takes,
held to the daily maximum from all sources; tablet counts of the answer's drug for the question's circumstances; a
combination's strengths without their unit; normal or absent circumstances in the question; 'do not ordinarily use
in'; brands a passage names after its drug; 'once aday'; counts after a strength pair; a population in a clause
ruling something out; a phase word right after a dose; a course total restated in parentheses; a switch to SCIG named
with words between. The classes are data (tests/doses/classes/round15.yaml)."""

from __future__ import annotations

import pytest

from assistant.doses import check_report
from assistant.doses.bare_pairs import with_bare_pairs
from assistant.doses.binding import age_qualifiers, ages_met
from assistant.doses.check import scan_text
from assistant.doses.grounding import same_drug
from assistant.doses.normal_measures import only_normal
from assistant.doses.passage_brands import passage_brands, with_passage_brands
from evals.doses import VADOD_PDFS
from tests.doses.conftest import class_members, member_caught

needs_pdfs = pytest.mark.skipif(not VADOD_PDFS.is_dir(), reason="needs the VA/DoD PDFs (../shared/corpora/vadod or "
                                                                "GUIDEQA_VADOD_PDFS)")


@needs_pdfs
@pytest.mark.parametrize("member", class_members("round15") if VADOD_PDFS.is_dir() else [])
def test_round15_class_member(corpus_book, member):
    assert member_caught(corpus_book, member) is member.caught


@pytest.mark.parametrize(("text", "quals"), [("8 yo, asthma", {"age=8"}), ("72M with back pain", {"age=72"}),
                                             ("ages 4-11 years", {"age:4-11"}), ("for 12 and up", {"age>12"}),
                                             ("66 F", set())])
def test_ages_read_short_and_as_bands(text, quals):
    assert set(age_qualifiers(text)) == quals


def test_a_patients_age_meets_the_band_holding_it():
    met = ages_met(frozenset({"age=8"}), frozenset({12}), frozenset({(4, 11), (12, 17)}))
    assert "age:4-11" in met and "age:12-17" not in met and "age>12" not in met
    # A band the statement names meets the passage's band holding it.
    assert "age:4-11" in ages_met(frozenset({"age:5-11"}), frozenset(), frozenset({(4, 11)}))


def test_normal_or_absent_circumstances_are_not_the_patients(corpus_book):
    renal = dict(corpus_book.lexicon.qualifiers)["renal_impairment"]
    hepatic = dict(corpus_book.lexicon.qualifiers)["hepatic_impairment"]
    assert only_normal("renal_impairment", renal, "CMI, CrCl 90 mL/min.")
    assert only_normal("renal_impairment", renal, "eGFR of 75")
    assert not only_normal("renal_impairment", renal, "CrCl 35")
    assert not only_normal("renal_impairment", renal, "CrCl 90 but on dialysis")
    assert not only_normal("renal_impairment", renal, "renal impairment")
    assert only_normal("hepatic_impairment", hepatic, "BMI 41, no kidney or liver disease")
    assert not only_normal("hepatic_impairment", hepatic, "compensated cirrhosis")


def test_bare_strength_pairs_of_the_answers_combination(corpus_book):
    lex = corpus_book.lexicon
    passage = scan_text("Phentermine/ topiramate ER (Qsymia): Phentermine 3.75 mg/ topiramate 23 mg each morning for "
                        "14 days; then increase to 7.5 mg/46 mg each morning", lex)
    sc = with_bare_pairs(scan_text("Increase to 11.25/69 x 14 days, then 15/92.", lex), "phentermine/topiramate",
                         [passage])
    assert [(a.text, a.unit, a.component) for a in sc.amounts] == [
        ("11.25", "mg", "phentermine"), ("69", "mg", "topiramate"), ("15", "mg", "phentermine"),
        ("92", "mg", "topiramate")]
    assert sc.amounts[0].raised_to and sc.amounts[1].raised_to and sc.amounts[0].cadence.duration == (14.0, 14.0)
    # No combination asked about, or another drug named in the sentence, or a ratio with its unit: no doses.
    assert with_bare_pairs(scan_text("Increase to 11.25/69 x 14 days.", lex), None, [passage]).amounts == ()
    assert with_bare_pairs(scan_text("BP 120/80 mmHg.", lex), "phentermine/topiramate", [passage]).amounts == ()
    assert with_bare_pairs(scan_text("Ibuprofen 400/600 daily.", lex), "phentermine/topiramate", [passage]).amounts == ()


def test_one_combination_written_two_ways(corpus_book):
    assert same_drug("naltrexone and bupropion", "naltrexone/bupropion", corpus_book.lexicon)
    assert not same_drug("naltrexone", "naltrexone/bupropion", None)


def test_a_brand_named_after_its_drug_in_the_passage(corpus_book):
    lex = corpus_book.lexicon
    src = scan_text("Fluticasone furoate DPI (ARNUITY ELLIPTA) 50, 100, 200 mcg: usual dosing interval Once daily", lex)
    brands = passage_brands([src])
    assert brands == {"arnuity ellipta": "fluticasone furoate"}
    sc = with_passage_brands(scan_text("Arnuity 100 mcg once daily", lex), brands)
    assert [(d.canonical, d.surface) for d in sc.drugs] == [("fluticasone furoate", "Arnuity")]


def test_intake_over_the_daily_maximum_names_the_sum(corpus_book):
    report = check_report("Add acetaminophen 650 mg premed before the IVIG.", corpus_book,
                          context="Takes acetaminophen 1 g q6h at home; IVIG tomorrow.")
    assert report.blocked
    assert "4650 mg a day" in report.findings[0].message
    # Nothing taken now, or no word adding the dose: the premedication dose stands.
    assert not check_report("Add acetaminophen 650 mg premed before the IVIG.", corpus_book,
                            context="Chills with the last IVIG; premeds?").blocked
    assert not check_report("Acetaminophen 650 mg q6h is what she takes.", corpus_book,
                            context="Takes acetaminophen 650 mg q6h at home.").blocked


def test_a_course_total_restated_in_parentheses(corpus_book):
    sc = scan_text("x 5 days = 160 g total (2 g/kg).", corpus_book.lexicon)
    assert [a.cadence.kind for a in sc.amounts] == ["course", "course"]
    assert scan_text("0.4 g/kg daily (28 g)", corpus_book.lexicon).amounts[1].cadence.kind == "dose"


def test_a_strength_per_volume_keeps_its_cadence_and_its_volume_is_no_dose(corpus_book):
    report = check_report("Albuterol 2.5 mg/3 mL: one vial every hour.", corpus_book)
    assert [(f.text, f.frequency) for f in report.findings] == [("2.5 mg", "every hour")]


@pytest.mark.parametrize(("text", "sex"), [("44M with IBS-C", "male"), ("a 35 yo woman", "female"), ("she takes it", "female"),
                                           ("IBS-C, 40 yo", None), ("he and his wife, she", None)])
def test_a_patients_sex(text, sex):
    from assistant.doses.binding import patient_sex
    assert patient_sex(text) == sex
