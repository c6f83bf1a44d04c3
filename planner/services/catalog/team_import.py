"""Team import on the Learners page: upload → preview → confirm.

The file is read by the catalog importer (`planner.services.io.importer`, kind "learners":
the learners columns of docs/import-formats.md, or the employees CSV of docs/cohort.md
whose `employee_id` is the importer's `id`), so the web import and `planner import … --kind
learners` accept and refuse exactly the same files. The preview runs the real import in a
transaction that is rolled back: it lists every row problem, or what would be written, and
nothing is stored until the user confirms. The upload waits between the two requests in a
private folder, under a random token bound to the user who uploaded it.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from sqlmodel import Session, col, select

from planner.models import Learner
from planner.services.io.importer import import_file
from planner.services.io.report import ImportProblem, ImportRejected, ImportReport

__all__ = ["ImportRejected", "Preview", "UploadError", "confirm", "discard", "preview", "stash"]

MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")
STASH_TTL_S = 3600  # an upload not confirmed within the hour is dropped
PREVIEW_ROWS = 50


class UploadError(ValueError):
    """The upload cannot be previewed at all (no file, wrong type, too large, expired)."""


@dataclass
class Preview:
    token: str
    filename: str
    problems: list[ImportProblem] = field(default_factory=list)
    total: int = 0
    new: int = 0
    updated: int = 0
    teams: list[tuple[str, int]] = field(default_factory=list)  # (team or "", people rows)
    rows: list[dict] = field(default_factory=list)  # the first PREVIEW_ROWS, as written

    @property
    def ok(self) -> bool:
        return not self.problems


def stash(folder: Path, data: bytes, filename: str, user_id: int) -> str:
    """Keep an upload until it is confirmed; returns its token."""
    suffix = PurePath(filename or "").suffix.lower()
    if not filename:
        raise UploadError("Choose a CSV or Excel file of learners to import.")
    if suffix not in SUFFIXES:
        raise UploadError(f'"{filename}": use a .csv or .xlsx file (got "{suffix or "no type"}").')
    if len(data) > MAX_BYTES:
        raise UploadError(f'"{filename}" is larger than {MAX_BYTES // 2**20} MB.')
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    token = secrets.token_urlsafe(18)
    (folder / f"{token}.bin").write_bytes(data)
    meta = {"filename": filename, "user": user_id, "at": time.time()}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def _load(folder: Path, token: str, user_id: int) -> tuple[bytes, str]:
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        raise UploadError("That upload is unknown; upload the file again.")
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        raise UploadError(
            "That upload has expired or was already imported; upload it again."
        ) from None
    if meta.get("user") != user_id:  # someone else's upload looks exactly like a missing one
        raise UploadError("That upload has expired or was already imported; upload it again.")
    return data, meta["filename"]


def _drop(folder: Path, token: str) -> None:
    for suffix in (".bin", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def _sweep(folder: Path) -> None:
    cutoff = time.time() - STASH_TTL_S
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                _drop(folder, path.stem)
        except OSError:
            continue


def preview(session: Session, folder: Path, token: str, user_id: int) -> Preview:
    """Run the import without keeping it: every problem, or what it would write."""
    data, filename = _load(folder, token, user_id)
    result = Preview(token=token, filename=filename)
    try:
        report = import_file(session, data, filename, kind="learners", commit=False)
    except ImportRejected as exc:
        result.problems = list(exc.problems)
        _drop(folder, token)  # nothing to confirm: the fixed file comes as a new upload
        return result
    finally:
        session.rollback()  # a preview never writes
    records = report.records.get("learners", [])
    ids = [r["id"] for r in records]
    existing = _existing_ids(session, ids)
    result.total = len(records)
    result.updated = len(existing)
    result.new = result.total - result.updated
    result.teams = sorted(Counter(r.get("team") or "" for r in records).items())
    result.rows = [
        {**r, "status": "update" if r["id"] in existing else "new"} for r in records[:PREVIEW_ROWS]
    ]
    return result


def confirm(session: Session, folder: Path, token: str, user_id: int) -> ImportReport:
    """Import the previewed upload for real (all-or-nothing: re-checked as it is written)."""
    data, filename = _load(folder, token, user_id)
    report = import_file(session, data, filename, kind="learners")  # commits; raises ImportRejected
    _drop(folder, token)
    return report


def discard(folder: Path, token: str, user_id: int) -> None:
    _load(folder, token, user_id)
    _drop(folder, token)


def _existing_ids(session: Session, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):  # stay under bind-parameter limits
        chunk = ids[start : start + 500]
        found.update(session.exec(select(Learner.id).where(col(Learner.id).in_(chunk))).all())
    return found
