"""PDF answers round 5 (#13): conditions a question says the patient does not have are not searched or answered;
"which ... first?" asks for the option a guideline ranks first."""

from assistant.vocabulary import (Vocabulary, asks_to_rank, negated_condition_spans, open_ask,
                                  without_negated_conditions)

VOCAB = Vocabulary(acronyms=(("CKD", "chronic kidney disease"), ("DM", "diabetes mellitus"), ("HTN", "hypertension")))


def test_negated_conditions_left_out():
    assert without_negated_conditions("71 yo F w stage 2 HTN, no DM/CKD. which drug class first?", VOCAB) == \
        "71 yo F w stage 2 HTN, . which drug class first?"
    assert "CKD" not in without_negated_conditions("pt without diabetes or CKD, BP goal?", VOCAB)
    assert "HTN" not in without_negated_conditions("no hx of HTN, on aspirin", VOCAB)


def test_negation_of_something_else_kept():
    for text in ("no response to SSRIs, what next?", "no improvement after 6 wks", "stage 2 HTN with DM and CKD"):
        assert negated_condition_spans(text, VOCAB) == []
        assert without_negated_conditions(text, VOCAB) == text


def test_which_first_ranks_and_asks():
    for q in ("which drug class first?", "new COPD dx, FEV1 55%. which maintenance inhaler first?"):
        assert asks_to_rank(q) and open_ask(q)
    assert not asks_to_rank("psychotherapy or start an SSRI first?")


def test_turn_placed_later_follows_on():
    from assistant.vocabulary import follows_on_in_time

    for text in ("6 mo later, FEV1 45, still SOB on the LAMA", "still short of breath", "a year on, A1c 8.1"):
        assert follows_on_in_time(text)
    for text in ("COPD pt, 6 mo of cough. which inhaler?", "later-onset asthma in a 60 yo"):
        assert not follows_on_in_time(text)
