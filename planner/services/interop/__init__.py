"""Standard interchange formats: Moodle competency frameworks (moodle.py), 1EdTech CASE
1.0 packages (case.py), roles from O*NET and ESCO (onet.py, esco.py) and Open Badges 3.0
credentials (badges.py). Documented in docs/interop.md.

The importer (planner/services/io/importer.py) asks `import_standard` first, so
`planner import`, the web upload and the API recognise these files by their content.
"""

from __future__ import annotations

from sqlmodel import Session

from planner.services.interop import badges, case, moodle
from planner.services.interop.common import read_taxonomy, write_taxonomy
from planner.services.io.report import ImportReport
from planner.services.io.tables import read_document

TAXONOMY_FORMATS = ("moodle", "case")
DESCRIPTION = (
    "Exported by planner: skill areas (domains) and their skills; every skill has "
    "five behavioural level descriptors, levels 0 none, 1 aware, 2 working, "
    "3 proficient, 4 expert."
)


def export_taxonomy(session: Session, fmt: str) -> bytes:
    """The stored taxonomy as a Moodle framework CSV or a CASE CFPackage JSON."""
    taxonomy = read_taxonomy(session)
    if fmt == "moodle":
        return moodle.export_moodle(taxonomy, DESCRIPTION)
    if fmt == "case":
        return case.export_case_bytes(taxonomy, DESCRIPTION)
    raise ValueError(f'unknown taxonomy format "{fmt}" (one of {", ".join(TAXONOMY_FORMATS)})')


def filename(fmt: str) -> str:
    return {"moodle": "taxonomy-moodle.csv", "case": "taxonomy-case.json"}[fmt]


def import_standard(session: Session, data: bytes, name: str, suffix: str) -> ImportReport | None:
    """Import `data` if it is one of the standard formats, else None (not ours).
    Raises ImportRejected, having written nothing, when it is ours but bad."""
    if suffix == ".csv" and moodle.looks_like_moodle(data):
        records, problems = moodle.parse_moodle(data, name)
        return write_taxonomy(session, name, records, problems)
    if suffix in (".json", ".jwt", ".txt"):
        if badges.looks_like_jwt(data):  # signed badges, one compact JWT per line
            return badges.import_badge(session, data, name)
        document = read_document(data, yaml_syntax=False)  # Unreadable: caller reports it
        if case.is_case(document):
            records, problems = case.parse_case(document, name)
            return write_taxonomy(session, name, records, problems)
        if badges.is_credential(document):
            return badges.import_badge(session, data, name)
    return None
