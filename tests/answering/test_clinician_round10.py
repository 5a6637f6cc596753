"""Clinicians' questions, round 10: each calculated statement stands beside the rule it applies in its passage's own
words (the formula alone hides where the numbers come from), a worked example is never the calculation's citation, a
circumstance the turn names in shorthand ("had a DVT last yr") is searched, a floor the passage states ("at least
0.2 g/kg") is worked out as a floor, a unit the question itself corrects is read as it says, and a circumstance named
only as the patient's history ("recurrent infections") is not the circumstance now."""

from __future__ import annotations

import pytest

from assistant.calculate import Calculated
from assistant.question import read_question
from assistant.retrieval import Hit
from assistant.vocabulary import load_vocabulary
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")


def _calc(formula: str, passage: str, text: str = "") -> Calculated:
    hit = Hit(chunk_id="d:1", text=passage, meta={"doc_id": "d", "heading_path": '["Doc", "Rates"]'}, score=1.0)
    return Calculated(text or f"Calculated for this patient: {formula}.", formula, "rule-x", hit)


def _statements(answer):
    return [(sec.heading, st) for sec in answer.sections for st in sec.statements]


def test_the_basis_is_the_sentence_stating_the_formulas_rule():
    passage = ("- A 10% product contains 100 mg/mL of IgG.\n"
               "- For a 10% product, 0.5 mg/kg/min equals 0.3 mL/kg/h and 8 mg/kg/min equals 4.8 mL/kg/h.\n"
               "- An adult of 70 kg therefore starts at 21 mL/h.")
    assert _calc("4.8 mL/kg/h × 95 kg = 456 mL/h", passage).basis() == \
        "For a 10% product, 0.5 mg/kg/min equals 0.3 mL/kg/h and 8 mg/kg/min equals 4.8 mL/kg/h."


def test_a_sentence_with_an_amount_the_formula_does_not_use_is_no_basis():
    passage = "- Using the factor, the initial dose is 7.5 g per week × 1.30, about 9.8 g weekly."
    assert _calc("32 g ÷ 4 weeks × 1.3 = 10.4 g", passage).basis() is None


def test_a_constant_beside_another_products_constant_is_no_basis():
    passage = ("- The US dose adjustment factor for one product is 1.37 and for the other 1.30.\n"
               "- For the first product, the weekly equivalent of the IVIG dose is multiplied by 1.37.")
    assert _calc("35 g ÷ 4 weeks × 1.37 = 12 g", passage).basis() == \
        "For the first product, the weekly equivalent of the IVIG dose is multiplied by 1.37."


def test_no_sentence_states_the_rule_so_no_basis():
    assert _calc("0.4 g/kg × 60 kg = 24 g", "- Doses are individualised to the trough level.").basis() is None


def test_an_adjusted_weight_is_shown_with_the_formula_the_source_gives(assistant):
    answer = assistant.ask("CLL, recurrent infxns despite abx, IgG 3.4 g/L. she's 112 kg, IBW 64. ontario ivig in grams?")
    shown = _statements(answer)
    calculated = [i for i, (_, st) in enumerate(shown) if st.calculated]
    assert calculated
    basis = [st for heading, st in shown if heading == "For this patient" and not st.calculated]
    assert any("ideal body weight plus 0.4" in st.text for st in basis)
    assert all(st.citations for st in basis) and not any(st.withheld for st in basis)


def test_a_product_conversion_cites_the_rule_not_the_worked_example(assistant):
    answer = assistant.ask("64kg CVID on 0.5 g/kg IV every 4 wks, wants to try Cuvitru. US label starting weekly dose?")
    calc = next(st for _, st in _statements(answer) if st.calculated)
    cited = next(c for c in answer.citations if c.n == calc.citations[0])
    assert "Worked example" not in (cited.section or "")
    assert "1.30" in " ".join(st.text for _, st in _statements(answer))


def test_a_risk_named_in_shorthand_brings_its_passage_into_the_answer(make_assistant):
    a = make_assistant()
    sid = a.sessions.create("t")
    a.ask("privigen 10% for PID pt 55 kg, start rate and max in ml/hr?", session_id=sid, key_id="t")
    answer = a.ask("he had a DVT last yr — what's the cap?", session_id=sid, key_id="t")
    shown = answer.summary + " ".join(st.text for _, st in _statements(answer))
    assert "2 mg/kg/min" in shown and "66 mL/h" in answer.summary
    assert "hydrated" in shown


def test_a_floor_the_passage_states_is_worked_out_as_a_floor(assistant):
    answer = assistant.ask("CVID, 58 kg, inpatient w pneumonia right now. EU SmPC loading then maintenance — numbers pls")
    assert "at least 0.2 g/kg × 58 kg = 11.6 g every 3-4 weeks" in answer.summary
    assert "0.4-0.8 g/kg × 58 kg = 23.2-46.4 g" in answer.summary


def test_a_unit_the_question_corrects_is_read_as_the_question_says(assistant):
    answer = assistant.ask("order reads 'IVIG 400 g/kg' for a 60 kg PID pt — surely mg/kg? total?")
    assert "400 mg/kg × 60 kg = 24 g" in answer.summary and "read as mg/kg" in answer.summary
    assert "24000" not in answer.summary


def test_a_unit_no_rule_allows_is_not_worked_out_unless_the_question_corrects_it(assistant):
    answer = assistant.ask("order reads IVIG 400 g/kg for a 60 kg PID pt. total grams?")
    assert "400 mg/kg × 60 kg" not in answer.summary and "24000 g" not in answer.summary


@pytest.mark.parametrize("text, context", [
    ("CLL, recurrent infxns despite abx, IgG 3.4 g/L. ivig?", None),  # the history that qualifies her
    ("CLL with 3 pneumonias last year, IgG 3.1", None),
    ("CVID, 58 kg, inpatient w pneumonia right now", "active_infection"),
    ("recurrent pneumonias, now admitted with pneumonia", "active_infection"),  # one mention is now
])
def test_a_circumstance_named_only_as_history_is_not_the_circumstance_now(text, context):
    assert read_question(text, VOCAB).context == context
