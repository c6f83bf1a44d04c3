"""Convert proficiency ratings from other frameworks to the planner's 0-4 levels.

Every supported scale is a closed numeric range. The mapping is a linear rescale of that
range onto 0..4 followed by rounding half up, so it is monotone and sends the scale's
minimum to 0 and its maximum to 4:

    level = floor((value - low) / (high - low) * 4 + 0.5)

| scale     | source                                   | range | examples                     |
|-----------|------------------------------------------|-------|------------------------------|
| onet_lv   | O*NET "Level" (LV) ratings               | 0-7   | 0→0, 1.75→1, 4→2, 5.3→3, 7→4 |
| degreed   | Degreed skill levels                     | 1-8   | 1→0, 3→1, 5→2, 7→3, 8→4      |
| workday   | Workday five-point proficiency           | 1-5   | 1→0, 3→2, 5→4                |

Rounding half up (not Python's round-half-to-even) keeps equal steps behaving equally.
"""

import math
from numbers import Real

# scale name -> (lowest value, highest value)
SCALES: dict[str, tuple[float, float]] = {
    "onet_lv": (0.0, 7.0),
    "degreed": (1.0, 8.0),
    "workday": (1.0, 5.0),
}
MAX_LEVEL = 4


def to_level(value: float, scale: str) -> int:
    """Map a rating on `scale` to a planner level 0-4; ValueError for bad input."""
    if scale not in SCALES:
        known = ", ".join(sorted(SCALES))
        raise ValueError(f"unknown scale {scale!r} (known scales: {known})")
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(value):
        raise ValueError(f"{scale} rating must be a number, got {value!r}")
    low, high = SCALES[scale]
    if not low <= value <= high:
        raise ValueError(f"{scale} rating {value!r} is outside its range {low:g}-{high:g}")
    return math.floor((value - low) / (high - low) * MAX_LEVEL + 0.5)
