"""Clinician questions round 15 (#12): patient arithmetic a question asks for, a condition named by its cause, timing
asked as a span, who a turn is about, and product words from the corpus lexicon. One test per class; the words are
data (answer-aspects.yaml, document-reading.yaml, people.yaml, corpus/lexicon.yaml routes, rules/vocabulary.yaml).

- asked the minimum ("what's the EU minimum per dose?"), a floor rule is worked out as the floor alone, without the
  usual range's top (the finished load's 44 g);
- asked to round ("rounded the way their calculator does"), a calculated dose is rounded by the corpus's rounding rule,
  cited to the passage stating it, and the dose layer recomputes the rounding;
- a circumstance the vocabulary also files under a condition (CAR-T: secondary immunodeficiency) names that condition
  when the question names none, so its dose rules are worked out;
- "earliest the trough will reflect the new dose?" is answered by the time it takes ("three to six months"); a past
  dose change asks no dose;
- "back to the 74yo" comes back to the patient before the other person ("diff pt"), with that patient's weight (and
  stays with the person now discussed when the turns since the move describe them by that age);
- an amount put up and asked "ok?" asks the dose ("pharmacy has drawn up 180 g as one bag. ok?");
- a rate is not worked out when only a sentence telling the story names the infusion;
- the IG product and route words of the shared patterns come from the corpus lexicon's `routes`.
"""

from __future__ import annotations

import shutil

import yaml

from assistant import routes
from assistant.answer_aspects import ASPECTS, FLOOR_ASKED, ROUNDING_ASKED, bind_routes
from assistant.doses.calculated import recompute
from assistant.doses.rules import load_rulebook
from assistant.models import Calculation
from assistant.people import about_another_person, returns_to_earlier_patient
from assistant.question import only_in_story, read_question
from assistant.vocabulary import load_vocabulary, without_findings
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")


# ---- the floor asked -------------------------------------------------------------------------------------------------
def test_asked_the_minimum_a_floor_rule_is_worked_out_alone(assistant):
    assert FLOOR_ASKED.search("what's the EU minimum per dose?") and FLOOR_ASKED.search("lowest dose we can use?")
    assert not FLOOR_ASKED.search("90 min after IVIG") and not FLOOR_ASKED.search("0.5 mg/kg/min")
    answer = assistant.ask("PID adult 55kg got the EU loading dose (0.8 g/kg) 4 wks ago. do we repeat the load, or is it "
                           "maintenance now - what's the EU minimum per dose?")
    assert "0.2 g/kg × 55 kg = 11 g" in answer.summary
    assert "44 g" not in answer.summary


def test_not_asked_the_minimum_the_usual_range_follows_the_floor(assistant):
    answer = assistant.ask("PID adult 55 kg, EU SmPC maintenance after the load - how many grams?")
    assert "at least 0.2 g/kg × 55 kg = 11 g" in answer.summary and "11-44 g" in answer.summary


# ---- rounding --------------------------------------------------------------------------------------------------------
def test_asked_to_round_the_calculated_dose_is_rounded_by_the_rounding_rule(assistant):
    assert ROUNDING_ASKED.search("rounded the way their calculator does") and not ROUNDING_ASKED.search("around 40 g")
    answer = assistant.ask("CVID 39M, 121 kg, IBW 64 kg, BMI 38. plan 0.5 g/kg q4w on the Ontario adjusted weight, "
                           "rounded the way their calculator does. dosing wt and what do we order?")
    assert "0.5 g/kg × 86.8 kg = 43.4 g" in answer.summary
    assert "43.4 g to the nearest 5 g = 45 g" in answer.summary
    shown = " ".join(s.text for sec in answer.sections for s in sec.statements if not s.withheld)
    assert "nearest multiple of five grams" in shown  # the source's own sentence beside the rounding
    assert all(f.verdict in ("verified", "grounded") for f in answer.dose_checks if "45" in f.text)


def test_the_dose_layer_recomputes_a_rounding_against_its_rule():
    book = load_rulebook(CORPUS / "rules")
    ok = recompute(Calculation(formula="43.4 g to the nearest 5 g = 45 g", rule_id="rounding-ontario-5g"), book)
    assert ok is not None and {43.4, 5.0, 45.0} <= ok.values
    assert recompute(Calculation(formula="43.4 g to the nearest 5 g = 40 g", rule_id="rounding-ontario-5g"), book) is None
    assert recompute(Calculation(formula="43.4 g to the nearest 10 g = 40 g", rule_id="rounding-ontario-5g"), book) is None
    assert recompute(Calculation(formula="43.4 g to the nearest 5 g = 45 g", rule_id="pid-ivig-ontario"), book) is None


# ---- a condition named by its cause ----------------------------------------------------------------------------------
def test_a_circumstance_filed_under_a_condition_names_it():
    frame = read_question("58M, CD19 CAR-T 5 months ago, IgG 290 mg/dL, zero infections. start IVIG?", VOCAB)
    assert frame.context == "car_t" and frame.indication == "secondary_immunodeficiency"
    # a condition the question names itself stays the condition
    frame = read_question("CLL pt after rituximab, IgG 3.1 g/L. start IVIG?", VOCAB)
    assert frame.indication == "secondary_immunodeficiency"
    assert read_question("ITP after rituximab, plt 12. IVIG dose 70 kg?", VOCAB).indication == "itp"


def test_after_car_t_the_weekly_scig_range_is_worked_out(make_assistant):
    assistant = make_assistant()
    session = assistant.sessions.create("local")
    assistant.ask("58M, CD19 CAR-T 5 months ago, IgG 290 mg/dL, zero infections. start IVIG?", session_id=session)
    assistant.ask("now 2 bacterial pneumonias in 6 weeks, IgG 260. now?", session_id=session)
    answer = assistant.ask("he wants to self-infuse sc. Ontario weekly range, 72 kg, BMI 24?", session_id=session)
    assert "0.1-0.15 g/kg × 72 kg = 7.2-10.8 g" in answer.summary


# ---- timing asked as a span ------------------------------------------------------------------------------------------
def test_a_timing_ask_is_answered_by_the_time_it_takes(make_assistant):
    assert "dose" not in without_findings("we bumped her dose in March. earliest the trough will reflect the new dose?")
    assistant = make_assistant()
    session = assistant.sessions.create("local")
    assistant.ask("PID pt, pre-infusion IgG came back 4.8 g/L. is that above the Ontario 500 mg/dL minimum?", session_id=session)
    answer = assistant.ask("we bumped her dose in March. earliest the trough will reflect the new dose?", session_id=session)
    assert "three to six months" in answer.summary


# ---- who a turn is about ---------------------------------------------------------------------------------------------
def test_back_to_a_patient_named_by_age():
    assert returns_to_earlier_patient("back to the 74yo - day 3, headache + chills mid-infusion")
    assert returns_to_earlier_patient("back to the 9 year old")
    assert not returns_to_earlier_patient("back to replacement for a moment")
    assert about_another_person("diff pt at the peds site, 9yo 28 kg, also GBS. same regimen?")


def test_back_to_the_74yo_answers_with_his_weight_and_works_out_no_rate_for_a_story(make_assistant):
    assistant = make_assistant()
    session = assistant.sessions.create("local")
    for turn in ("GBS 67kg M, can't walk unaided since yesterday, starting ivig per SmPC. g/day and course total?",
                 "he's 74, in ICU, bedbound. any rate limit? we use a 10% product - in mL/h pls",
                 "diff pt at the peds site, 9yo 28 kg, also GBS. same regimen?"):
        answer = assistant.ask(turn, session_id=session)
    assert answer.question_frame.patient.weight_kg == 28 and answer.question_frame.context is None
    answer = assistant.ask("back to the 74yo - day 3, headache + chills mid-infusion. do we stop the course?", session_id=session)
    assert answer.question_frame.patient.weight_kg == 67
    assert "28 kg" not in answer.summary and "mL/h" not in answer.summary


def test_only_a_story_sentence_naming_the_infusion_asks_no_rate():
    infusion = ASPECTS["administration"][0]
    assert only_in_story("day 3, headache + chills mid-infusion. do we stop the course?", infusion)
    assert not only_in_story("he's 74, in ICU. any rate limit? we use a 10% product", infusion)
    assert not only_in_story("infusion rate for her?", infusion)  # one sentence, asking


# ---- an amount put up for checking -----------------------------------------------------------------------------------
def test_an_amount_asked_ok_asks_the_dose(make_assistant):
    assert read_question("pharmacy has drawn up 180 g as one bag for tomorrow. ok?", VOCAB).aspects == ["dose"]
    assert read_question("IgG 5.2 g/L, is that ok?", VOCAB).aspects != ["dose"]
    assistant = make_assistant()
    session = assistant.sessions.create("local")
    assistant.ask("chronic ITP, 44F, 90 kg, plt 14. on the privigen regimen how much per day and for how many days?",
                  session_id=session)
    answer = assistant.ask("pharmacy has drawn up 180 g as one bag for tomorrow. ok?", session_id=session)
    assert "90 g a day for 2 days" in answer.summary


# ---- product and route words from the corpus lexicon -----------------------------------------------------------------
def test_route_words_come_from_the_corpus_lexicon(tmp_path):
    offering = "Patients with poor venous access may be moved to SCIG."
    assert VOCAB.routes.switch_words() and ASPECTS["conversion"][2].search(offering)
    assert VOCAB.qualified_spans("we bumped her scig dose in March")
    # another corpus's lexicon without these routes: the same patterns name none of this corpus's products
    other = tmp_path / "corpus"
    shutil.copytree(CORPUS / "rules", other / "rules")
    lexicon = yaml.safe_load((CORPUS / "lexicon.yaml").read_text(encoding="utf-8"))
    lexicon.pop("routes")
    (other / "lexicon.yaml").write_text(yaml.safe_dump(lexicon), encoding="utf-8")
    bare = load_vocabulary(other / "rules", other / "lexicon.yaml")
    assert not bare.routes.all_words()
    assert bare.qualified_spans("we bumped her dose in March") and not bare.qualified_spans("we bumped her scig dose")
    before = routes.current()
    try:
        bind_routes(bare.routes)
        assert not ASPECTS["conversion"][2].search(offering)
        assert not ASPECTS["conversion"][0].search("sc instead?")  # no route of this corpus is switched onto
        assert ASPECTS["conversion"][0].search("how do we convert?")
    finally:
        bind_routes(before)
    assert ASPECTS["conversion"][2].search(offering)


# ---- a level's response to a dose ------------------------------------------------------------------------------------
def test_a_slope_quoted_in_the_question_is_not_the_dose_proposed(assistant):
    answer = assistant.ask("CVID, trough 4.9 g/L on 0.4 g/kg q4w. if we go to 0.6 g/kg, what trough would we roughly expect "
                           "using the Lee number (~73 mg/dL per 100 mg/kg)? does that clear the EU target?")
    assert "(600 mg/kg − 400 mg/kg) × 0.73 = 146 mg/dL; 490 mg/dL + 146 mg/dL = 636 mg/dL" in answer.summary
    shown = " ".join(s.text for sec in answer.sections for s in sec.statements if not s.withheld)
    assert "73 mg/dL" in shown  # the slope's own sentence beside the estimate


def test_the_dose_for_a_target_level_is_worked_out_backwards_and_rechecked(assistant):
    answer = assistant.ask("CVID 61F, 65 kg, on IVIG 0.4 g/kg q4w, trough 4.6 g/L and still getting sinusitis. if we go by "
                           "the Lee meta-regression (~73 mg/dL per extra 100 mg/kg), roughly what dose per kg, and how many "
                           "grams, would get her to the EU 6 g/L target?")
    assert "400 mg/kg + 191.8 mg/kg = 591.8 mg/kg; 0.59 g/kg × 65 kg = 38.4 g" in answer.summary
    assert "weekly SCIG" not in answer.summary  # "the EU ... target" names a labelling, and asks no conversion
    assert all(f.verdict == "verified" for f in answer.dose_checks if f.text.startswith(("591.8", "38.4")))
    book = load_rulebook(CORPUS / "rules")
    wrong = "(600 mg/dL − 460 mg/dL) ÷ 0.73 = 191.8 mg/kg; 400 mg/kg + 191.8 mg/kg = 691.8 mg/kg"
    assert recompute(Calculation(formula=wrong, rule_id="trough-rise-per-ivig-dose-lee"), book) is None


# ---- another interval asked in a follow-up ---------------------------------------------------------------------------
def test_another_interval_asked_in_a_follow_up_works_out_the_switch_at_it(make_assistant):
    frame = read_question("she'd rather do it every 2 weeks", VOCAB)
    assert frame.patient.target_interval_weeks == 2 and frame.aspects == ["switch"]
    assert read_question("on IVIG every 4 weeks, trough ok?", VOCAB).patient.target_interval_weeks is None
    assistant = make_assistant()
    session = assistant.sessions.create("local")
    assistant.ask("switching twin sisters (both CVID) from IVIG to Hizentra, US label. first twin gets IVIG 36 g q3w - "
                  "weekly hizentra dose?", session_id=session)
    assistant.ask("the other twin is on 45 g every 4 wks and going onto Cuvitru", session_id=session)
    answer = assistant.ask("back to the first twin - she'd rather do hizentra every 2 weeks", session_id=session)
    assert "36 g ÷ 3 weeks × 1.37 = 16.4 g × 2 = 32.9 g every 2 weeks" in answer.summary
    shown = " ".join(s.text for sec in answer.sections for s in sec.statements if not s.withheld)
    assert "doubles the calculated weekly dose" in shown  # the passage stating the step, beside the factor's


# ---- a total over a period with a dose a rule adds -------------------------------------------------------------------
def test_a_total_asked_sums_the_dose_a_rule_adds_for_the_period(assistant):
    answer = assistant.ask("new CVID, IgG 90 mg/dL at dx, 70kg, BMI 23. Ontario: starting at 0.4 g/kg q4w + the extra early "
                           "dose, how many grams in month 1 total?")
    assert "0.4 g/kg × 70 kg + 0.4 g/kg × 70 kg = 56 g" in answer.summary
    book = load_rulebook(CORPUS / "rules")
    rule = "pid-ivig-ontario-extra-month-one"
    assert recompute(Calculation(formula="0.4 g/kg × 70 kg + 0.4 g/kg × 70 kg = 56 g", rule_id=rule), book) is not None
    assert recompute(Calculation(formula="0.4 g/kg × 70 kg + 0.4 g/kg × 70 kg = 60 g", rule_id=rule), book) is None
    assert recompute(Calculation(formula="0.4 g/kg × 70 kg + 0.8 g/kg × 70 kg = 84 g", rule_id=rule), book) is None
    plain = assistant.ask("new CVID, 70kg, BMI 23. Ontario 0.4 g/kg q4w, how many grams?")
    assert "56 g" not in plain.summary  # no total asked: the dose alone


# ---- the patient's history in a story sentence -----------------------------------------------------------------------
def test_a_condition_named_only_in_the_story_of_a_follow_up_is_history(make_assistant):
    assistant = make_assistant()
    session = assistant.sessions.create("local")
    assistant.ask("CVID M 142 kg, IBW 72. Ontario q4w range?", session_id=session)
    answer = assistant.ask("he's 58, HTN, DM2, prior MI. anything for the infusion itself?", session_id=session)
    assert answer.status == "answered" and "do not cover" not in answer.summary


# ---- a product's own conversion after a labelling change -------------------------------------------------------------
def test_a_product_with_a_factor_is_dosed_from_the_regimen_under_the_labelling_named(make_assistant):
    assistant = make_assistant()
    session = assistant.sessions.create("local")
    assistant.ask("PID 81 kg on IVIG 0.4 g/kg q4w, switching to weekly Hizentra (US). dose?", session_id=session)
    answer = assistant.ask("plan changed, she's relocating to Germany and they'll follow the EU Hizentra SmPC. weekly dose "
                           "there?", session_id=session)
    assert answer.status == "answered" and "32.4 g ÷ 4 weeks × 1 = 8.1 g" in answer.summary


# ---- criteria for a question naming no drug --------------------------------------------------------------------------
def test_a_start_question_naming_no_drug_is_judged_for_the_corpus_drug(assistant):
    answer = assistant.ask("renal tx 3 yrs ago, tac/MMF, IgG 3.6 g/L, 3 bacterial pneumonias in 8 months. replacement?")
    assert answer.summary.startswith("Criteria for immunoglobulin replacement in a solid-organ transplant recipient")
    assert "met (IgG 3.6 g/L)" in answer.summary


def test_a_question_opening_on_how_does_not_ask_whether_to_start(make_assistant):
    assistant = make_assistant()
    session = assistant.sessions.create("local")
    assistant.ask("adult ALL s/p CD19 CAR-T 4 mo, B-cell aplasia, IgG 280, 2 bacterial pneumonias. start IG?", session_id=session)
    answer = assistant.ask("how will we know when her own B cells come back - can we just follow IgG?", session_id=session)
    assert not answer.summary.startswith("Criteria for")


def test_back_to_the_person_now_discussed_stays_with_them():
    from assistant.people import audience

    turns = [{"question": "GBS 67kg M, 74 years old, starting ivig. g/day?"},
             {"question": "diff pt at the peds site, 9yo 28 kg, also GBS. same regimen?"}]
    assert audience("back to the 74yo - day 3, headache?", turns).turns == turns[:1]
    assert audience("back to the 9yo - any rate limit?", turns).turns == turns
