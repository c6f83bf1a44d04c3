"""What a learner can do.

questions (the check bank), ratings (self and staff), checks (knowledge checks),
calibration (the pure rule), calibrated (a learner's evidence through it), profile,
learner_data (export and deletion), cohort (the staff report), scales, charts.
"""
