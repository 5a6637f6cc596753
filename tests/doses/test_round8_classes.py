"""Round 8 of issue 14: classes of correct doses withheld (and their unsafe twins) in texts checked against dosage
table rows and guideline sentences. The classes are data (tests/doses/classes/round8.yaml: rows written in the form
ingest/tables.py renders them, in our own words); each has safe members that must pass and unsafe ones that must be
caught."""

from __future__ import annotations

import pytest

from assistant.doses import check_report
from assistant.doses.cadence import cadence
from tests.doses.conftest import class_members, member_caught


@pytest.mark.parametrize("member", class_members("round8"))
def test_round8_class_member(corpus_book, member):
    assert member_caught(corpus_book, member) is member.caught


# ---- a span of doses a day: "once or twice daily", "three to four times daily", "TID – QID" ------------------------
@pytest.mark.parametrize("words, interval", [
    ("once or twice daily", (0.5, 1.0)),
    ("three to four times daily", (0.25, 1 / 3)),
    ("2-3 times a day", (1 / 3, 0.5)),
    ("TID – QID", (0.25, 1 / 3)),
    ("BID-TID", (1 / 3, 0.5)),
    ("twice daily", (0.5, 0.5)),
])
def test_a_span_of_doses_a_day_is_a_span_of_intervals(words, interval):
    got = cadence(words, "", None).interval
    assert got is not None and abs(got[0] - interval[0]) < 1e-9 and abs(got[1] - interval[1]) < 1e-9


# ---- intravenous fluids are named drugs: their rates are never checked against another drug's rules ----------------
def test_a_fluid_rate_is_not_an_immunoglobulin_rate(corpus_book):
    report = check_report("Isotonic saline 1 mL/kg/h during the procedure.", corpus_book)
    assert [f.drug for f in report.findings] == ["saline"]
    assert not any(f.rule_id for f in report.findings)
