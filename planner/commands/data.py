"""`planner init-db | seed | import | export`: the database from the command line.

The database is DATABASE_URL, else planner.db in the per-user data folder
(planner.resources.default_db_path). Bad input prints one line per problem and exits 1
(never a traceback).
"""

import sys
from pathlib import Path

import click

from planner import db
from planner.commands import DbCommand, fail, migrated_database
from planner.commands.options import path_option


@click.command("init-db", cls=DbCommand)
def init_db():
    """Create the database or upgrade it to the newest schema (Alembic migrations shipped
    with planner). Safe to run again: an up-to-date database is left as it is."""
    engine = migrated_database()
    click.echo(f"database ready: {engine.url.render_as_string(hide_password=True)}")


@click.command("seed", cls=DbCommand)
@path_option(
    "--seed-dir",
    folder=True,
    help="Folder with taxonomy.yaml and roles.yaml.  [default: the seed data shipped with planner]",
)
@path_option(
    "--curricula-dir",
    folder=True,
    help="Folder of curriculum files (*.json).  [default: the curricula shipped with planner]",
)
def seed(seed_dir, curricula_dir):
    """Load the skills taxonomy, the roles and the curricula into the database (creating
    or upgrading it first). Idempotent: running it again changes nothing."""
    from planner.scenario import ScenarioError
    from planner.services.catalog.seeding import seed as run_seed
    from planner.services.catalog.taxonomy import TaxonomyError

    engine = migrated_database()
    try:
        with db.session_scope(engine) as session:
            report = run_seed(session, seed_dir, curricula_dir)
    except TaxonomyError as exc:
        fail(exc.problems)
    except ScenarioError as exc:
        fail(f"{exc.source}: {p}" if exc.source else str(p) for p in exc.problems)
    click.echo(str(report))


@click.command("import", cls=DbCommand)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["skills", "roles", "terms", "courses", "learners", "scenario"]),
    default=None,
    help="What the file holds.  [default: guessed from its name, sheet names or columns]",
)
@click.option(
    "--curriculum",
    default=None,
    help="Curriculum id for a scenario file.  [default: the file name without extension]",
)
def import_file(file, kind, curriculum):
    """Import FILE: CSV/XLSX/JSON rows of one kind, or a scenario file (JSON/YAML).

    All or nothing: a file with any bad row imports nothing and lists every problem with
    its row and column. Columns: docs/import-formats.md; scenarios:
    docs/scenario-format.md. Also recognised by their content: a Moodle competency
    framework CSV, a 1EdTech CASE package (JSON) and Open Badges 3.0 credentials (JSON or
    JWT) — docs/interop.md."""
    from planner.services.io.importer import import_file as run_import
    from planner.services.io.report import ImportRejected

    engine = migrated_database()
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        try:
            report = run_import(session, file, kind=kind, curriculum_id=curriculum)
        except ImportRejected as exc:
            fail([*exc.problems, f"nothing imported ({len(exc.problems)} problem(s))"])
    click.echo(str(report))


@click.command("export", cls=DbCommand)
@click.argument(
    "kind",
    type=click.Choice(["skills", "roles", "terms", "courses", "learners", "scenario", "taxonomy"]),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "json", "yaml", "moodle", "case"]),
    default=None,
    help="File format: csv, xlsx or json for rows; json or yaml for a scenario; moodle "
    "or case for the taxonomy.  [default: csv for rows, json for a scenario, moodle for "
    "the taxonomy]",
)
@path_option("--out", help="File to write; required for xlsx.  [default: standard output]")
@click.option(
    "--curriculum",
    default=None,
    help="For a scenario: the curriculum whose courses, terms and learners to export.  "
    "[default: everything, if it has one term calendar]",
)
@click.option(
    "--terms",
    default=None,
    metavar="T1,T2,...",
    help="For a scenario: the term ids to plan over.  [default: the curriculum's calendar]",
)
def export(kind, fmt, out, curriculum, terms):
    """Export KIND from the database: rows as csv, xlsx or json, a whole scenario
    (planner-scenario/1, docs/scenario-format.md) as json or yaml, or the taxonomy as a
    Moodle competency framework CSV or a 1EdTech CASE JSON package (docs/interop.md)."""
    from sqlmodel import Session

    from planner.scenario import ScenarioError
    from planner.services.interop import TAXONOMY_FORMATS, export_taxonomy
    from planner.services.io.exporter import ExportError, export_kind
    from planner.services.scenarios.build import BuildError

    if fmt is None:
        fmt = {"scenario": "json", "taxonomy": "moodle"}.get(kind, "csv")
    if kind != "scenario" and (curriculum or terms):
        fail([f"--curriculum and --terms select a scenario; {kind} exports take neither"])
    if (kind == "taxonomy") != (fmt in TAXONOMY_FORMATS):
        fail([f"--format {fmt} does not fit {kind}: the taxonomy exports as moodle or case, "
              "other kinds as csv, xlsx, json or yaml"])  # fmt: skip
    if fmt == "xlsx" and out is None:
        fail(["--out is required for xlsx (binary) output"])
    engine = migrated_database()
    selection = {"curriculum_id": curriculum} if curriculum else {}
    if terms:
        selection["terms"] = [t.strip() for t in terms.split(",") if t.strip()]
    with Session(engine) as session:
        try:
            if kind == "taxonomy":
                data = export_taxonomy(session, fmt)
            else:
                data = export_kind(session, kind, fmt, **selection)
        except (ExportError, BuildError) as exc:
            fail([str(exc), *_export_hint(session, kind, str(exc))])
        except ScenarioError as exc:
            fail(["the stored data does not make a valid scenario:", *exc.problems])
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail([f"cannot write {out}: {exc.strerror}"])
    click.echo(f"wrote {out}", err=True)


def _export_hint(session, kind: str, message: str) -> list[str]:
    """Name the options that resolve an ambiguous scenario export."""
    if kind != "scenario" or "term calendars" not in message:
        return []
    from sqlmodel import select

    from planner.models import Curriculum

    known = ", ".join(session.exec(select(Curriculum.id).order_by(Curriculum.id)).all())
    return [f"pass --curriculum ID (one of: {known}) or --terms T1,T2,..."]
