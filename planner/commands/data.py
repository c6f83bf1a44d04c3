"""`planner init-db | seed | import | export`: the database from the command line.

The database is DATABASE_URL, else instance/planner.db under the project root. Bad input
prints one line per problem and exits 1 (never a traceback).
"""

import sys
from pathlib import Path

import click

from planner import db
from planner.commands import fail


def _engine():
    url = db.default_url()
    try:
        return db.make_engine(url)
    except Exception as exc:  # a malformed URL is bad input too
        fail([f"bad DATABASE_URL: {exc}"])


def _ready(engine) -> None:
    """Migrate first, so `planner import` works on a brand-new database."""
    from sqlalchemy.exc import OperationalError

    try:
        db.upgrade(engine)
    except OperationalError as exc:
        fail([f"cannot open the database: {str(exc.orig).splitlines()[0]}"])


@click.command("init-db")
def init_db():
    """Create the database or upgrade it to the newest schema (Alembic)."""
    engine = _engine()
    _ready(engine)
    click.echo(f"database ready: {engine.url.render_as_string(hide_password=True)}")


@click.command("seed")
@click.option("--seed-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--curricula-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def seed(seed_dir, curricula_dir):
    """Load seed/taxonomy.yaml, seed/roles.yaml and curricula/*.json (idempotent)."""
    from planner.scenario import ScenarioError
    from planner.services.seeding import seed as run_seed
    from planner.services.taxonomy import TaxonomyError

    engine = _engine()
    _ready(engine)
    try:
        with db.session_scope(engine) as session:
            report = run_seed(session, seed_dir, curricula_dir)
    except TaxonomyError as exc:
        fail(exc.problems)
    except ScenarioError as exc:
        fail(f"{exc.source}: {p}" if exc.source else str(p) for p in exc.problems)
    click.echo(str(report))


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["skills", "roles", "terms", "courses", "learners", "scenario"]),
    default=None,
    help="What the file holds (default: from its name, sheet names or columns).",
)
@click.option(
    "--curriculum", default=None, help="Curriculum id for a scenario file (default: file name)."
)
def import_file(file, kind, curriculum):
    """Import a CSV/XLSX/JSON file of one kind, or a scenario (JSON/YAML); all or nothing.

    Also recognised by their content: a Moodle competency framework CSV, a 1EdTech CASE
    package (JSON) and Open Badges 3.0 credentials (JSON or JWT) — docs/interop.md."""
    from planner.services.io import ImportRejected
    from planner.services.io import import_file as run_import

    engine = _engine()
    _ready(engine)
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        try:
            report = run_import(session, file, kind=kind, curriculum_id=curriculum)
        except ImportRejected as exc:
            fail([*exc.problems, f"nothing imported ({len(exc.problems)} problem(s))"])
    click.echo(str(report))


@click.command("export")
@click.argument(
    "kind",
    type=click.Choice(["skills", "roles", "terms", "courses", "learners", "scenario", "taxonomy"]),
)
@click.option("--format", "fmt", default=None,
              type=click.Choice(["csv", "xlsx", "json", "yaml", "moodle", "case"]),
              help="csv (default), xlsx, json, yaml; taxonomy: moodle (default) or case.")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: stdout; required for xlsx).")  # fmt: skip
@click.option("--curriculum", default=None, help="For a scenario: the curriculum to export.")
def export(kind, fmt, out, curriculum):
    """Export one kind as csv, xlsx or json (a scenario as json or yaml; the taxonomy as a
    Moodle competency framework CSV or a 1EdTech CASE JSON package)."""
    from sqlmodel import Session

    from planner.scenario import ScenarioError
    from planner.services.interop import TAXONOMY_FORMATS, export_taxonomy
    from planner.services.io import ExportError, export_kind
    from planner.services.scenario_build import BuildError

    fmt = fmt or ("moodle" if kind == "taxonomy" else "csv")
    if (kind == "taxonomy") != (fmt in TAXONOMY_FORMATS):
        fail([f"--format {fmt} does not fit {kind}: the taxonomy exports as moodle or case, "
              "other kinds as csv, xlsx, json or yaml"])  # fmt: skip
    if fmt == "xlsx" and out is None:
        fail(["--out is required for xlsx (binary) output"])
    engine = _engine()
    _ready(engine)
    selection = {"curriculum_id": curriculum} if curriculum else {}
    with Session(engine) as session:
        try:
            if kind == "taxonomy":
                data = export_taxonomy(session, fmt)
            else:
                data = export_kind(session, kind, fmt, **selection)
        except (ExportError, BuildError) as exc:
            fail([str(exc)])
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
