"""Units: the custom pint registry, round trips, and the conversions that must never happen."""

from __future__ import annotations

import math

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.doses.arithmetic import evaluate
from assistant.doses.units import UREG, convert, unit_info, volume_rate_to_mass_rate

magnitudes = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(magnitudes)
def test_g_per_kg_round_trips_through_mg_per_kg(value):
    there = convert(value, "g/kg", "mg/kg")
    assert math.isclose(there, value * 1000, rel_tol=1e-12)
    assert math.isclose(convert(there, "mg/kg", "g/kg"), value, rel_tol=1e-12)


@given(magnitudes)
def test_mg_per_dl_round_trips_through_g_per_l(value):
    there = convert(value, "mg/dL", "g/L")
    assert math.isclose(there, value / 100, rel_tol=1e-12)
    assert math.isclose(convert(there, "g/L", "mg/dL"), value, rel_tol=1e-12)


def test_factor_100_runs_the_right_way():
    assert convert(600, "mg/dL", "g/L") == pytest.approx(6)
    assert convert(4, "g/L", "mg/dL") == pytest.approx(400)


def test_body_weight_is_its_own_dimension():
    info = unit_info("g/kg")
    assert info.dim == "mass/bw"
    assert not UREG.Quantity(1, "g/kg_bw").dimensionless  # g/kg never cancels to a pure number
    with pytest.raises(pint.errors.DimensionalityError):
        convert(1, "g/kg", "g")


def test_international_units_do_not_convert_to_mass():
    assert unit_info("IU/kg").dim == "iu/bw"
    with pytest.raises(pint.errors.DimensionalityError):
        convert(1, "IU", "mg")


def test_volume_rate_never_becomes_a_mass_rate_without_concentration():
    with pytest.raises(pint.errors.DimensionalityError):
        convert(0.3, "mL/kg/h", "mg/kg/min")
    assert volume_rate_to_mass_rate(0.3, 100) == pytest.approx(0.5)  # 10% product = 100 mg/mL


def test_per_period_is_split_from_the_unit():
    assert unit_info("mg/kg/day").per == "day"
    assert unit_info("g/kg/week").per == "week"
    assert unit_info("mg/kg/min").per is None and unit_info("mg/kg/min").dim == "mass/bw/time"


def test_arithmetic_with_units():
    value, ops = evaluate("0.4 g/kg × 70 kg")
    assert ops == 1 and value.to("g").magnitude == pytest.approx(28)
    value, _ = evaluate("30 g / 4 x 1.37")
    assert value.to("g").magnitude == pytest.approx(10.275)
    assert evaluate("0.4 g/kg + 70 kg") is None  # adding a dose to a weight is nonsense, not a number
