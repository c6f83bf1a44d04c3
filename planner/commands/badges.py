"""`planner badges export | import | keygen`: Open Badges 3.0 (docs/interop.md)."""

from pathlib import Path

import click

from planner.commands import Command, Group, fail, migrated_database
from planner.commands.options import path_option


@click.group("badges", cls=Group)
def badges():
    """Open Badges 3.0: export achieved skill levels, import badges as evidence."""


@badges.command("export", cls=Command)
@click.argument("learner")
@click.option(
    "--plan",
    "plan_id",
    type=int,
    default=None,
    help="Badge the final levels of this completed plan (default: calibrated evidence).",
)
@click.option(
    "--key",
    "key_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Ed25519 PEM private key to sign with (default: $PLANNER_BADGE_KEY).",
)
@path_option("--out", help="File to write (default: stdout).")
def export(learner, plan_id, key_path, out):
    """LEARNER's achieved levels as OpenBadgeCredentials (JSON, or JWTs when signed)."""
    from sqlmodel import Session

    from planner.services.interop.badges import BadgeError, export_badges, export_bytes

    with Session(migrated_database()) as session:
        try:
            credentials, signed = export_badges(session, learner, plan_id, key_path)
        except BadgeError as exc:
            fail([str(exc)])
    if not credentials:
        fail([f'learner "{learner}" has no evidence-backed skill level to badge yet'])
    data = export_bytes(credentials, signed)
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        try:
            out.write_bytes(data)
        except OSError as exc:
            fail([f"cannot write {out}: {exc.strerror}"])
        kind = "signed JWT" if signed else "unsigned JSON"
        click.echo(f"wrote {len(credentials)} badge(s) ({kind}) to {out}", err=True)


@badges.command("import", cls=Command)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--learner", default=None, help="Learner to credit (default: the learner the badge names)."
)
def import_(file, learner):
    """Import Open Badges (JSON or JWT) as assessment evidence; all or nothing."""
    from sqlmodel import Session

    from planner.services.interop.badges import BadgeError, import_badge
    from planner.services.io.report import ImportRejected

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail([f"cannot read {file}: {exc.strerror}"])
    with Session(migrated_database()) as session:
        try:
            report = import_badge(session, data, file.name, learner, commit=True)
        except (ImportRejected, BadgeError) as exc:
            session.rollback()
            problems = getattr(exc, "problems", [str(exc)])
            fail([*problems, "nothing imported"])
    click.echo(str(report))


@badges.command("keygen", cls=Command)
@path_option(
    "--out", required=True, help="File to write the private key to (PEM); refused if it exists."
)
def keygen(out):
    """Write a new Ed25519 signing key (PEM); set PLANNER_BADGE_KEY to its path."""
    from planner.services.interop.badges import generate_key

    if out.exists():
        fail([f"{out} exists; not overwriting a key"])
    out.write_bytes(generate_key())
    out.chmod(0o600)
    click.echo(f"wrote {out}; export PLANNER_BADGE_KEY={out}", err=True)
