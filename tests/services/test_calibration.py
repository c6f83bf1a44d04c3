"""The calibration rule (planner/services/assessment/calibration.py), one behaviour per test."""

from datetime import datetime, timedelta

import pytest

from planner.services.assessment.calibration import (
    HALF_LIFE_DAYS,
    SELF_ONLY_CONFIDENCE,
    Evidence,
    calibrate,
    calibrate_all,
    clamp_level,
    demonstrated_level,
    flag_for,
    recency,
)

NOW = datetime(2027, 3, 1, 12, 0)


def ev(source, level, days_ago=0, **kw):
    return Evidence(source, level, NOW - timedelta(days=days_ago), **kw)


# --- no evidence / only self ---------------------------------------------------------


def test_nothing_at_all_is_level_zero_with_zero_confidence():
    c = calibrate([], NOW)
    assert (c.level, c.confidence, c.flag, c.evidence_level) == (0, 0.0, None, None)


def test_only_self_keeps_the_self_rating_with_low_confidence():
    c = calibrate([ev("self", 3)], NOW)
    assert c.level == 3
    assert c.confidence == SELF_ONLY_CONFIDENCE
    assert c.evidence_level is None
    assert c.flag is None  # nothing to compare against


def test_old_self_rating_alone_loses_confidence():
    c = calibrate([ev("self", 2, days_ago=HALF_LIFE_DAYS)], NOW)
    assert c.confidence == pytest.approx(SELF_ONLY_CONFIDENCE / 2, abs=1e-3)


def test_newest_self_rating_replaces_older_one():
    c = calibrate([ev("self", 4, days_ago=30), ev("self", 1, days_ago=1)], NOW)
    assert c.self_level == 1


# --- self counts little once evidence exists -----------------------------------------


def test_self_rating_barely_moves_a_fresh_check():
    c = calibrate([ev("self", 4), ev("check", 1, capped=True)], NOW)
    assert c.evidence_level == 1
    assert c.level == 1  # capped by the failed check
    assert c.flag == "over"


def test_self_alone_lifts_at_most_one_level_above_weak_evidence():
    # A four-year-old course is almost no weight; self=4 would otherwise dominate.
    c = calibrate([ev("self", 4), ev("course", 1, days_ago=4 * 365)], NOW)
    assert c.evidence_level == 1
    assert c.level == 2


def test_self_cannot_break_a_check_cap_even_with_a_course_behind_it():
    c = calibrate([ev("self", 4), ev("course", 3), ev("check", 1, capped=True)], NOW)
    assert c.level == 1
    assert "check capped the level at 1" in c.reasons


# --- check scoring -------------------------------------------------------------------


def test_demonstrated_level_is_highest_contiguous_mostly_right_level():
    r = demonstrated_level({1: (1, 1), 2: (1, 1), 3: (0, 1)})
    assert (r.level, r.failed_level, r.capped) == (2, 3, True)


def test_demonstrated_level_stops_at_first_failure_even_if_higher_passes():
    r = demonstrated_level({1: (1, 1), 2: (0, 1), 3: (1, 1)})
    assert (r.level, r.failed_level) == (1, 2)


def test_demonstrated_level_needs_more_than_half():
    assert demonstrated_level({1: (1, 2)}).level == 0
    assert demonstrated_level({1: (2, 3)}).level == 1


def test_all_passed_is_not_capped_and_failing_level_one_is_zero():
    assert demonstrated_level({1: (1, 1), 2: (1, 1), 3: (1, 1)}).capped is False
    r = demonstrated_level({1: (0, 1), 2: (1, 1)})
    assert (r.level, r.failed_level) == (0, 1)


def test_unasked_levels_are_skipped():
    assert demonstrated_level({1: (1, 1), 2: (0, 0), 3: (1, 1)}).level == 3


# --- conflicting sources -------------------------------------------------------------


def test_staff_outranks_a_failed_check_and_the_conflict_is_reported():
    c = calibrate([ev("staff", 3), ev("check", 1, capped=True)], NOW)
    # weighted mean (1.0*3 + 0.8*1) / 1.8 = 2.1; the cap is lifted to the staff level.
    assert c.level == 2
    assert c.conflict is True
    assert any("staff says 3 but check says 1" in r for r in c.reasons)
    assert c.confidence == pytest.approx(0.501, abs=1e-3)


def test_check_cap_holds_against_course_without_staff():
    c = calibrate([ev("course", 3), ev("check", 0, capped=True)], NOW)
    assert c.level == 0
    assert c.conflict is True


def test_agreeing_sources_give_higher_confidence_than_one():
    one = calibrate([ev("staff", 2)], NOW)
    two = calibrate([ev("staff", 2), ev("check", 2)], NOW)
    assert one.confidence == pytest.approx(0.632, abs=1e-3)
    assert two.confidence == pytest.approx(0.835, abs=1e-3)
    assert not two.conflict


def test_course_alone_is_a_floor_one_below_what_it_taught():
    c = calibrate([ev("self", 0), ev("course", 3)], NOW)
    assert c.evidence_level == 3
    assert c.level >= 2
    old = calibrate([ev("course", 3, days_ago=5 * 365), ev("self", 0)], NOW)
    assert old.level == 2  # self pulls it down, the floor stops it at 2


def test_highest_course_counts_not_the_latest_lower_one():
    c = calibrate([ev("course", 3, days_ago=200), ev("course", 1, days_ago=10)], NOW)
    assert c.evidence_level == 3


# --- old vs recent evidence ----------------------------------------------------------


def test_recent_check_outweighs_old_staff_rating():
    c = calibrate([ev("staff", 1, days_ago=2 * 365), ev("check", 3)], NOW)
    # staff weight 1.0 * 0.25 = 0.25, check 0.8: (0.25*1 + 0.8*3) / 1.05 = 2.52
    assert c.level == 3


def test_recent_staff_outweighs_old_check():
    c = calibrate([ev("staff", 1), ev("check", 3, days_ago=2 * 365)], NOW)
    assert c.level == 1


def test_retaken_check_replaces_older_result():
    c = calibrate([ev("check", 1, days_ago=20, capped=True), ev("check", 3, days_ago=1)], NOW)
    assert c.level == 3


def test_recency_halves_every_half_life_and_ignores_future_dates():
    assert recency(NOW - timedelta(days=HALF_LIFE_DAYS), NOW) == pytest.approx(0.5)
    assert recency(NOW + timedelta(days=3), NOW) == 1.0


# --- flags ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("self_level", "evidence", "flag"),
    [(3, 1, "over"), (2, 1, None), (4, 1, "over"), (1, 3, "under"), (1, 2, None), (2, 2, None)],
)
def test_flags_start_at_exactly_two_levels(self_level, evidence, flag):
    assert flag_for(self_level, evidence) == flag


def test_flag_exactly_two_levels_through_calibrate():
    over = calibrate([ev("self", 3), ev("staff", 1)], NOW)
    assert over.flag == "over"
    under = calibrate([ev("self", 0), ev("check", 2)], NOW)
    assert under.flag == "under"
    near = calibrate([ev("self", 2), ev("staff", 1)], NOW)
    assert near.flag is None


# --- clamping ------------------------------------------------------------------------


def test_levels_clamp_to_zero_to_four():
    assert clamp_level(-3) == 0
    assert clamp_level(9) == 4
    assert clamp_level(2.5) == 3  # half up
    c = calibrate([ev("self", 7), ev("staff", 6)], NOW)
    assert (c.level, c.self_level, c.evidence_level) == (4, 4, 4)
    low = calibrate([ev("self", -2)], NOW)
    assert low.level == 0


def test_zero_quality_evidence_falls_back_to_self():
    c = calibrate([ev("self", 2), ev("check", 4, quality=0.0)], NOW)
    assert c.level == 2
    assert c.confidence == 0.0


def test_unknown_source_is_rejected():
    with pytest.raises(ValueError, match="unknown evidence source"):
        Evidence("peer", 2, NOW)


def test_calibrate_all_maps_every_skill():
    out = calibrate_all({"data.sql": [ev("self", 2)], "ai.prompting": [ev("staff", 3)]}, NOW)
    assert out["data.sql"].level == 2
    assert out["ai.prompting"].level == 3
