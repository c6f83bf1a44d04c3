"""Ids that really exist in the O*NET 29.3 and ESCO 1.1.1 extracts (seed/reference/)."""

import csv
from functools import cache

import pytest

from planner.services.catalog.taxonomy import reference_data_dir


def data_dir():
    path = reference_data_dir()
    if path is None:
        pytest.fail("O*NET/ESCO extracts not found: seed/reference/ is missing from the checkout")
    return path


def _column(relative: str, column: str) -> set[str]:
    with open(data_dir() / relative, encoding="utf-8", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


@cache
def onet_elements() -> set[str]:
    return _column("onet/content_model_skills_knowledge.csv", "Element ID")


@cache
def onet_occupations() -> set[str]:
    return _column("onet/occupations.csv", "O*NET-SOC Code")


@cache
def esco_skills() -> set[str]:
    return _column("esco/skills.csv", "conceptUri")


@cache
def esco_occupations() -> set[str]:
    return _column("esco/occupations.csv", "conceptUri")
