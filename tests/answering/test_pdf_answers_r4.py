"""Answering from a site's own guideline PDFs, round 4 (#13): one test per class of failure.

- a time since an event ("3 mo post CVA") is no age;
- the conditions a guideline covers include the kinds its own text and abbreviation list define ("OUD");
- a dose-limit question is led by a statement stating the limit;
- whom a guideline's scope excludes is not covered by it.
(The key-question sections as chunk kinds are tested in tests/ingest/test_methodology_kinds.py.)
"""

from __future__ import annotations

import json

from assistant.compose import asked_quantities, compose
from assistant.question import patient_facts
from assistant.retrieval import Hit
from assistant.vocabulary import (age_bounds, document_conditions, elapsed_spans,
                                  excluded_by_scope, glossary, scope_exclusions)


# ---- a time since an event is no age ------------------------------------------------------------------------------
def test_a_time_since_an_event_is_not_the_patients_age():
    for text in ("3 months post CVA, painful elbow flexor spasticity. tx?", "6 weeks post stroke, depressed. SSRI?",
                 "2 years since injury, still has headaches", "6 months later, FEV1 45, still SOB on the LAMA",
                 "gastric bypass 2 years ago - check for deficiencies?", "back pain for 3 months, 4 months after surgery"):
        assert patient_facts(text).age_years is None, text


def test_a_real_age_is_still_read_beside_a_time_since_an_event():
    assert patient_facts("18 months old with wheeze").age_years == 1.5
    assert patient_facts("67 year old, 3 months post CVA").age_years == 67
    assert patient_facts("18 months, recurrent wheeze. tx?").age_years == 1.5
    assert patient_facts("IVIG dose for 6 month old with Kawasaki, 7 kg").age_years == 0.5


def test_a_length_of_time_is_no_age_bound_but_an_age_bound_is():
    assert age_bounds("headaches for over 2 years") == []
    assert age_bounds("seizure-free within the last 2 years") == [] and elapsed_spans("in the last 6 months")
    assert age_bounds("patients over 65 years old") == [(65.0, None)]
    assert age_bounds("women greater than 44 years of age") == [(44.0, None)]


# ---- conditions a guideline covers: the kinds its own text defines --------------------------------------------------
SUD = "VA/DoD Clinical Practice Guideline for the Management of Substance Use Disorders"
DM = "VA/DoD Clinical Practice Guideline for the Management of Type 2 Diabetes Mellitus in Primary Care"
PTSD = "VA/DoD Clinical Practice Guideline for the Management of Posttraumatic Stress Disorder and Acute Stress Disorder"
SUD_TEXT = ("Substance use disorders (SUD) are common. " + "Patients with opioid use disorder (OUD) need care; OUD is treatable. " * 6
            + "Alcohol use disorder (AUD) is also common. AUD responds to naltrexone. " * 6)
PTSD_TEXT = "Posttraumatic stress disorder (PTSD) and acute stress disorder (ASD). Co-occurring AUD is frequent. " * 2


def test_an_abbreviation_list_is_read_in_either_layout():
    run = glossary("Abbreviation Definition OAT opioid agonist treatment OTP opioid treatment program OUD opioid use disorder "
                   "PGB pregabalin CAT COPD Assessment Test")
    assert run["opioid use disorder"] == "OUD" and run["pregabalin"] == "PGB" and run["opioid treatment program"] == "OTP"
    assert "copd assessment test" not in run  # an entry whose long form does not spell its letters is left out
    assert glossary("T2DM: type 2 diabetes mellitus") == {"type 2 diabetes mellitus": "T2DM"}


def test_a_kind_of_a_guidelines_condition_its_text_defines_names_that_guideline():
    terms = {t.label: t for t in document_conditions({"sud": SUD, "ptsd": PTSD}, {"sud": SUD_TEXT, "ptsd": PTSD_TEXT})}
    sud = terms["Substance Use Disorders"]
    assert {"opioid use disorder", "oud", "alcohol use disorder", "aud"} <= set(sud.terms)
    assert "OUD" in sud.acronyms
    assert "acute stress disorder" not in sud.terms and "Acute Stress Disorder" in terms  # a title's own condition stays its own
    assert "oud" not in terms["Posttraumatic Stress Disorder"].terms


def test_the_acronym_an_abbreviation_list_gives_a_title_condition_names_it():
    terms = {t.label: t for t in document_conditions({"dm": DM}, {"dm": "Diabetes mellitus (DM) is common."},
                                                     {"dm": {"type 2 diabetes mellitus": "T2DM"}})}
    assert "t2dm" in terms["Type 2 Diabetes Mellitus"].terms


# ---- a dose-limit question is led by the limit -----------------------------------------------------------------------
def _hit(n: int, text: str, kind: str, score: float, strength: str | None = None) -> Hit:
    meta = {"doc_id": "sud", "title": SUD, "kind": kind,
            "heading_path": json.dumps([SUD, "Recommendations" if kind == "recommendation" else "Appendix B: Pharmacotherapy"])}
    if strength:
        meta["strength"] = meta["grade"] = strength
    return Hit(f"sud:{n:04d}:x", text, meta, score)


def test_a_maximum_dose_question_is_led_by_the_statement_of_the_maximum():
    withdrawal = _hit(1, "For patients with opioid use disorder for whom withdrawal management is indicated, we suggest "
                         "buprenorphine/naloxone in any setting.", "recommendation", 1.0, "Weak for")
    limit = _hit(2, "Buprenorphine/naloxone: maintenance dose usually 12-16 mg/day; doses up to 24 mg/day, "
                    "not to exceed 32 mg/day.", "table_row", 0.6)
    question = "buprenorphine max daily dose?"
    assert asked_quantities(question) and not asked_quantities("buprenorphine induction?")
    assert asked_quantities("whats the max citalopram dose?") and asked_quantities("naproxen dose max?")
    assert not asked_quantities("benadryl premed dose for an adult before ivig + max per day?")  # the dose leads
    draft = compose(question, [withdrawal, limit], 6, asked=("dose",))
    assert draft.direct[0].hit is limit


# ---- whom a guideline's scope excludes ------------------------------------------------------------------------------
SCOPE = ("Patients receiving care in the hospital, pregnant women, and children younger than four years are not included "
         "in the scope of this CPG. Regardless of setting, any patient should have access to the interventions. "
         "This CPG does not address patients with post-stroke depression or bipolar disorder I/II. "
         "The benefits of exercise are beyond the scope of this review.")
CHILD = ("child", ("child", "children", "kid"))
PREGNANCY = ("pregnancy", ("pregnant", "pregnancy"))


def test_only_sentences_about_the_guidelines_own_scope_count():
    found = scope_exclusions(SCOPE)
    assert len(found) == 2 and not any("review" in s for s in found)


def test_an_age_population_or_condition_the_scope_excludes_is_not_covered():
    found = scope_exclusions(SCOPE)
    groups = frozenset({"child", "adult"})
    assert excluded_by_scope("3 yo w recurrent wheeze, which ICS?", found, 3.0, (CHILD,), groups, ("asthma",))
    assert excluded_by_scope("10 yo with asthma, which ICS?", found, 10.0, (CHILD,), groups, ("asthma",)) is None
    assert excluded_by_scope("28 wk pregnant, which controller?", found, None, (PREGNANCY,), groups, ("asthma",)) == "pregnancy"
    assert excluded_by_scope("bipolar II depression, which antidepressant?", found, None, (), groups, ("depression",)) == "bipolar"
    # another indexed guideline's condition: that guideline covers it
    assert excluded_by_scope("post-stroke depression, SSRI?", found, None, (), groups, ("depression",), ("stroke",)) is None
    assert excluded_by_scope("moderate asthma, which step-up?", found, 45.0, (), groups, ("asthma",)) is None
