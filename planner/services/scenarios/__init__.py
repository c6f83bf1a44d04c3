"""What staff plan with: stored scenarios, their rules, seats and the files they become."""
