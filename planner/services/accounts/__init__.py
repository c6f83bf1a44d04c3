"""Who may sign in: user accounts, API tokens and sign-in throttling."""
