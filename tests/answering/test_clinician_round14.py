"""Clinician questions round 14 (#12): British and American spelling meet, the drug asked about among several, a drug
named only in part by the corpus, and more ways to ask a dose schedule, a purpose, a rate or the warning signs. One test
per class; the words are data (assistant/data/spelling.yaml, the shared lexicon, answer-aspects.yaml).

- "hemolysis" finds the corpus's "haemolysis" (and an index built before the spelling table still answers it);
- of several drugs, the one whose amount is asked ("how much IVIG"), then the one put forward ("if we have to use pred",
  "use efgartigimod instead"), then one not named as the patient's history is the drug;
- "hepatitis B immune globulin" is not spoken of where the corpus only says "immune globulin": not covered;
- "dosing schedule", "what is it meant to prevent", "push the rate to 8 mg/kg/min", "signs of hemolysis" ask the dose, the
  purpose, the rate and the adverse effects;
- "no response to Pneumovax" is a finding; "we went up on her dose last month" dates the patient.
"""

from __future__ import annotations

import json

import bm25s

from assistant.answer_aspects import ASPECTS
from assistant.lexical import LexicalIndex, tokenize
from assistant.question import read_question
from assistant.retrieval import Hit
from assistant.vocabulary import load_vocabulary, phase_over_phrases, put_forward
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")


# ---- spelling ---------------------------------------------------------------------------------------------------------
def test_british_and_american_spellings_are_one_token():
    for british, american in (("haemolysis", "hemolysis"), ("paediatric", "pediatric"), ("oestrogen", "estrogen"),
                              ("anaemia", "anemia"), ("desensitisation", "desensitization"), ("litres", "liters"), ("immobilised", "immobilized")):
        assert tokenize(british) == tokenize(american), (british, american)
    # words that only look British keep their meaning
    assert tokenize("four hours") == ["four", "hour"]
    assert tokenize("exercise") == ["exercis"] and tokenize("rise") != tokenize("rize")


def test_an_american_question_finds_a_british_passage():
    index = LexicalIndex.build(["a", "b"], ["Watch for haemolysis after high doses.", "Infusion rates in children."])
    assert [cid for cid, _ in index.search("signs of hemolysis?", 2)] == ["a"]
    assert index.knows("hemolysis") and index.knows("haemolysis")


def test_an_index_built_before_the_spelling_table_still_answers_either_spelling():
    model = bm25s.BM25()
    model.index([["haemolysi", "high", "dose"], ["infus", "rate"]], show_progress=False)  # tokens as once stemmed
    old = LexicalIndex(model, ["a", "b"])
    assert old.scores("hemolysis")[0] > 0 and old.scores("haemolysis")[0] > 0
    assert old.weighted_scores({t: 1.0 for t in tokenize("hemolysis")})[0] > 0


# ---- which drug is asked about -----------------------------------------------------------------------------------------
def test_of_several_drugs_the_one_asked_about_is_the_drug():
    assert read_question("already on pred, how much ivig for CIDP 70kg?", VOCAB).drug == "immunoglobulin"
    assert read_question("ITP on pred, how many grams of IVIG?", VOCAB).drug == "immunoglobulin"
    assert read_question("CIDP 70 kg on IVIG, if we have to use pred how much?", VOCAB).product == "prednisone"


def test_a_drug_put_forward_is_read_by_the_lexicons_cues():
    for text, name in (("on ivig but if we have to use pred how much", "pred"),
                       ("use efgartigimod (Vyvgart) instead?", "Vyvgart"),
                       ("could we switch her to Hizentra?", "Hizentra")):
        at = text.index(name)
        assert put_forward(text, at, at + len(name)), text
    text = "already on pred, how much ivig?"
    assert not put_forward(text, text.index("pred"), text.index("pred") + 4)


def test_a_dictionary_drug_put_forward_in_place_of_the_corpus_drug_is_the_drug(assistant):
    frame, _ = assistant.frame("gMG on IVIG 2 g/kg monthly, neuro wants to use efgartigimod (Vyvgart) instead - dose?", [],
                               None, followed=False)
    assert frame.drug == "efgartigimod alfa"
    frame, _ = assistant.frame("gMG on IVIG 2 g/kg monthly, neuro also mentions Vyvgart. IVIG dose?", [], None, followed=False)
    assert frame.drug == "immunoglobulin"


def test_a_drug_the_corpus_names_only_in_part_is_not_covered(assistant):
    answer = assistant.ask("needlestick from HBsAg+ source, unvaccinated nurse 70 kg: hepatitis B immune globulin timing?")
    assert answer.status != "answered" or "do not cover" in answer.summary, answer.summary


# ---- aspects asked -----------------------------------------------------------------------------------------------------
def test_more_ways_to_ask_a_schedule_a_purpose_a_rate_and_warning_signs():
    assert "dose" in read_question("dosing schedule for CIDP maintenance?", VOCAB).aspects
    assert "explanation" in read_question("what is the IVIG meant to prevent in CLL?", VOCAB).aspects
    assert "administration" in read_question("ITP, Privigen: can we push it to 8 mg/kg/min?", VOCAB).aspects
    assert "adverse_effects" in read_question("ITP after 2 g/kg, what signs of hemolysis should we watch for?", VOCAB).aspects
    asks = {name: pattern for name, (pattern, _, _) in ASPECTS.items()}
    assert asks["purpose"].search("what is it supposed to prevent?")
    assert asks["administration"].search("can we speed it up?") and asks["administration"].search("run at 4 mg/kg/min?")
    assert asks["dose"].search("her dosing schedule?")


def test_a_vaccine_brand_in_a_response_is_a_finding_and_a_past_dose_change_dates_the_patient():
    frame = read_question("CVID, no response to Pneumovax, IgG 3.2. start IVIG?", VOCAB)
    assert frame.drug in (None, "immunoglobulin")
    said = [m.group(0) for m in phase_over_phrases().finditer("4-weekly IVIG, we went up on her dose last month. trough when?")]
    assert any("went up on" in s for s in said), said
    assert not list(phase_over_phrases().finditer("what is the increased maintenance dose?"))


# ---- round 14, second part ---------------------------------------------------------------------------------------------
def test_an_indirect_yes_no_puts_up_the_step():
    from assistant.vocabulary import proposed_actions

    assert proposed_actions("XLA 17yo, well on SCIG. family asking if he can come off it now?") == ("stop",)
    assert proposed_actions("team asking whether we should hold it?") == ("hold",)
    assert proposed_actions("how long is he on it?") == ()


def test_a_drug_started_is_the_one_asked_about():
    assert read_question("42M on carbamazepine plus long-term pred, IgG 3.9 g/L. start IVIG?", VOCAB).drug == "immunoglobulin"


def test_a_drug_named_only_as_history_does_not_replace_the_conversations_drug(make_assistant):
    assistant = make_assistant()
    session = assistant.sessions.create("local")
    assistant.ask("42M, IgG 3.9 g/L after long-term steroids, recurrent sinusitis. start IVIG?", session_id=session)
    answer = assistant.ask("pred tapered off. 6 mo later IgG 3.4 g/L, 3 pneumonias despite abx. dose at 75 kg?",
                           session_id=session)
    assert answer.question_frame.drug == "immunoglobulin"
    assert "prednisone" not in answer.summary.lower()


def _section_hit(n: int, text: str, heading: list[str], doc: str) -> Hit:
    meta = {"doc_id": doc, "title": heading[0], "topics": "", "heading_path": json.dumps(heading)}
    return Hit(f"{doc}:{n:04d}:x", text, meta, 1.0 - n / 100)


def test_a_passage_under_a_heading_the_asked_sentence_names_leads():
    from assistant.compose import compose

    hits = [_section_hit(1, "The response to IVIG in CIDP is judged on standardised measures of disability and strength "
                            "rather than on IgG levels.", ["IVIG in CIDP", "Monitoring"], "cidp"),
            _section_hit(2, "Because maintenance IVIG in CIDP is high-dose, renal function is checked before each course.",
                         ["IVIG in CIDP", "Dosing"], "cidp"),
            _section_hit(3, "Patients should report fatigue, a fast heart rate or dark urine after IVIG, because these can "
                            "indicate haemolysis.", ["Adverse effects of IVIG", "Haemolysis"], "adverse")]
    question = "62F, CIDP, just had 2 g/kg. what hemolysis signs should she look out for and what lab do we check?"
    draft = compose(question, hits, 6, asked=("adverse_effects", "monitoring"))
    assert "haemolysis" in draft.direct[0].text


def test_an_adults_answer_keeps_a_dose_naming_no_population():
    from assistant.compose import _on_focus
    from assistant.followup import Focus

    rows = [(None, 0, 0, "For secondary hypogammaglobulinemia in adults, IVIG 0.4-0.6 g/kg every 4 weeks."),
            (None, 0, 1, "In adults, the EU core SmPC gives IVIG 0.2-0.4 g/kg every 3-4 weeks."),
            (None, 0, 2, "In patients at risk of thrombosis, keep the IVIG infusion rate below 2 mg/kg/min."),
            (None, 0, 3, "In children, IVIG 0.4 g/kg every 4 weeks.")]
    adult = Focus(population=("adults", "adult"), other_populations=("children", "child"), default_population=True)
    assert [r[2] for r in _on_focus(rows, adult)] == [0, 1, 2]
    child = Focus(population=("children", "child"), other_populations=("adults", "adult"))
    rows_child = rows + [(None, 0, 4, "In children, SCIG weekly.")]
    assert [r[2] for r in _on_focus(rows_child, child)] == [3, 4]


def test_the_rules_own_sentence_gives_no_other_dose_than_the_formulas():
    from assistant.calculate import calculations
    from assistant.doses.rules import load_rulebook

    hit = _section_hit(1, "- Child with ITP (ASH 2011): IVIG 0.8-1 g/kg once\n- Adult with ITP (ASH 2011): IVIG 1 g/kg once, "
                          "repeated if necessary\n- Adult with chronic ITP (Privigen US label): IVIG 1 g/kg per day for 2 days",
                       ["IVIG in ITP", "Dosing summary"], "ig-immunomodulatory-itp")
    question = "ITP, 41F, 74 kg, plt 6 with gum bleeding. IVIG dose per ASH?"
    worked = calculations(load_rulebook(CORPUS / "rules"), read_question(question, VOCAB), [hit], question=question)
    assert worked and all(not (c.basis() or "").startswith("Child") for c in worked), [c.basis() for c in worked]


# ---- two-part questions, the asked sentence, a document about one age group -------------------------------------------
def test_a_two_part_question_is_split_into_what_it_asks():
    from assistant.compose import asked_parts

    assert asked_parts("16kg 3yo, complete KD, day 6. IVIG dose and how long do we run it over?") == [
        "IVIG dose", "how long do we run it over"]
    assert asked_parts("start IVIG now or wait till he's better? dose?") == ["start IVIG now or wait till he's better", "dose"]
    assert asked_parts("CIDP 70 kg, what's the maintenance dose?") == ["CIDP 70 kg, what's the maintenance dose"]


def test_each_part_of_a_two_part_question_is_answered_in_the_lead():
    from assistant.compose import compose

    hits = [_section_hit(1, "- In children with Kawasaki disease, IVIG is given as 2 g/kg in a single intravenous infusion\n"
                            "- The single 2 g/kg IVIG infusion for Kawasaki disease is usually run over 10-12 hours\n"
                            "- In Kawasaki disease, IVIG is combined with aspirin", ["IVIG in Kawasaki disease", "Dosing"],
                         "kawasaki"),
            _section_hit(2, "- Live virus vaccines should be deferred for 11 months after high-dose IVIG for Kawasaki disease",
                         ["IVIG in Kawasaki disease", "Pitfalls"], "kawasaki")]
    draft = compose("KD 3yo. IVIG dose and how long do we run it over?", hits, 6, asked=("dose", "administration"))
    lead = " ".join(c.text for c in draft.direct)
    assert "2 g/kg in a single" in lead and "10-12 hours" in lead


def test_the_asked_sentences_aspects_come_before_a_story_sentences():
    assert read_question("he wants to self-infuse sc. Ontario weekly range, 72 kg?", VOCAB).aspects[0] == "dose"
    assert read_question("what hemolysis signs should she look out for and what lab do we check?", VOCAB).aspects[:2] == [
        "adverse_effects", "monitoring"]


def test_a_document_about_children_alone_speaks_of_children_in_every_line():
    from assistant.compose import _on_focus
    from assistant.followup import Focus

    def hit(population: str) -> Hit:
        return Hit("k:0001:x", "", {"doc_id": "k", f"population:{population}": True}, 1.0)

    rows = [(hit("child"), 0, 0, "In children with Kawasaki disease, IVIG 2 g/kg in a single infusion."),
            (hit("child"), 0, 1, "The single 2 g/kg infusion is usually run over 10-12 hours."),
            (hit("child"), 0, 2, "In children, haemoglobin is checked after 2 g/kg."),
            (hit("adult"), 0, 3, "IVIG 1 g/kg every 3 weeks.")]
    child = Focus(population=("children", "child"), other_populations=("adults", "adult"), population_name="child")
    assert [r[2] for r in _on_focus(rows, child)] == [0, 1, 2]


def test_a_timing_ask_and_a_dose_change_already_made():
    frame = read_question("we bumped her dose in March. earliest the trough will reflect the new dose?", VOCAB)
    assert "dose" not in frame.aspects and "duration" in frame.aspects
    assert read_question("PID 70 kg, what dose?", VOCAB).aspects == ["dose"]


def test_time_on_treatment_is_no_age_and_a_sub_q_option_asks_the_switch():
    frame = read_question("6 mo on, she's stable but hates the infusion centre. is there a sub-q option for CIDP?", VOCAB)
    assert frame.patient.age_years is None and "child" not in frame.population
    assert "switch" in frame.aspects
    assert read_question("6 mo old with low IgG, IVIG?", VOCAB).patient.age_years == 0.5
    _, _, cue = ASPECTS["conversion"]
    assert cue.search("Subcutaneous immunoglobulin (Hizentra) is licensed in the US as maintenance therapy for CIDP")


def test_a_condition_no_indexed_document_covers_is_not_answered_by_the_one_it_is_likened_to(assistant):
    # (MIS-C is a condition the lexicon knows; no bundled page is about it: the Kawasaki dose is no answer for it)
    answer = assistant.ask("MIS-C, 9yo 30 kg, what IVIG dose? same 2 g/kg as kawasaki?")
    assert answer.status != "answered" or "do not cover" in answer.summary, answer.summary
    assert "60 g" not in answer.summary
