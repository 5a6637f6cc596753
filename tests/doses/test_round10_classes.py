"""Round 10 of issue 14: a worked-example rule's per-kg dose grounded by its own document when another section (the
formula) is cited, units given once in a table column's label, a "ceilings:" lead-in over a list, and a titration
step's course length wrapped across a PDF line. The classes are data (tests/doses/classes/round10.yaml, passages in our
own words; the obesity document is the project's own corpus file); each has a safe and an unsafe member."""

from __future__ import annotations

import pytest

from assistant.doses.column_units import unwrapped, with_column_units
from tests.doses.conftest import class_members, member_caught


@pytest.mark.parametrize("member", class_members("round10"))
def test_round10_class_member(corpus_book, member):
    assert member_caught(corpus_book, member) is member.caught


def test_column_label_unit_is_written_after_bare_numbers():
    out = with_column_units("Drug X 5 mg tablets: dose (mg/day) ages ≥ 12 years; low 10-20; high >40 [12] (years) 7")
    assert "low 10-20 mg/day" in out and "high >40 mg/day" in out
    assert "[12]" in out and "(years) 7" in out and "12 years" in out  # citations, ages, other labels untouched
    assert with_column_units("Rate (%) 5; dose 10") == "Rate (%) 5; dose 10"  # not a dose unit


def test_line_wrap_inside_prose_is_a_space():
    assert unwrapped("for one to two\nweeks") == "for one to two weeks"
    assert unwrapped("12 mg per\n24 hours") == "12 mg per 24 hours"
    assert unwrapped("Row A 10 mg\nRow B 20 mg") == "Row A 10 mg\nRow B 20 mg"  # a new line of a table stays
