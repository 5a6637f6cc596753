"""A calculated volume at a product's strength is recomputed by the dose checker (doses/calculated.py)."""

from __future__ import annotations

from assistant.doses.calculated import recompute
from assistant.models import Calculation


def test_a_volume_is_verified_only_when_its_arithmetic_holds(corpus_book):
    right = recompute(Calculation(formula="2 g/kg × 16 kg = 32 g; 32 g at 10% = 320 mL", rule_id="kawasaki-aha-2017"), corpus_book)
    assert right is not None and 320.0 in right.values
    wrong = recompute(Calculation(formula="2 g/kg × 16 kg = 32 g; 32 g at 10% = 32 mL", rule_id="kawasaki-aha-2017"), corpus_book)
    assert wrong is None
    timed = recompute(Calculation(formula="2 g/kg × 8 kg = 16 g; 16 g at 10% = 160 mL; 160 mL ÷ 12 h = 13.3 mL/h",
                                  rule_id="kawasaki-aha-2017"), corpus_book)
    assert timed is not None and 13.3 in timed.values
