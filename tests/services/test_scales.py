"""Scale conversion: endpoints, monotonicity, documented examples and errors."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.services.assessment.scales import SCALES, to_level


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_endpoints_map_to_endpoints(scale):
    low, high = SCALES[scale]
    assert to_level(low, scale) == 0
    assert to_level(high, scale) == 4


@pytest.mark.parametrize(
    ("scale", "value", "level"),
    [
        ("onet_lv", 1.75, 1),
        ("onet_lv", 4, 2),  # O*NET "medium" level, typical of marketing occupations
        ("onet_lv", 5.3, 3),
        ("degreed", 3, 1),
        ("degreed", 5, 2),
        ("degreed", 7, 3),
        ("workday", 2, 1),
        ("workday", 3, 2),
        ("workday", 4, 3),
    ],
)
def test_documented_examples(scale, value, level):
    assert to_level(value, scale) == level


def test_half_rounds_up_not_to_even():
    # workday 1-5 has no halves; O*NET 0-7: 0.875 is exactly level 0.5
    assert to_level(0.875, "onet_lv") == 1
    assert to_level(2.625, "onet_lv") == 2  # exactly 1.5 -> 2


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_every_level_is_reached_in_order(scale):
    low, high = SCALES[scale]
    steps = [low + (high - low) * i / 400 for i in range(401)]
    levels = [to_level(v, scale) for v in steps]
    assert levels == sorted(levels)
    assert set(levels) == {0, 1, 2, 3, 4}


@given(
    scale=st.sampled_from(sorted(SCALES)),
    a=st.floats(0, 1),
    b=st.floats(0, 1),
)
def test_monotone(scale, a, b):
    low, high = SCALES[scale]
    x, y = sorted((low + a * (high - low), low + b * (high - low)))
    assert to_level(x, scale) <= to_level(y, scale)


@pytest.mark.parametrize(
    ("value", "scale", "message"),
    [
        (7.01, "onet_lv", "onet_lv rating 7.01 is outside its range 0-7"),
        (-0.5, "onet_lv", "outside its range 0-7"),
        (0, "degreed", "degreed rating 0 is outside its range 1-8"),
        (9, "degreed", "outside its range 1-8"),
        (6, "workday", "workday rating 6 is outside its range 1-5"),
        (3, "lightcast", "unknown scale 'lightcast' (known scales: degreed, onet_lv, workday)"),
        ("3", "workday", "workday rating must be a number, got '3'"),
        (math.nan, "onet_lv", "must be a number"),
        (True, "workday", "must be a number"),
    ],
)
def test_bad_input_raises_clear_error(value, scale, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        to_level(value, scale)
