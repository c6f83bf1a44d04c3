"""What the solver returns and how it reaches people: solve jobs, plans, programs, sweeps."""
