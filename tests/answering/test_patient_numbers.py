"""Patient numbers as a clinician reads them: the phase asked (not the one said to be over), the dose the question
states, the labelling asked for a SCIG factor, the dosing weight never silently replaced by the actual weight,
populations said to be absent, and questions asking when."""

from __future__ import annotations

from assistant.calculate import calculations
from assistant.compose import asked_quantities, states_asked_quantity
from assistant.doses import load_rulebook
from assistant.question import read_question
from assistant.lexical import tokenize
from assistant.vocabulary import load_vocabulary
from tests.conftest import CORPUS

VOCAB = load_vocabulary(CORPUS / "rules", CORPUS / "lexicon.yaml")
BOOK = load_rulebook(CORPUS / "rules")


class FakeHit:
    def __init__(self, doc_id: str, text: str) -> None:
        self.doc_id, self.text, self.chunk_id, self.meta, self.score, self.heading_path = doc_id, text, doc_id, {}, 1.0, []


CIDP = FakeHit("ig-immunomodulatory-cidp", "In adults with CIDP, the Privigen US label gives a loading dose of IVIG 2 g/kg divided "
               "over 2-5 consecutive days, then a maintenance dose of IVIG 1 g/kg every 3 weeks.")
PID = FakeHit("ig-primary-antibody-deficiency", "In children with primary immunodeficiency, the Ontario guidelines allow a lower "
              "IVIG range of 0.3-0.6 g/kg every 3-4 weeks. In adults the Ontario guidelines recommend maintenance IVIG 0.4-0.6 g/kg "
              "every 4 weeks. The Ontario guidelines allow one additional IVIG dose of 0.4 g/kg in the first month.")
OBESITY = FakeHit("ig-dosing-weight-obesity", "The adjusted dosing weight equals ideal body weight plus 0.4 × (actual body "
                  "weight minus ideal body weight).")
CONVERSION = FakeHit("ig-ivig-to-scig-conversion", "The US Hizentra label multiplies the weekly IVIG equivalent by 1.37; "
                     "the EU labels convert 1:1, with a factor of 1.")


def _formulas(question: str, hits: list) -> list[str]:
    return [c.formula for c in calculations(BOOK, read_question(question, VOCAB), hits, question=question)]


def test_the_phase_said_to_be_over_is_not_worked_out():
    assert _formulas("CIDP maintenance dose for 90 kg pt after loading?", [CIDP]) == ["1 g/kg × 90 kg = 90 g"]
    assert _formulas("CIDP 90 kg, dose after the loading?", [CIDP]) == ["1 g/kg × 90 kg = 90 g"]


def test_the_extra_dose_for_an_unasked_circumstance_is_not_worked_out_beside_the_regimen():
    assert _formulas("XLA boy 18 kg - Ontario IVIG range?", [PID]) == ["0.3-0.6 g/kg × 18 kg = 5.4-10.8 g"]


def test_the_dose_the_question_states_is_worked_out_on_the_dosing_weight():
    formulas = _formulas("45F with CVID, IBW 50 kg, weighs 100 kg. ontario dosing at 0.4 g/kg - what's her dose?", [PID, OBESITY])
    assert formulas == ["50 kg + 0.4 × (100 kg − 50 kg) = 70 kg", "0.4 g/kg × 70 kg = 28 g"]
    # A stated dose no rule of the indication allows is not worked out as given.
    assert not any("0.9 g/kg" in f for f in _formulas("45F with CVID, 60 kg, 0.9 g/kg q4w - how many grams?", [PID]))


def test_no_dose_on_the_actual_weight_when_the_dosing_weight_cannot_be_cited():
    assert _formulas("CVID, IBW 50 kg, weighs 100 kg (BMI 41). Ontario IVIG dose?", [PID]) == []


def test_the_labelling_asked_decides_the_scig_factor():
    assert _formulas("Germany pt, Hizentra per EU SmPC, currently 40 g IVIG every 4 weeks. weekly SC dose?",
                     [CONVERSION]) == ["40 g ÷ 4 weeks × 1 = 10 g"]
    assert _formulas("pt on 40 g IVIG every 4 weeks moving to Hizentra. weekly dose?",
                     [CONVERSION]) == ["40 g ÷ 4 weeks × 1.37 = 13.7 g"]


def test_a_population_said_to_be_absent_is_not_the_patients():
    assert "pregnancy" not in read_question("45M ITP 90kg, no pregnancy issues obviously. dose?", VOCAB).population
    assert "pregnancy" not in read_question("ITP, not pregnant, 60 kg", VOCAB).population
    assert "pregnancy" in read_question("is IVIG not safe in pregnancy for ITP?", VOCAB).population


def test_a_question_asking_when_is_answered_by_a_time_near_its_words():
    quantities = asked_quantities("when can she have MMR?")
    assert quantities
    assert states_asked_quantity("Live virus vaccines such as measles should be deferred for 11 months after IVIG.",
                                 quantities, set(tokenize("when can she have measles vaccine")))
    assert asked_quantities("when is adjusted weight mandatory in Ontario?") == []
    assert asked_quantities("is IVIG indicated when IgG is low?") == []


RATES = FakeHit("ig-administration-infusion-rates", "EU labelling starts IVIG at 0.5 mL/kg/h for the first 30 minutes; in adults "
                "with primary immunodeficiency the rate may be raised up to 8 mL/kg/h.")


def test_a_starting_rate_the_indications_rules_lack_is_the_one_given_for_every_indication():
    question = "EU-licensed IVIG, 50kg woman w PID, what do I start the pump at?"
    assert _formulas(question, [RATES]) == ["0.5 mL/kg/h × 50 kg = 25 mL/h"]


def test_a_dose_given_in_the_history_does_not_lead_an_answer_about_something_else(assistant):
    answer = assistant.ask("19yo got 2 g/kg ivig yesterday, now severe headache, neck stiffness, photophobia ~24h later")
    assert "aseptic meningitis" in answer.summary.lower()
    assert "g/kg" not in answer.summary.split("[1]")[0]


SCIG_PID = FakeHit("ig-primary-antibody-deficiency", "In primary immunodeficiency, the Ontario guidelines give SCIG 0.1-0.15 "
                   "g/kg per week on adjusted body weight as the maintenance range.")


def test_a_switch_without_a_regimen_asks_the_new_routes_dose():
    question = "CVID 70 kg, if she goes subcut instead, ontario weekly range?"
    frame = read_question(question, VOCAB)
    assert {"switch", "dose"} <= set(frame.aspects)
    formulas = [c.formula for c in calculations(BOOK, frame, [SCIG_PID, PID], question=question)]
    assert formulas and all("0.1-0.15 g/kg" in f for f in formulas)
