"""Flask blueprints. Views stay thin: they call services, which call the solver or the DB."""


def register(app):
    """Attach every blueprint to the app."""
