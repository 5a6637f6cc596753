"""PDF answers round 15 (#13): what the patient already tried, pronouns for the drug recommended, drugs a guideline never
names, and the condition the passages found, one test per class.

- a drug the question names only as tried ("amitriptyline didn't help. botox?", "sertraline and venlafaxine both
  failed. what med is next?") is not the frame's drug; a list after a history cue is history throughout;
- asked what next after it, the recommendation written for the patient whom earlier treatment did not help leads, and
  one offering what was tried among other options gives way (its after-failure condition naming the tried drug is no
  offer of it);
- "how do I dose it?" after an answer recommending one drug asks that drug's dose;
- a drug no passage of the guideline found names is not covered there (a mention in another document is no answer);
- of two conditions named, the one the passages speak of is the question's; another person said not to have the
  conversation's condition ("no diabetes") does not carry it;
- a follow-up naming a contrast word itself ("and for his hip?") replaces its carried turn's ("knee").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.compose import compose
from assistant.followup import another_person_subject, focus_of, said_absent
from assistant.found_condition import about_found_condition
from assistant.question import QuestionFrame
from assistant.referent import with_lead_drug
from assistant.retrieval import Hit
from assistant.tried import after_failure, offered, without_tried_drug
from assistant.vocabulary import (Mention, document_acronyms, document_conditions, history_drugs, load_vocabulary,
                                  with_conditions)
from tests.answering.hits import recommendation_hit
from tests.conftest import CORPUS, make_settings

PTSD = "VA/DoD Clinical Practice Guideline for the Management of Posttraumatic Stress Disorder"
HTN = "VA/DoD Clinical Practice Guideline for the Diagnosis and Management of Hypertension in the Primary Care Setting"
DM = "VA/DoD Clinical Practice Guideline for the Management of Type 2 Diabetes Mellitus in Primary Care"
TEXTS = {"htn": "Hypertension (HTN) is common. " * 3,
         "dm": "Type 2 diabetes mellitus (T2DM) is common. Diabetes mellitus (DM) is a chronic disease. " * 3}
BASE = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
VOCAB = with_conditions(BASE, document_conditions({"htn": HTN, "dm": DM}, TEXTS), document_acronyms(TEXTS))

REC17 = ("We recommend sertraline, paroxetine, fluoxetine, or venlafaxine as monotherapy for PTSD for patients diagnosed "
         "with PTSD who choose not to engage in or are unable to access trauma-focused psychotherapy.")
REC18 = ("We suggest nefazodone, imipramine, or phenelzine as monotherapy for the treatment of PTSD if recommended "
         "pharmacotherapy (see Recommendation 17), trauma-focused psychotherapy, or both are ineffective, unavailable, or "
         "not in accordance with patient preference and tolerance.")
NEXT = "PTSD, dropped out of PE and CPT, then adequate trials of sertraline and venlafaxine both failed. what med is next?"


def _rec(n: int, text: str, strength: str, score: float, doc: str = "ptsd", title: str = PTSD) -> Hit:
    return recommendation_hit(n, text, strength, score, doc, title)


# ---- what was tried --------------------------------------------------------------------------------------------------
def test_a_drug_named_only_as_tried_is_not_the_frames_drug():
    botox = "chronic tension-type HA, amitriptyline didnt help. neuro wants to do botox injections. supported?"
    frame = without_tried_drug(QuestionFrame(drug="amitriptyline", product="amitriptyline",
                                             products=["amitriptyline", "botox"]), botox)
    assert frame.product == "botox" and frame.drug != "amitriptyline"
    frame = without_tried_drug(QuestionFrame(drug="sertraline", product="sertraline",
                                             products=["sertraline", "venlafaxine"]), NEXT)
    assert frame.drug is None and frame.product is None
    # a dictionary drug beside the tried one is the drug asked about
    frame = without_tried_drug(QuestionFrame(drug="acetaminophen", product="acetaminophen", products=["acetaminophen"]),
                               "knee OA, no oral NSAIDs, acetaminophen not enough. is duloxetine reasonable?")
    assert frame.drug == "duloxetine"
    asked = "PTSD, is sertraline a first-line option?"  # nothing tried: the drug named is the one asked about
    assert without_tried_drug(QuestionFrame(drug="sertraline", product="sertraline", products=["sertraline"]),
                              asked).drug == "sertraline"


def test_a_list_after_a_history_cue_is_history_throughout():
    tried = history_drugs("knee OA, failed PT, NSAIDs and a steroid shot, still painful. hyaluronic acid injection worth it?")
    assert "steroid" in tried and "nsaids" in tried and "hyaluronic acid" not in tried
    assert history_drugs("failed metformin and was started on sitagliptin. what next?") == ("metformin",)


def test_a_recommendation_for_the_patient_whom_treatment_failed_leads_asked_what_next():
    hits = [_rec(17, REC17, "Strong for", 1.0), _rec(18, REC18, "Weak for", 0.8)]
    assert compose(NEXT, hits, 6).direct[0].text == REC18
    # nothing tried: the first-line recommendation keeps its place
    assert compose("PTSD, which medication should be offered first?", hits, 6).direct[0].text == REC17


def test_what_a_recommendation_offers_is_read_before_its_after_failure_condition():
    duloxetine = ("We suggest offering duloxetine as an alternative or adjunctive therapy for patients with an inadequate "
                  "response or contraindications to acetaminophen or non-steroidal anti-inflammatory drugs.")
    assert after_failure(duloxetine) and "acetaminophen" not in offered(duloxetine) and "duloxetine" in offered(duloxetine)
    assert after_failure(REC18) and after_failure(
        "For patients with moderate-severe alcohol use disorder for whom first-line pharmacotherapy is contraindicated or "
        "ineffective, we suggest offering gabapentin.")
    assert not after_failure("There is insufficient evidence to recommend for or against oral naltrexone for OUD.")
    assert not after_failure(REC17)


# ---- a pronoun for the drug recommended ------------------------------------------------------------------------------
def test_it_is_the_drug_the_answer_before_recommended():
    turns = [{"question": "mod-severe AUD, relapsed on naltrexone, topiramate gave him bad cognitive fog. next med?",
              "answer": {"summary": "For patients with moderate-severe alcohol use disorder for whom first-line "
                                    "pharmacotherapy is contraindicated or ineffective, we suggest offering gabapentin [1]."}}]
    frame = QuestionFrame(aspects=["dose"])
    assert with_lead_drug(frame, "how do I dose it?", turns).drug == "gabapentin"
    assert with_lead_drug(frame, "how long?", turns).drug is None  # no pronoun
    both = [{"question": "x", "answer": {"summary": "We suggest gabapentin or topiramate [1]."}}]
    assert with_lead_drug(frame, "how do I dose it?", both).drug is None  # which one, the pronoun says not
    named = QuestionFrame(drug="naltrexone", aspects=["dose"])
    assert with_lead_drug(named, "how do I dose it?", turns).drug == "naltrexone"  # the frame's own drug stays


# ---- a drug the guideline never names --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_guidelines(tmp_path_factory: pytest.TempPathFactory):
    from assistant.chain import Assistant
    from ingest.run import ingest

    root = tmp_path_factory.mktemp("r15-docs")
    (root / "sleep.txt").write_text(
        "Management of Obstructive Sleep Apnea\n\n"
        "For patients with obstructive sleep apnea, we suggest continuing positive airway pressure therapy even if the "
        "patient is still sleepy during the day.\n\n"
        "Residual daytime sleepiness in obstructive sleep apnea should prompt a review of adherence and sleep hours.\n\n"
        "Data on home titration devices are limited, and auto-titrating positive airway pressure is out of the scope of "
        "this guideline.\n",
        encoding="utf-8")
    (root / "cmi.txt").write_text(
        "Management of Chronic Multisymptom Illness\n\n"
        "Stimulants such as modafinil and methylphenidate were searched for fatigue in chronic multisymptom illness.\n",
        encoding="utf-8")
    settings = make_settings(tmp_path_factory.mktemp("r15-data"))
    report = ingest([root], settings)
    assert not report.errors, report.errors
    return Assistant(settings), settings


def test_a_drug_the_guideline_found_never_names_is_not_covered(two_guidelines):
    from assistant.retrieval import Filters
    from assistant.unspoken import unspoken_drug

    assistant, settings = two_guidelines
    sleep = next(h.doc_id for h in assistant.retriever.retrieve("obstructive sleep apnea positive airway pressure", k=3)[0]
                 if "sleep" in h.text.lower())
    hits, _ = assistant.retriever.retrieve("OSA on CPAP, still sleepy. add modafinil?", k=3, filters=Filters(documents=(sleep,)))
    own = QuestionFrame(drug="modafinil", product="modafinil", products=["modafinil"], indication="osa",
                        indication_label="Obstructive Sleep Apnea")
    gap = unspoken_drug(assistant.retriever, settings, assistant.vocabulary, own, hits, "OSA on CPAP. add modafinil?")
    assert gap == "The sources do not cover modafinil for Obstructive Sleep Apnea."
    # a drug the guideline's passages name, or a class the question names that they name, is covered
    cpap = QuestionFrame(drug="modafinil", product="modafinil", products=["modafinil", "methylphenidate"],
                         indication="cmi", indication_label="Chronic Multisymptom Illness")
    cmi_hits, _ = assistant.retriever.retrieve("fatigue in chronic multisymptom illness, stimulants?", k=3)
    assert unspoken_drug(assistant.retriever, settings, assistant.vocabulary, cpap, cmi_hits, "stimulants?") is None


# ---- the condition the passages found --------------------------------------------------------------------------------
def test_of_two_conditions_named_the_one_the_passages_speak_of_is_the_questions():
    dm = next(t for t in VOCAB.indications if t.canonical.startswith("doc:dm:"))
    htn = next(t for t in VOCAB.indications if t.canonical.startswith("doc:htn:"))
    own = QuestionFrame(indication=dm.canonical, indication_label=dm.label, other_indications=[htn.canonical])
    hits = [_rec(8, "For patients 60 years and over with type 2 diabetes, we recommend treating hypertension to a "
                    "systolic blood pressure goal of <140 mm Hg.", "Strong for", 1.0, doc="htn", title=HTN)]
    frame, mine = about_found_condition(VOCAB, own, own, hits)
    assert frame.indication == htn.canonical and mine.indication == htn.canonical
    assert frame.other_indications == [dm.canonical]
    spoken = [_rec(1, "We recommend metformin for type 2 diabetes mellitus.", "Strong for", 1.0, doc="dm", title=DM)]
    assert about_found_condition(VOCAB, own, own, spoken)[0].indication == dm.canonical


def test_another_person_without_the_conversations_condition_does_not_carry_it():
    dm = next(t for t in VOCAB.indications if t.canonical.startswith("doc:dm:"))
    assert said_absent("and her husband, 72, no diabetes?", Mention(dm, "T2DM", 0, 4), VOCAB)
    assert not said_absent("and her husband, 72, diabetic too?", Mention(dm, "T2DM", 0, 4), VOCAB)
    carried = another_person_subject("and her husband, 72, no diabetes?",
                                     ["68F with T2DM, HTN on 2 meds, office SBP 146. what SBP goal am I aiming for?"], VOCAB)
    assert carried is not None and "HTN" in carried and "T2DM" not in carried


def test_a_follow_up_naming_a_contrast_word_replaces_its_carried_turns():
    focus = focus_of("For his hip? (knee OA, failed PT, NSAIDs and a steroid shot. hyaluronic acid injection worth it)", BASE)
    assert ("hip", ("knee",)) in focus.contrasting and not any(word == "knee" for word, _ in focus.contrasting)
    focus = focus_of("knee OA, hyaluronic acid injection worth it?", BASE)
    assert ("knee", ("hip",)) in focus.contrasting


def test_a_drug_the_patient_refuses_is_not_the_one_asked_about():
    asked = "OUD, refuses bup and methadone, wont do monthly shots. can I just give oral naltrexone 50 mg daily?"
    assert "methadone" in history_drugs(asked) and "naltrexone" not in history_drugs(asked)
    frame = without_tried_drug(QuestionFrame(drug="methadone", product="methadone", products=["methadone", "naltrexone"]),
                               asked)
    assert frame.drug == "naltrexone"



# ---- a topic the guideline says is outside it ------------------------------------------------------------------------
def test_a_topic_the_guideline_says_is_outside_it_is_read_with_its_words():
    from assistant.scope_topics import names_topic, scoped_out_topics

    said = "Data on other markers are lacking and continuous glucose monitoring is out of the scope of this CPG."
    assert scoped_out_topics(said) == ["continuous glucose monitoring"]
    assert scoped_out_topics("These medications are beyond the scope of this guideline.") == []  # points back: no topic
    assert scoped_out_topics("Evidence from outside the scope of this review indicates safety.") == []
    assert names_topic("T2DM on basal glargine - should I get him a dexcom CGM?", "continuous glucose monitoring")
    assert names_topic("is continuous glucose monitoring covered?", "continuous glucose monitoring")
    assert not names_topic("T2DM on basal glargine, a1c 8.4. add a GLP-1?", "continuous glucose monitoring")


def test_a_question_on_a_topic_its_guideline_puts_outside_its_scope_is_not_covered(two_guidelines):
    from assistant.scope_topics import outside_guideline

    assistant, _ = two_guidelines
    hits, _ = assistant.retriever.retrieve("obstructive sleep apnea auto-titrating positive airway pressure at home", k=3)
    hits = [h for h in hits if "sleep" in h.text.lower()] or hits
    gap = outside_guideline(assistant.index, "OSA pt - can we start auto-titrating positive airway pressure (APAP)?", hits)
    assert gap is not None and gap.startswith("The sources do not cover auto-titrating positive airway pressure")
    assert outside_guideline(assistant.index, "OSA pt still sleepy on CPAP - what now?", hits) is None


# ---- the product whose dose is asked, and a combination product's row --------------------------------------------------
def test_the_product_owning_the_dose_asked_may_have_a_word_of_its_name_between():
    import re

    from assistant.question import DOSE_OF

    asked = "COPD pt on spiriva + advair diskus 250/50 bid. what's the max advair diskus dose for COPD?"
    assert re.search(DOSE_OF.format("advair"), asked, re.IGNORECASE).group(0) == "advair diskus dose"
    assert not re.search(DOSE_OF.format("spiriva"), asked, re.IGNORECASE)
    assert not re.search(DOSE_OF.format("ivig"), "ivig and aspirin dose?", re.IGNORECASE)  # a conjunction is no name


def test_a_combination_products_row_is_one_products_row():
    from assistant.compose import _several_drugs

    assert not _several_drugs("Fluticasone proprionate/ Salmeterol Advair Diskus: strength 250/50 mcg; dosing: 1 "
                              "inhalation twice daily (Max: 250/50 mcg twice daily (COPD))")
    assert _several_drugs("Chlorthalidone HCTZ Indapamide: 12.5-25 mg daily 25-50 mg daily 1.25-2.5 mg daily")


def test_a_drug_the_patient_is_on_is_no_drug_asked_about_for_coverage(two_guidelines):
    from assistant.unspoken import unspoken_drug

    assistant, settings = two_guidelines
    hits, _ = assistant.retriever.retrieve("obstructive sleep apnea positive airway pressure", k=3)
    own = QuestionFrame(drug="modafinil", product="modafinil", products=["modafinil"], indication="osa",
                        indication_label="Obstructive Sleep Apnea")
    for asked in ("OSA, on modafinil for years, still sleepy on CPAP. what next?", "OSA on modafinil. what else can we add?"):
        assert unspoken_drug(assistant.retriever, settings, assistant.vocabulary, own, hits, asked) is None
