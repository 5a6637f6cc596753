"""PDF answers round 7 (#13): whom a recommendation is for, what it offers, and the shared lexicon, one test per class.

- a recommendation for a population the question does not name ("For patients ... with type 2 diabetes") gives way to
  one that holds for the patient asked about; one the question names (in its words or its acronyms) does not;
- asked what to add next, a goal to treat to is no answer;
- general clinical circumstances (a DVT, an infection) and shorthand come from the shared lexicon, so a site's own
  corpus reads them too;
- a population or condition the question says the patient does not have ("no DM/CKD", "no CKD") is not the patient's;
- a lead states one recommendation's strength even when no aspect is asked.
"""

from __future__ import annotations


from assistant.compose import compose
from assistant.question import read_question
from assistant.retrieval import Hit
from assistant.vocabulary import asks_another, document_acronyms, document_conditions, load_vocabulary, with_conditions
from assistant.whom import populations_of, states_target, unasked_population
from tests.answering.hits import recommendation_hit
from tests.conftest import CORPUS

HTN = "VA/DoD Clinical Practice Guideline for the Diagnosis and Management of Hypertension in the Primary Care Setting"
DM = "VA/DoD Clinical Practice Guideline for the Management of Type 2 Diabetes Mellitus in Primary Care"
CKD = "VA/DoD Clinical Practice Guideline for the Management of Chronic Kidney Disease in Primary Care"
TEXTS = {"htn": "Hypertension (HTN) is common. " * 3,
         "dm": "Type 2 diabetes mellitus (T2DM) is common. Diabetes mellitus (DM) is a chronic disease. " * 3,
         "ckd": "Chronic kidney disease (CKD) is common. " * 3}
BASE = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
VOCAB = with_conditions(BASE, document_conditions({"htn": HTN, "dm": DM, "ckd": CKD}, TEXTS), document_acronyms(TEXTS))

REC8 = ("For patients 60 years and over with type 2 diabetes, we recommend treating to a systolic blood pressure goal of "
        "<140 mm Hg with added benefit to lowering systolic blood pressure further for those between 130 mm Hg and 140 mm Hg.")
REC6 = "For all patients, including those with type 2 diabetes, we suggest treating to a systolic blood pressure goal of <130 mm Hg."
REC23 = ("We recommend offering a thiazide-type diuretic, calcium channel blocker, or either an angiotensin-converting enzyme "
         "inhibitor or an angiotensin II receptor blocker as primary pharmacologic therapy for hypertension for reduction in "
         "composite cardiovascular outcomes.")
REC25 = "In hypertensive patients 65 years and over, we suggest a thiazide-type diuretic for reduction in composite cardiovascular outcomes."
ASKED = "65 yo w stage 2 HTN, eGFR 40, already on lisinopril 20 mg. add what next?"


def _rec(n: int, text: str, strength: str, score: float, doc: str = "htn", title: str = HTN) -> Hit:
    return recommendation_hit(n, text, strength, score, doc, title)


# ---- whom a recommendation is for -----------------------------------------------------------------------------------
def test_the_population_a_statement_holds_for_is_read_from_its_words():
    assert populations_of(REC8) == ((("type", "diabet"),),)
    assert populations_of(REC6) == ()  # "including those with": no one is left out
    assert populations_of(REC23) == ()
    assert populations_of("In African American patients with hypertension, we recommend against ...") \
        == ((("hypertens",),), (("african", "american"),))
    assert populations_of("We suggest psychotherapy for women who are pregnant or breastfeeding with MDD.") \
        == ((("pregnant", "breastfeed"), ("mdd",)),)
    assert populations_of("We suggest advising patients with hypertension and overweight/obesity to lose weight.") \
        == ((("hypertens",), ("overweight", "obes")),)


def test_a_population_counts_as_named_by_its_words_stems_and_acronyms():
    assert unasked_population(REC8, frozenset({"hypertens", "lisinopril"}))
    assert not unasked_population(REC8, frozenset({"type", "diabet"}))
    assert not unasked_population(REC25, frozenset({"hypertens"}))  # "hypertensive" is the question's hypertension
    losing = "We suggest advising patients with hypertension and overweight/obesity to lose weight."
    assert unasked_population(losing, frozenset({"hypertens"})) and not unasked_population(losing, frozenset({"hypertens", "obes"}))
    # one of the alternatives named is enough; a part named by one of its words is named
    assert not unasked_population("For women who are pregnant or breastfeeding, we suggest X.", frozenset({"breastfeed"}))
    assert not unasked_population("For patients with exercise-induced bronchospasm, X is used.", frozenset({"exercis"}))


def test_a_recommendation_for_a_population_not_asked_gives_way_to_one_for_the_patient():
    hits = [_rec(8, REC8, "Strong for", 1.0), _rec(25, REC25, "Weak for", 0.9), _rec(23, REC23, "Strong for", 0.85)]
    draft = compose(ASKED, hits, 6)
    assert draft.direct[0].text == REC25


def test_a_recommendation_for_the_population_the_question_names_keeps_its_place():
    hits = [_rec(8, REC8, "Strong for", 1.0), _rec(25, REC25, "Weak for", 0.9)]
    draft = compose("66 yo with HTN and type 2 diabetes, what systolic BP goal?", hits, 6)
    assert draft.direct[0].text == REC8
    # ... in the acronym the documents define: the focus names type 2 diabetes mellitus for T2DM
    from assistant.followup import focus_of

    question = "66 yo with HTN and T2DM, what systolic BP goal?"
    draft = compose(question, hits, 6, focus=focus_of(question, VOCAB))
    assert draft.direct[0].text == REC8


# ---- what the question asks: a drug to add, not a goal ----------------------------------------------------------------
def test_asked_what_to_add_next_a_goal_to_treat_to_is_no_answer():
    assert asks_another(ASKED) and asks_another("on metformin, what to add?") and not asks_another("A1c target?")
    assert states_target(REC6) and not states_target(REC23)
    hits = [_rec(6, REC6, "Weak for", 1.0), _rec(23, REC23, "Strong for", 0.9)]
    assert compose(ASKED, hits, 6).direct[0].text == REC23
    # asked for the goal, the goal answers
    assert compose("65 yo w stage 2 HTN, what BP goal?", hits, 6).direct[0].text == REC6


# ---- a lead states one strength -------------------------------------------------------------------------------------
def test_a_second_recommendation_of_another_strength_does_not_join_a_lead_asking_no_aspect():
    first = _rec(23, REC23, "Strong for", 1.0)
    other = _rec(27, "For the treatment of hypertension, there is insufficient evidence to recommend for or against "
                     "initiating combination therapy over initiating monotherapy with the sequential addition.", "Neither for nor against",
                 0.97)
    draft = compose("new stage 2 hypertension, thiazide or combination therapy?", [first, other], 6)
    assert len(draft.direct) == 1


# ---- general clinical words from the shared lexicon ---------------------------------------------------------------------
def test_a_sites_own_corpus_reads_general_circumstances_from_the_shared_lexicon(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "lexicon.yaml").write_text("abbreviations:\n  htn: hypertension\n", encoding="utf-8")
    site = load_vocabulary(tmp_path / "rules", tmp_path / "lexicon.yaml")
    found = site.find("hx of DVT last year - anything different?".lower(), "contexts")
    assert found is not None and found.name == "thrombosis_risk"
    assert site.find("active infection now", "contexts").name == "active_infection"
    assert "rituximab" not in {t.canonical for t in site.contexts}  # the demo corpus's own circumstances stay its own
    assert site.normalise("allo sct") == "allogeneic stem cell transplant" and site.abbreviations["htn"] == "hypertension"


def test_a_corpus_row_replaces_the_shared_row_of_the_same_key(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "lexicon.yaml").write_text(
        "contexts:\n  - canonical: thrombosis_risk\n    label: clotting risk\n    terms: [clotting risk]\n", encoding="utf-8")
    site = load_vocabulary(tmp_path / "rules", tmp_path / "lexicon.yaml")
    rows = [t for t in site.contexts if t.canonical == "thrombosis_risk"]
    assert len(rows) == 1 and rows[0].label == "clotting risk"
    assert {t.canonical for t in BASE.contexts} >= {"rituximab", "thrombosis_risk", "active_infection"}


# ---- negated mentions ---------------------------------------------------------------------------------------------------
def test_a_population_or_condition_the_question_negates_is_not_the_patients():
    frame = read_question("71 yo F w stage 2 HTN, no DM/CKD. which drug class first?", VOCAB)
    assert "renal_impairment" not in frame.population and frame.indication == "doc:htn:hypertension"
    assert not frame.other_indications
    # the corpus's vocabulary alone: CKD is a population word, negated all the same
    assert "renal_impairment" not in read_question("pt with HTN, no CKD, which drug?", BASE).population
    assert "renal_impairment" not in read_question("HTN without renal impairment. which drug?", BASE).population
    assert "renal_impairment" in read_question("pt with HTN and CKD, which drug?", BASE).population
    frame = read_question("71 yo F w stage 2 HTN and DM, no CKD. which drug class first?", VOCAB)
    assert "renal_impairment" not in frame.population and frame.other_indications
