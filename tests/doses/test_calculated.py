"""Calculated statements: the dose layer recomputes each formula against its rule before any of its doses is shown."""

from __future__ import annotations

import pytest

from assistant.doses import check_text, load_rulebook
from assistant.doses.calculated import confirm, recompute
from assistant.models import Calculation
from tests.conftest import CORPUS

BOOK = load_rulebook(CORPUS / "rules")


@pytest.mark.parametrize("formula, rule_id", [
    ("2 g/kg × 18 kg = 36 g", "kawasaki-aha-2017"),
    ("0.8-1 g/kg × 22 kg = 17.6-22 g", "itp-child-ash-2011"),
    ("100-200 mg/kg × 16 kg = 1.6-3.2 g", "pid-scig-start-aaaai"),
    ("30 g ÷ 4 weeks × 1.37 = 10.3 g", "scig-factor-hizentra-us"),
    ("60 kg + 0.4 × (110 kg − 60 kg) = 80 kg", "adjusted-weight-factor-ontario"),
])
def test_a_right_formula_for_its_rule_is_recomputed(formula, rule_id):
    assert recompute(Calculation(formula=formula, rule_id=rule_id), BOOK) is not None


@pytest.mark.parametrize("formula, rule_id", [
    ("2 g/kg × 18 kg = 3.6 g", "kawasaki-aha-2017"),          # arithmetic off by ten
    ("1 g/kg × 18 kg = 18 g", "kawasaki-aha-2017"),           # not the rule's per-kg dose
    ("2 g/kg × 18 kg = 36 g", "itp-child-ash-2011"),          # another indication's rule
    ("30 g ÷ 4 weeks × 1.3 = 9.8 g", "scig-factor-hizentra-us"),  # Cuvitru's factor under Hizentra's rule
    ("30 g ÷ 4 weeks × 1.37 = 41.1 g", "scig-factor-hizentra-us"),  # the whole 4-weekly dose multiplied
    ("60 kg + 0.4 × (110 kg − 60 kg) = 90 kg", "adjusted-weight-factor-ontario"),
    ("2 g/kg × 18 kg = 36 g", "no-such-rule"),
])
def test_a_wrong_formula_is_not_recomputed(formula, rule_id):
    assert recompute(Calculation(formula=formula, rule_id=rule_id), BOOK) is None


def test_confirm_verifies_only_the_doses_of_a_recomputed_formula():
    text = "Calculated weekly Hizentra dose for this patient from IVIG: 40 g ÷ 4 weeks × 1.37 = 13.7 g weekly SCIG."
    findings = check_text(text, BOOK, sources=[])
    good = confirm(text, findings, [Calculation(formula="40 g ÷ 4 weeks × 1.37 = 13.7 g", rule_id="scig-factor-hizentra-us")], BOOK)
    assert all(f.verdict == "verified" for f in good)
    wrong = text.replace("13.7 g", "54.8 g")
    findings = check_text(wrong, BOOK, sources=[])
    bad = confirm(wrong, findings, [Calculation(formula="40 g ÷ 4 weeks × 1.37 = 54.8 g", rule_id="scig-factor-hizentra-us")], BOOK)
    assert any(f.verdict != "verified" for f in bad)


def test_a_patients_level_against_a_threshold_is_recomputed():
    from assistant.doses.calculated import recompute
    from assistant.models import Calculation

    book = load_rulebook(CORPUS / "rules")
    assert recompute(Calculation(formula="2.5 g/L < 4 g/L", rule_id="threshold-sid-eu"), book) is not None
    assert recompute(Calculation(formula="250 mg/dL < 400 mg/dL", rule_id="threshold-sid-eu"), book) is not None
    assert recompute(Calculation(formula="5.5 g/L < 4 g/L", rule_id="threshold-sid-eu"), book) is None  # wrong side
    assert recompute(Calculation(formula="2.5 g/L < 5 g/L", rule_id="threshold-sid-eu"), book) is None  # not the rule's bound
