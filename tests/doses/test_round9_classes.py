"""Round 9 of issue 14: a passage dose given only as a reference point for another use, a pre-procedure infusion run
for fewer hours than the passage gives, right arithmetic from the question's own numbers, and a rate sentence naming
its own risk group. The classes are data (tests/doses/classes/round9.yaml, passages in our own words); each has a safe
and an unsafe member."""

from __future__ import annotations

import pytest

from tests.doses.conftest import class_members, member_caught


@pytest.mark.parametrize("member", class_members("round9"))
def test_round9_class_member(corpus_book, member):
    assert member_caught(corpus_book, member) is member.caught
