"""Round 16 (issue #14): the guideline-PDF folder is a setting, and the dose classes fixed this round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT, Settings, get_settings


# --- The PDF folder is one setting: GUIDEQA_VADOD_PDFS through the Settings object, --pdfs overrides it. ---

def test_vadod_pdfs_is_a_setting_read_from_its_environment_name(monkeypatch, tmp_path):
    monkeypatch.delenv("GUIDEQA_VADOD_PDFS", raising=False)
    assert Settings().vadod_pdfs == PROJECT_ROOT.parent / "shared" / "corpora" / "vadod"
    monkeypatch.setenv("GUIDEQA_VADOD_PDFS", str(tmp_path))
    assert Settings().vadod_pdfs == tmp_path


def test_the_dose_eval_reads_pdfs_from_the_setting_and_the_option_overrides_it(monkeypatch, tmp_path):
    import evals.doses as doses
    from typer.testing import CliRunner

    from assistant.cli import app

    missing = tmp_path / "no-pdfs-here"
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "x", "text": "Amlodipine 5 mg daily.", "safe": True,
                                 "sources": ["VA/DoD VADoDHypertensionCPG508Corrected792020.pdf p99"]}) + "\n")
    monkeypatch.setenv("GUIDEQA_VADOD_PDFS", str(missing))
    monkeypatch.setenv("GUIDEQA_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        assert doses.VADOD_PDFS == missing
        # The setting decides where a cited PDF is looked for: a missing folder is named in the error.
        with pytest.raises(Exception) as raised:
            doses.resolve_sources(["VA/DoD VADoDHypertensionCPG508Corrected792020.pdf p99"])
        assert str(missing) in str(raised.value)
        result = CliRunner().invoke(app, ["eval", "doses", "--cases", str(cases), "--json"])
        assert result.exit_code == 1 and str(missing) in result.stdout
        # --pdfs overrides the setting.
        other = tmp_path / "other"
        result = CliRunner().invoke(app, ["eval", "doses", "--cases", str(cases), "--pdfs", str(other), "--json"])
        assert result.exit_code == 1 and str(other) in result.stdout and str(missing) not in result.stdout
    finally:
        get_settings.cache_clear()


def test_evals_doses_reads_no_environment_variable_itself():
    source = (PROJECT_ROOT / "evals" / "doses.py").read_text(encoding="utf-8")
    assert "os.environ" not in source and "getenv" not in source


# --- A statement that acts now on a timing rule is checked against the time the question says has passed. ---

from assistant.doses import check_report, load_rulebook  # noqa: E402


@pytest.fixture(scope="module")
def book():
    return load_rulebook(PROJECT_ROOT / "corpus" / "rules")


def _verdicts(book, text, context):
    return {f.text: f.verdict for f in check_report(text, book, context=context).findings}


@pytest.mark.parametrize("context, text, blocked", [
    # 08:00 to 20:00 is 12 hours: too early to call IVIG resistance (fever >= 36 h after the infusion ends).
    ("Kawasaki, 2 yo, first 2 g/kg IVIG finished at 08:00, still 38.9 at 20:00.",
     "Counts as IVIG-resistant already - hang the second 2 g/kg dose now.", True),
    ("Kawasaki, IVIG 2 g/kg ended 40 hours ago, fever 39.2 persists.",
     "Counts as IVIG-resistant now: give a second 2 g/kg dose.", False),
    ("Kawasaki, 4 yo, 2 g/kg IVIG ended 10 hours ago and she is still febrile.",
     "That is refractory disease already; repeat the 2 g/kg now.", True),
    # Live vaccines wait 11 months after high-dose IVIG.
    ("Kawasaki 2 g/kg IVIG given 6 months ago; due for MMR.", "Give the MMR vaccine now.", True),
    ("Kawasaki 2 g/kg IVIG given 12 months ago; due for MMR.", "Give the MMR vaccine now.", False),
    # A statement that does not act yet is not checked against the time passed.
    ("Kawasaki, 2 yo, first 2 g/kg IVIG finished at 08:00, still 38.9 at 20:00.",
     "Not IVIG-resistant yet: wait before any second dose.", False),
])
def test_acting_now_on_a_timing_rule_meets_the_time_passed(book, context, text, blocked):
    assert check_report(text, book, context=context).blocked is blocked, _verdicts(book, text, context)


# --- Arithmetic in words on a dose the question gives: "double the calculated weekly dose: 20.6 g every 2 weeks". ---

@pytest.mark.parametrize("context, text, blocked", [
    ("Pt converted to Hizentra (US) at about 10.3 g weekly, wants fewer needle days.",
     "For every-2-week dosing just double the calculated weekly dose: roughly 20.6 g every 2 weeks.", False),
    # Doubled but kept weekly: twice the rule's weekly dose is no arithmetic the rule allows.
    ("Pt converted to Hizentra (US) at about 10.3 g weekly, wants fewer needle days.",
     "Just double the calculated weekly dose: roughly 20.6 g weekly.", True),
    # Not the given dose times the multiple.
    ("Pt converted to Hizentra (US) at about 10.3 g weekly, wants fewer needle days.",
     "For every-2-week dosing just double the calculated weekly dose: roughly 24 g every 2 weeks.", True),
    # With no multiple in words, a dose no cited passage states stays withheld.
    ("Pt converted to Hizentra (US) at about 10.3 g weekly, wants fewer needle days.",
     "For every-2-week dosing give roughly 20.6 g every 2 weeks.", True),
])
def test_a_dose_worked_in_words_from_the_questions_dose(book, context, text, blocked):
    source = "For dosing every 2 weeks with Hizentra, the US label doubles the calculated weekly dose."
    report = check_report(text, book, context=context, sources=[source])
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


# --- A conversion the text states with the ratio of one the cited passage states, for the same strength. ---

@pytest.mark.parametrize("text, blocked", [
    ("For a 10% IVIG, 4 mg/kg/min equals 2.4 mL/kg/h (× 60 ÷ 100).", False),
    ("For a 5% IVIG, 4 mg/kg/min equals 2.4 mL/kg/h.", True),         # another strength: another ratio
    ("4 mg/kg/min equals 2.4 mL/kg/h.", True),                       # no strength named
    ("For a 10% IVIG, 4 mg/kg/min equals 4.8 mL/kg/h.", True),       # not the passage's ratio
    ("For a 10% IVIG, 12 mg/kg/min equals 7.2 mL/kg/h.", True),      # the passage's ratio, but over the rules' maximum
])
def test_a_conversion_with_the_passages_ratio(book, text, blocked):
    from evals.doses import resolve_sources

    sources = resolve_sources(["corpus/guidelines/ig-administration-infusion-rates.md, Converting mg/kg/min and mL/kg/h"])
    report = check_report(text, book, sources=sources)
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


# --- A goal given for a patient is the one the cited passage recommends for the patient's population. ---

HTN_GOALS = ("[source: VA DoD CPG for the Diagnosis and Management of Hypertension | page 23]\n"
             "6. For all patients, including those with type 2 diabetes, we suggest treating to a systolic blood "
             "pressure goal of <130 mm Hg.\n7. For patients 60 years and over, we recommend treating to a systolic "
             "blood pressure goal of <150 mm Hg with added benefit to lowering systolic blood pressure further.\n"
             "8. For patients 60 years and over with type 2 diabetes, we\nrecommend treating to a systolic blood "
             "pressure goal of <140 mm\nHg.\n9. For patients 30 years and over, we recommend treating to a diastolic "
             "blood pressure goal of <90 mm Hg.")


@pytest.mark.parametrize("context, text, blocked", [
    ("65 yo with T2DM, lisinopril 20 mg daily, SBP 146.", "At goal for his age (<150), no need to uptitrate.", True),
    ("65 yo with T2DM, lisinopril 20 mg daily, SBP 146.", "Not at goal: for him the SBP goal is <140 mm Hg.", False),
    ("68 yo, no diabetes, office SBP 144.", "He meets the <150 goal for 60+.", False),
    ("68 yo, no diabetes, office SBP 144.", "Keep treating: his SBP target is <140 mm Hg.", True),
    # The patient's diabetes status or age is not known: the goals differ by them, so none is held against the text.
    (None, "Age 60 or older: SBP goal < 150 mm Hg.", False),
    (None, "BP 148/92 mmHg: goals SBP <130 and DBP <90 mmHg.", False),
])
def test_a_goal_for_the_patients_population(book, context, text, blocked):
    report = check_report(text, book, context=context, sources=[HTN_GOALS])
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


# --- A drug the cited passage rules out for the patient's population is not proposed for such a patient. ---

PRAMLINTIDE = ("[source: VA/DoD CPG for the Management of Type 2 Diabetes Mellitus | page 84]\n"
               "Pramlintide 0.5 - 1%: clinical considerations: Indicated to be co-administered with mealtime insulin, "
               "When initiating pramlintide, reduce mealtime insulin dose by 50%, Patients that should NOT be "
               "considered for pramlintide therapy:, Poor compliance with current insulin regimen, HbA1c >9%, "
               "pediatric patients, Injectable; adverse events/side effects: GI effects")


@pytest.mark.parametrize("context, text, blocked", [
    ("15 yo with T2DM on basal-bolus insulin, HbA1c 8,2%.",
     "Add pramlintide with meals and cut his mealtime insulin by 50% when you start.", True),
    ("52 yo with T2DM on basal-bolus insulin, HbA1c 8,2%.",
     "Add pramlintide with meals and cut his mealtime insulin by 50% when you start.", False),
    ("15 yo with T2DM on basal-bolus insulin, HbA1c 8,2%.",
     "Pramlintide is not an option at his age; intensify the basal-bolus insulin instead.", False),
])
def test_a_drug_ruled_out_for_the_patients_population(book, context, text, blocked):
    report = check_report(text, book, context=context, sources=[PRAMLINTIDE])
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


# A footnote that rules drugs out for older patients, whose letters on the table's rows the passage's text lost.
LBP_TABLE = ("[source: VA/DoD CPG the Diagnosis and Treatment of Low Back Pain | page 104]\n"
             "Muscle Relaxants: generic Baclofen; starting dose 5 mg TID; max/day 80 mg\n\n"
             "Muscle Relaxants: generic Cyclobenzaprine; starting dose 5 mg TID; max/day 30 mg\n\n"
             "c Use not recommended in patients >65 years of age per American Geriatrics Society 2015 Updated Beers "
             "Criteria.")


@pytest.mark.parametrize("context, blocked", [("72M, acute LBP with spasm.", True), ("45M, acute LBP with spasm.", False)])
def test_an_unbound_footnote_ruling_drugs_out_for_the_patients_age(book, context, blocked):
    report = check_report("cyclobenzaprine 5 mg TID x 1 wk.", book, context=context, sources=[LBP_TABLE])
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


ACEI_ROW = ("[source: VA DoD CPG for the Management of Hypertension | page 98]\n"
            "Enalapril (Angiotensin- Converting Enzyme Inhibitors (ACEI)): usual dose range 5-40 mg/day\n\n"
            "Benazepril, Enalapril, Lisinopril (Angiotensin- Converting Enzyme Inhibitors (ACEI)): commentsa: Avoid in "
            "women who are planning to become pregnant or who are pregnant; Do not use if history of angioedema")
ACARBOSE_ROW = ("[source: VA/DoD CPG for the Management of Type 2 Diabetes Mellitus | page 83]\n"
                "Acarbose Miglitol: clinical considerations: Administer at the start of each main meal, Not recommended "
                "in patients with significant renal impairment (SCr >2 mg/dL), Use with caution in hepatic impairment")
SGLT2_ROW = ("[source: VA/DoD CPG for the Management of Type 2 Diabetes Mellitus | page 90]\n"
             "Canagliflozin Dapagliflozin Empagliflozin 0.5 – 1%: clinical considerations: Do not use if eGFR <45 "
             "mL/min/1.73 m2 (empagliflozin/canagliflozin) or <60 mL/min/1.73 m2 (dapagliflozin), Empagliflozin was "
             "shown to reduce the risk of cardiovascular events")


@pytest.mark.parametrize("source, context, text, blocked", [
    # A row whose head lists several drugs rules each of them out.
    (ACEI_ROW, "28F, 10 weeks pregnant, BP 150/96, on enalapril", "Keep enalapril 10 mg daily.", True),
    (ACEI_ROW, "58M, BP 150/96, on enalapril", "Keep enalapril 10 mg daily.", False),
    # A lab threshold in the list, against the question's value (a decimal comma too).
    (ACARBOSE_ROW, "T2DM, SCr 2,4 mg/dL, postprandial spikes", "Start acarbose with the first bite of each main meal.", True),
    (ACARBOSE_ROW, "T2DM, SCr 1,1 mg/dL, postprandial spikes", "Start acarbose with the first bite of each main meal.", False),
    # A threshold bound to the drugs in parentheses after it; the statement answers for the drug the question proposes.
    (SGLT2_ROW, "T2DM, eGFR 52, adding dapagliflozin", "Fine, eGFR is above 45.", True),
    (SGLT2_ROW, "T2DM, eGFR 52, adding empagliflozin", "Fine, eGFR is above 45.", False),
    (SGLT2_ROW, "T2DM, eGFR 52, adding dapagliflozin", "Not with that eGFR: it needs 60 or more.", False),
])
def test_a_drug_ruled_out_by_a_rows_population_or_lab_limit(book, source, context, text, blocked):
    report = check_report(text, book, context=context, sources=[source])
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


# --- Phrasing: "per kilo", "never past X" (a ceiling), a restatement in parentheses, the drug asked about. ---

def test_grams_per_kilo_in_words_is_a_per_kg_dose(book):
    report = check_report("Two grams per kilo in one infusion: 36 g.", book, context="Kawasaki, 18 kg. How much IVIG?")
    (first, *_) = report.findings
    assert first.unit == "g/kg" and first.per_kg and not report.blocked, report.findings
    assert check_report("Four grams per kilo in one infusion.", book, context="Kawasaki, 18 kg. How much IVIG?").blocked


def test_never_past_a_rate_is_a_ceiling_not_a_negated_dose(book):
    from assistant.doses.check import scan_text
    from assistant.doses.negation import is_negated

    sc = scan_text("Open at 0.5 mg/kg/min; never past 8 mg/kg/min.", book.lexicon)
    assert not is_negated(sc, sc.amounts[1])
    sc = scan_text("Open at 0.5 mg/kg/min; never 8 mg/kg/min.", book.lexicon)
    assert is_negated(sc, sc.amounts[1])


@pytest.mark.parametrize("context, text, source, blocked", [
    ("migraine prevention, divalproex", "Usual range 500 to 1500 mg a day (0,5 to 1,5 g).",
     "Divalproex: usual range 500 to 1500 mg a day", False),
    ("migraine prevention, divalproex", "Usual range 500 to 1500 mg a day (0,5 to 2 g).",
     "Divalproex: usual range 500 to 1500 mg a day", True),
    ("DHE 45 injection, 1 mg/mL, ED", "No more than 3 mL (3 mg) in the day.", "DHE 1 mg IV; max 3 mg/day", False),
    ("DHE 45 injection, 1 mg/mL, ED", "No more than 6 mL (3 mg) in the day.", "DHE 1 mg IV; max 3 mg/day", True),
])
def test_a_restatement_in_parentheses_is_the_same_dose(book, context, text, source, blocked):
    report = check_report(text, book, context=context, sources=[source])
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


def test_a_drug_the_patient_is_already_on_is_not_the_one_asked_about(book):
    from assistant.doses.policy import frame_for

    assert frame_for("Losartan for BP, pt already on HCTZ 25", book).drug == "losartan"
    assert frame_for("Losartan or HCTZ for BP?", book).drug is None


# --- A stated ceiling in words ("stops at 150 mg/day") is held to the passage's maximum; a table's purpose. ---

VENLAFAXINE_PTSD = ("[source: VA/DOD Clinical Practice Guideline for the Management of Posttraumatic Stress Disorder | "
                    "page 97]\nVenlafaxine (Antidepressants Monotherapy): initial dose: XR: 37.5 mg once daily; dose "
                    "range 75-225 mg once daily")


@pytest.mark.parametrize("text, blocked", [
    ("XR stops at 150 mg/day, so don't go higher.", True),
    ("XR tops out at 225 mg/day.", False),
])
def test_a_ceiling_in_words(book, text, blocked):
    report = check_report(text, book, context="PTSD, venlafaxine XR 150 mg for 8 wks", sources=[VENLAFAXINE_PTSD])
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


IBUPROFEN_PREVENTION = ("[source: VA/DoD CPG for the Primary Care Management of Headache | page 123]\nIbuprofen "
                        "(Motrin) (NSAIDs): initial dose: 400 – 1,200 mg/ day in divided doses; comments: Use "
                        "intermittently, such as for menstrual migraine prevention")
IBUPROFEN_ABORTIVE = ("[source: VA/DoD CPG for the Primary Care Management of Headache | page 124]\nTable F-2. "
                      "Pharmacotherapy – Abortive Dosing Information\n\nIbuprofen (Motrin) (NSAIDs): dose 200 – 800 mg "
                      "every 6-hours; comments Avoid doses >2.4 g/day")


@pytest.mark.parametrize("context, text, blocked", [
    ("Menstrual migraine prevention, ibuprofen around the period", "Give 200 to 800 mg every 6 hours.", True),
    ("Menstrual migraine prevention, ibuprofen around the period", "Give 400 to 1,200 mg a day in divided doses.", False),
    ("Acute migraine attack, ibuprofen", "Give 200 to 800 mg every 6 hours.", False),
])
def test_a_table_for_another_purpose_does_not_ground(book, context, text, blocked):
    report = check_report(text, book, context=context, sources=[IBUPROFEN_PREVENTION, IBUPROFEN_ABORTIVE])
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


# --- A comparison after a dose names what it is likened to, not what it is for; rectal and sublingual forms. ---

VERAPAMIL_DILTIAZEM = ("[source: VA DoD CPG for the Management of Hypertension | page 99]\n"
                       "Verapamil SR (Non-dihydropyridine CCB): usual dose range 120-480 mg/day (daily or divided bid)\n\n"
                       "Diltiazem SR (Non-dihydropyridine CCB): usual dose range 120-540 mg/day")
CAFERGOT = ("[source: VA/DoD CPG for the Primary Care Management of Headache | page 124]\n"
            "Oral tablet (1 mg) with caffeine 100 mg (Cafergot) (Ergotamine Tartrate): dose 2 mg at onset; comments: "
            "Maximum dose is 6 mg/day or 10 mg/ week\n\nRectal suppository (2 mg) with caffeine 100 mg (Cafergot) "
            "(Ergotamine Tartrate): dose: Insert 1/2 to 1 suppository at onset; comments: Maximum dose is 4 mg/day or "
            "10 mg/ week")


@pytest.mark.parametrize("context, text, source, blocked", [
    ("HTN, verapamil SR, uptitrating", "Can go up to 540 mg a day, same as diltiazem SR.", VERAPAMIL_DILTIAZEM, True),
    ("HTN, verapamil SR, uptitrating", "Can go up to 480 mg a day, less than diltiazem SR.", VERAPAMIL_DILTIAZEM, False),
    ("Cafergot suppository 2 mg", "Half to one suppository at onset, up to 6 mg/day like the oral tablets.", CAFERGOT, True),
    ("Cafergot suppository 2 mg", "Half to one suppository at onset, up to 4 mg/day.", CAFERGOT, False),
])
def test_a_comparison_is_not_the_doses_subject(book, context, text, source, blocked):
    from assistant.doses.policy import frame_for

    report = check_report(text, book, context=context, sources=[source], frame=frame_for(context, book))
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


# --- A dose split over days: the parts add up to the dose. ---

@pytest.mark.parametrize("text, blocked", [
    ("Split it: 92 g on day 1 and 92 g on day 2.", True),                    # 2 x 1 g/kg is twice the dose
    ("92 g every 3 weeks (1 g/kg). It can go in as one infusion or as 46 g on each of two consecutive days.", False),
    ("92 g every 3 weeks (1 g/kg). It can go in as one infusion or as 92 g on each of two consecutive days.", True),
])
def test_a_dose_split_over_days(book, text, blocked):
    from assistant.doses.policy import frame_for

    context = "CIDP maintenance, 92 kg, pt prefers two shorter infusion days"
    report = check_report(text, book, context=context, frame=frame_for(context, book), weight_kg=92)
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


@pytest.mark.parametrize("context, blocked", [
    ("CVID dx 5 wks ago, 1 month of IVIG so far, wants to go to Hizentra (US) now.", True),
    ("CVID on IVIG for 8 months at regular intervals, wants to go to Hizentra (US) now.", False),
])
def test_switching_straight_away_meets_the_months_of_regular_ivig(book, context, blocked):
    report = check_report("Fine to switch straight away; there is no minimum time on IVIG first.", book, context=context)
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


TIMOLOL = ("[source: VA/DoD CPG for the Primary Care Management of Headache | page 122]\nTimolol (Blocadren) "
           "(Beta-adrenergic antagonists): initial dose 20 mg/day in divided doses; usual range 20 – 60 mg/day in "
           "divided doses; comments: Dose should be titrated and maintained for at least three months before "
           "assessment of response")


@pytest.mark.parametrize("text, blocked", [
    ("Six weeks is an adequate trial; stop and switch.", True),
    ("Three months is an adequate trial before judging it.", False),
])
def test_a_trial_length_for_the_questions_drug(book, text, blocked):
    from assistant.doses.policy import frame_for

    context = "timolol 20 mg/day for migraine prevention, 6 wks, no benefit"
    report = check_report(text, book, context=context, sources=[TIMOLOL], frame=frame_for(context, book))
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


@pytest.mark.parametrize("text, blocked", [
    ("Add IVIG to the steroid: 1 g/kg given once, with a repeat only if needed.", False),
    ("Add IVIG to the steroid: 3 g/kg given once.", True),
])
def test_the_drug_added_to_is_not_the_doses_drug(book, text, blocked):
    from assistant.doses.policy import frame_for

    context = "adult ITP, plt 6k, gum bleeding, already on prednisone, heme wants a faster rise"
    source = "For adults with ITP who need a rapid rise, IVIG 1 g/kg as a single dose, repeated if needed."
    report = check_report(text, book, context=context, sources=[source], frame=frame_for(context, book))
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


NAPROXEN = ("[source: VA/DoD CPG for the Primary Care Management of Headache | page 124]\nNaproxen sodium (Aleve, "
            "Anaprox) (NSAIDs): dose 550 – 825 mg at onset; can repeat 220 mg in 3 – 4 hours; comments Avoid doses "
            ">1.375 g/day")


@pytest.mark.parametrize("text, blocked", [("Repeat the 825 mg.", True), ("Repeat 220 mg now.", False),
                                           ("Give 825 mg at onset.", False)])
def test_a_repeat_dose_is_the_rows_repeat_dose(book, text, blocked):
    from assistant.doses.policy import frame_for

    context = "acute migraine, naproxen sodium 825 mg, pain back at 3 h"
    report = check_report(text, book, context=context, sources=[NAPROXEN], frame=frame_for(context, book))
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]


EXCEDRIN = ("[source: VA/DoD CPG for the Primary Care Management of Headache | page 124]\nAcetaminophen 250 mg/ aspirin "
            "250 mg/caffeine 65 mg (Excedrin Migraine) (Analgesics): dose 2 tablets at onset and every 6-hours")
CONTRAVE = ("[source: VA/DoD CPG for the Management of Adult Overweight and Obesity | page 107]\nNaltrexone/ bupropion ER "
            "(Contrave): dosing: Naltrexone 8mg/bupropion 90 mg dose-escalation schedule; Maintenance dose: 2 tablets "
            "twice daily (Naltrexone 16 mg/bupropion 180 mg)")


@pytest.mark.parametrize("source, context, text, blocked", [
    (EXCEDRIN, "acute migraine, Excedrin Migraine, 2 tabs",
     "Two tablets deliver 500 mg acetaminophen, 500 mg aspirin and 130 mg caffeine.", False),
    (EXCEDRIN, "acute migraine, Excedrin Migraine, 2 tabs",
     "Two tablets deliver 500 mg acetaminophen, 500 mg aspirin and 260 mg caffeine.", True),
    # A strength written after a count ("2 tablets twice daily (Naltrexone 16 mg/...)") is what the count holds.
    (CONTRAVE, None, "Contrave maintenance is 2 tabs BID, so each dose is naltrexone 32 mg / bupropion 360 mg.", True),
])
def test_what_a_count_of_tablets_holds(book, source, context, text, blocked):
    report = check_report(text, book, context=context, sources=[source])
    assert report.blocked is blocked, [(f.text, f.verdict, f.message) for f in report.findings]
