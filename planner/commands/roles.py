"""`planner role from-onet | from-esco`: a role from an O*NET or ESCO occupation."""

import json

import click

from planner.commands import Command, Group, fail


@click.group("role", cls=Group)
def role():
    """Build roles from O*NET or ESCO occupations (docs/interop.md)."""


def _emit(built: dict, save: bool) -> None:
    if save:
        from sqlmodel import Session

        from planner.commands.data import _engine, _ready
        from planner.services.interop.roles import save_role
        from planner.services.io import ImportRejected

        engine = _engine()
        _ready(engine)
        with Session(engine) as session:
            try:
                save_role(session, built)
            except ImportRejected as exc:
                fail([*exc.problems, "role not saved (seed the taxonomy first: planner seed)"])
        click.echo(f"saved role {built['role']['id']}", err=True)
    click.echo(json.dumps(built, ensure_ascii=False, indent=2))
    if built["unmapped"]:
        click.echo(
            f"{len(built['unmapped'])} occupation skill(s) have no taxonomy counterpart "
            '(listed under "unmapped")',
            err=True,
        )


def _build(source: str, code: str, **options) -> dict:
    from planner.services.interop.onet import RoleSourceError
    from planner.services.interop.roles import build_role

    try:
        return build_role(source, code, **options)
    except RoleSourceError as exc:
        fail(exc.problems)


@role.command("from-onet", cls=Command)
@click.argument("soc")
@click.option("--id", "role_id", default=None, help="Role id (default: onet-<code>).")
@click.option(
    "--min-importance",
    type=click.FloatRange(1, 5),
    default=3.0,
    show_default=True,
    help="O*NET importance (1-5) a skill needs to join the role.",
)
@click.option("--save", is_flag=True, help="Store the role in the database.")
def from_onet(soc, role_id, min_importance, save):
    """A role from an O*NET occupation, printed as JSON; SOC is a code like 13-1161.00."""
    _emit(_build("onet", soc, role_id=role_id, min_importance=min_importance), save)


@role.command("from-esco", cls=Command)
@click.argument("occupation_uri")
@click.option("--id", "role_id", default=None, help="Role id (default: esco-<uuid prefix>).")
@click.option(
    "--essential-level",
    type=click.IntRange(1, 4),
    default=3,
    show_default=True,
    help="Level required for the occupation's essential skills.",
)
@click.option(
    "--optional-level",
    type=click.IntRange(1, 4),
    default=2,
    show_default=True,
    help="Level required for the occupation's optional skills.",
)
@click.option("--save", is_flag=True, help="Store the role in the database.")
def from_esco(occupation_uri, role_id, essential_level, optional_level, save):
    """A role from an ESCO occupation URI, printed as JSON."""
    built = _build(
        "esco",
        occupation_uri,
        role_id=role_id,
        essential_level=essential_level,
        optional_level=optional_level,
    )
    _emit(built, save)
