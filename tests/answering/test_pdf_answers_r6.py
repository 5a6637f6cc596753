"""PDF answers round 6 (#13): follow-up turns over a site's own guidelines, one test per class.

- a follow-up that leaves the condition out keeps its qualifier ("episodic migraine"), unless it says a contrasting one;
- a follow-up stating a new age asks the earlier question for that age ("and if she were 31 and pregnant?");
- an age written as a bare number beside its person ("her husband, 70, ...") is the patient's age;
- a turn about another person keeps the conversation's condition when it names none of its own (or only illnesses no
  indexed guideline is about), never the earlier patient's facts;
- a lead states one recommendation's strength: another recommendation graded otherwise does not join it.
"""

from __future__ import annotations


from assistant.compose import compose
from assistant.followup import another_person_audience, another_person_subject, standalone_question
from assistant.people import audience
from assistant.question import patient_facts
from assistant.retrieval import Hit
from assistant.vocabulary import bare_age, condition_qualifier, document_conditions, load_vocabulary, with_conditions
from tests.answering.hits import recommendation_hit
from tests.conftest import CORPUS

HEADACHE = "VA/DoD Clinical Practice Guideline for the Management of Headache"
MDD = "VA/DoD Clinical Practice Guideline for the Management of Major Depressive Disorder"
HTN = "VA/DoD Clinical Practice Guideline for the Diagnosis and Management of Hypertension in the Primary Care Setting"
DM = "VA/DoD Clinical Practice Guideline for the Management of Type 2 Diabetes Mellitus in Primary Care"
TEXTS = {"mdd": "Major depressive disorder (MDD) is common. " * 3, "htn": "Hypertension (HTN) is common. " * 3,
         "dm": "Type 2 diabetes mellitus (T2DM) is common. " * 3, "ha": "Migraine and tension-type headache. " * 3}
VOCAB = with_conditions(load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml"),
                        document_conditions({"ha": HEADACHE, "mdd": MDD, "htn": HTN, "dm": DM}, TEXTS))


def _known(word: str) -> bool:
    return True


def _rewrite(*turns: str) -> list[str]:
    history: list[str] = []
    for turn in turns:
        history.append(standalone_question(turn, history, VOCAB, known=_known))
    return history


# ---- a follow-up keeps the qualifier of the condition ---------------------------------------------------------------
def test_the_qualifier_written_before_a_condition_is_read():
    for text, word, qualifier in (("40yo F episodic migraine 6 days/mo", "migraine", "episodic"),
                                  ("67 yo woman w mild-moderate MDD, first episode", "MDD", "mild-moderate"),
                                  ("71 yo F w stage 2 HTN", "HTN", "stage 2"), ("vet w chronic PTSD", "PTSD", "chronic"),
                                  ("pt with HTN", "HTN", ""), ("new HTN", "HTN", "")):
        assert condition_qualifier(text, text.index(word)) == qualifier, text


def test_a_follow_up_that_leaves_the_condition_out_keeps_its_qualifier():
    turns = _rewrite("40yo F episodic migraine 6 days/mo + HTN. lisinopril for prevention, good idea?",
                     "what about botox for her?")
    assert "episodic migraine" in turns[1].lower()


def test_a_contrasting_qualifier_in_the_follow_up_replaces_the_carried_one():
    turns = _rewrite("40yo F episodic migraine 6 days/mo + HTN. lisinopril for prevention, good idea?",
                     "what about botox for her?", "and if it turns chronic, 18 days/mo?")
    assert "episodic" not in turns[2].lower() and "migraine" in turns[2].lower()


# ---- a new age in a follow-up ---------------------------------------------------------------------------------------
def test_a_bare_age_beside_its_person_is_the_age():
    for text, age in (("what about her husband, 70, african american - lisinopril alone?", 70),
                      ("and if she were 31 and pregnant?", 31), ("and for another pt who is 45, uncomplicated", 45),
                      ("what about his mom, 84, CHF + dementia?", 84)):
        assert bare_age(text) == age and patient_facts(text).age_years == age, text


def test_a_number_that_is_not_an_age_is_not_read_as_one():
    for text in ("6 mo later, FEV1 45, still SOB", "pt is 45 kg", "she is 31 weeks pregnant", "A1c 8.1, on metformin",
                 "BP 152/94, which drug?", "she was 12.5 mg daily"):
        assert bare_age(text) is None, text
    assert patient_facts("T2DM 52yo, A1c target?").age_years == 52


def test_a_follow_up_stating_a_new_age_replaces_the_earlier_one():
    turns = _rewrite("67 yo woman w mild-moderate MDD, first episode. psychotherapy or start an SSRI first?",
                     "and if she were 31 and pregnant?")
    assert "31 year old" in turns[1] and "67" not in turns[1] and "mild-moderate" in turns[1]


# ---- another person, the same conversation subject ------------------------------------------------------------------
HISTORY = ["71 year old F w stage 2 HTN, no DM. which drug class first?", "Chlorthalidone dose — in stage 2 HTN?"]


def test_another_person_naming_no_condition_keeps_the_conversations_condition():
    kept = another_person_subject("what about her husband, 70, african american - can I put him on lisinopril by itself?",
                                  HISTORY, VOCAB, _known)
    assert kept is not None and "htn" in kept.lower()
    kept = another_person_subject("ok different pt - remitted on sertraline 100. how long do i keep it going?",
                                  ["67 year old woman w mild-moderate MDD. psychotherapy or an SSRI first?"], VOCAB, _known)
    assert kept is not None and "mdd" in kept.lower()


def test_another_persons_illnesses_no_guideline_is_about_keep_the_subject_and_the_aspect():
    kept = another_person_subject("what about his mom, 84, CHF + dementia, life expectancy prob <5 yrs?",
                                  ["type 2 diabetes mellitus, 52 year old, healthy otherwise. A1c target?"], VOCAB, _known)
    assert kept is not None and "target" in kept.lower() and "diabetes" in kept.lower()


def test_another_person_with_a_guidelines_condition_of_their_own_starts_over():
    assert another_person_subject("different pt: 58 yo with type 2 diabetes mellitus, A1c target?", HISTORY, VOCAB,
                                  _known) is None
    assert another_person_subject("next pt: MDD, first episode, which SSRI?", HISTORY, VOCAB, _known) is None
    assert another_person_subject("another pt", [], VOCAB, _known) is None


def test_the_audience_keeps_the_earlier_turns_but_not_the_patient():
    turns = [{"question": q, "standalone_question": q} for q in HISTORY]
    text = "what about her husband, 70, african american - can I put him on lisinopril by itself?"
    who = audience(text, turns)
    assert who.new_person and not who.turns  # the people reader alone starts over
    kept, carried = another_person_audience(text, turns, who, VOCAB, _known)
    assert kept.new_person and kept.turns == turns and carried
    same = audience("his sister, same dose?", turns)
    assert another_person_audience("his sister, same dose?", turns, same, VOCAB, _known) == (same, None)


# ---- a lead states one recommendation's strength --------------------------------------------------------------------
def _rec(n: int, text: str, strength: str, score: float) -> Hit:
    return recommendation_hit(n, text, strength, score, "preg", "Pregnancy")


def test_another_recommendation_graded_otherwise_does_not_join_the_lead():
    older = _rec(1, "We suggest offering women greater than 44 years of age planned delivery at 38 weeks gestational "
                    "age to reduce the risk of stillbirth.", "Weak for", 1.0)
    late = _rec(2, "We recommend offering scheduled delivery to women who reach 41 weeks and 0/7 days undelivered.",
                "Strong for", 0.98)
    draft = compose("another pt who is 45, uncomplicated - when should we plan delivery?", [older, late], 6)
    assert len(draft.direct) == 1 and draft.direct[0].hit in (older, late)
