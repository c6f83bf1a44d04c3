"""Where a cohort falls short: gap analytics and the SVG charts they are drawn with."""
