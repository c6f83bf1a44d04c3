"""Flask blueprints. Views stay thin: they call services, which call the solver or the DB."""

from __future__ import annotations

import importlib
from typing import TypeVar

from flask import Flask, abort

from planner.views import text
from planner.views.args import register_converters

T = TypeVar("T")

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


def register(app: Flask) -> None:
    """Attach every blueprint to the app (after the bounded `int` URL converter)."""
    register_converters(app)
    text.register(app)
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)


def or_404(found: T | None, description: str) -> T:
    """`found`, or a 404 page saying `description` ("There is no plan 7.") when it is None."""
    if found is None:
        abort(404, description=description)
    return found
