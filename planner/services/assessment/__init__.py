"""What a learner can do: self-ratings, knowledge checks, calibrated levels, charts."""
