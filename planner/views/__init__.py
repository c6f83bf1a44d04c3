"""Flask blueprints. Views stay thin: they call services, which call the solver or the DB."""

import importlib

# Each module defines `bp`, a Blueprint. Listed in navigation order.
BLUEPRINT_MODULES = [
    "planner.views.auth",
    "planner.views.home",
    "planner.views.catalog",
    "planner.views.scenarios",
    "planner.views.plans",
    "planner.views.assess",
    "planner.views.cohort",
    "planner.views.program",
    "planner.views.tradeoff",
    "planner.views.api",
    "planner.views.api_solve",
    "planner.views.health",
    "planner.views.interop",
    "planner.views.api_interop",
]


def register(app):
    """Attach every blueprint to the app (after the bounded `int` URL converter)."""
    from planner.views import text
    from planner.views.args import register_converters

    register_converters(app)
    text.register(app)
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
