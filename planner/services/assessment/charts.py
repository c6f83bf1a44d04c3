"""Assessment charts: a learner's radar (self vs calibrated vs target) and the staff
report's over-confidence bars. Drawing is planner.services.analytics.charts; this module only
decides what to plot, so the pages stay free of chart logic."""

from __future__ import annotations

from markupsafe import Markup

from planner.scenario import LEVEL_NAMES
from planner.services.analytics.charts import Series, bars, radar

SELF_COLOR = "#f59e0b"  # amber: what the learner says
CALIBRATED_COLOR = "#2563eb"  # blue: what the evidence supports
TARGET_COLOR = "#64748b"  # slate, dashed: what the role needs


def profile_radar(profile, title: str = "Self-rating, calibrated level and target") -> Markup:
    """One axis per skill of the profile (role skills first, then other rated skills).
    Skills not self-rated plot self at 0 so the polygon stays closed."""
    rows = sorted(profile.rows, key=lambda r: (r.target == 0, r.area, r.skill_id))
    if not rows:
        return Markup('<p class="empty">No skills to show yet.</p>')
    axes = [r.name for r in rows]
    series = [
        Series("Target", [r.target for r in rows], TARGET_COLOR, dashed=True, filled=False),
        Series("Self-rating", [r.self_level or 0 for r in rows], SELF_COLOR),
        Series("Calibrated", [r.level for r in rows], CALIBRATED_COLOR),
    ]
    return radar(axes, series, title=title, ring_labels=list(LEVEL_NAMES))


def calibration_bars(report) -> Markup:
    """Share of over-confident self-ratings per skill area, in percent."""
    if not report.areas:
        return Markup('<p class="empty">No self-ratings with evidence to compare yet.</p>')
    labels = [f"{a.name} (n={a.compared})" for a in report.areas]
    values = [round(100 * a.over_share, 1) for a in report.areas]
    return bars(labels, values, title="Over-confident self-ratings by area (%)", max_value=100)
