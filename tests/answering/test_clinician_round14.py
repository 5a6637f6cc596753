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

import bm25s

from assistant.answer_aspects import ASPECTS
from assistant.lexical import LexicalIndex, tokenize
from assistant.question import read_question
from assistant.vocabulary import load_vocabulary, phase_over_phrases, put_forward
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")


# ---- spelling ---------------------------------------------------------------------------------------------------------
def test_british_and_american_spellings_are_one_token():
    for british, american in (("haemolysis", "hemolysis"), ("paediatric", "pediatric"), ("oestrogen", "estrogen"),
                              ("anaemia", "anemia"), ("desensitisation", "desensitization"), ("litres", "liters")):
        assert tokenize(british) == tokenize(american), (british, american)
    # words that only look British keep their meaning
    assert tokenize("four hours") == ["four", "hour"]
    assert tokenize("rise") != tokenize("rize")


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
