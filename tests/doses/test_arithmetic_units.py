"""Minutes per hour written in a rate's arithmetic ("× 60 min/h") are a unit, so the restated rate is checked right way
round: 4 mg/kg/min of a 10% product is 2.4 mL/kg/h, and 24 mL/kg/h is a tenfold error."""

from __future__ import annotations

from assistant.doses import check_text

SOURCE = ["For a 10% product, a rate in mg/kg/min is converted to mL/kg/h by multiplying by 60 minutes per hour and "
          "dividing by the concentration of 100 mg/mL, which is the same as multiplying by 0.6"]


def _verdicts(book, text: str) -> dict[str, str]:
    return {f.text: f.verdict for f in check_text(text, book, sources=SOURCE)}


def test_minutes_per_hour_in_a_rate_conversion_are_a_unit(corpus_book):
    right = _verdicts(corpus_book, "For a 10% product: 4 mg/kg/min × 60 min/h ÷ 100 mg/mL = 2.4 mL/kg/h.")
    assert right["2.4 mL/kg/h"] not in ("out_of_range", "unit_error")
    wrong = _verdicts(corpus_book, "For a 10% product: 4 mg/kg/min × 60 min/h ÷ 100 mg/mL = 24 mL/kg/h.")
    assert wrong["24 mL/kg/h"] == "unit_error"


def test_a_restated_rate_for_the_patients_weight_is_recomputed(corpus_book):
    from assistant.doses.calculated import recompute
    from assistant.models import Calculation

    rule = "rate-conversion-10-percent"
    right = recompute(Calculation(formula="1 mg/kg/min × 60 ÷ 50 mg/mL = 1.2 mL/kg/h; 1.2 mL/kg/h × 60 kg = 72 mL/h",
                                  rule_id=rule), corpus_book)
    assert right is not None and {1.2, 72.0} <= right.values
    # Wrong at either step: not recomputed, so the checker's own verdict stands.
    assert recompute(Calculation(formula="1 mg/kg/min × 60 ÷ 50 mg/mL = 1.2 mL/kg/h; 1.2 mL/kg/h × 60 kg = 7.2 mL/h",
                                 rule_id=rule), corpus_book) is None
    assert recompute(Calculation(formula="1 mg/kg/min × 60 ÷ 50 mg/mL = 12 mL/kg/h", rule_id=rule), corpus_book) is None
