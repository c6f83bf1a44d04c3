"""Build and store roles from O*NET / ESCO occupations (the CLI, web and API share this)."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlmodel import Session

from planner.services.catalog.taxonomy import load_taxonomy
from planner.services.interop.esco import role_from_esco
from planner.services.interop.onet import role_from_onet
from planner.services.io.importer import import_file
from planner.services.io.report import ImportReport


def build_role(source: str, code: str, **options) -> dict:
    """source "onet" (code = O*NET-SOC code) or "esco" (code = occupation URI)."""
    builders: dict[str, Callable[..., dict]] = {"onet": role_from_onet, "esco": role_from_esco}
    return builders[source](code, load_taxonomy(), **options)


def save_role(session: Session, built: dict, *, commit: bool = True) -> ImportReport:
    """Store the role through the importer: unknown skills are refused, nothing half-written."""
    document = {"format": "planner-records/1", "kind": "roles", "rows": [built["role"]]}
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return import_file(session, data, f"{built['role']['id']}.json", kind="roles", commit=commit)
