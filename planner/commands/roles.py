"""`planner role from-onet | from-esco`: a role from an O*NET or ESCO occupation."""

import json
from collections.abc import Callable

import click

from planner.commands import Command, Group, fail, migrated_database
from planner.commands.options import F


@click.group("role", cls=Group)
def role():
    """Build roles from O*NET or ESCO occupations (docs/interop.md)."""


def _emit(built: dict, save: bool) -> None:
    if save:
        from sqlmodel import Session

        from planner.services.interop.roles import save_role
        from planner.services.io.report import ImportRejected

        with Session(migrated_database()) as session:
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


def _from_source(
    name: str, argument: str, default_id: str, *options: Callable[[F], F]
) -> Callable[[F], click.Command]:
    """A `role from-...` command: its source's code, --id, the source's own options, --save."""
    params: list[Callable[[F], F]] = [
        click.argument(argument),
        click.option("--id", "role_id", default=None, help=f"Role id (default: {default_id})."),
        *options,
        click.option("--save", is_flag=True, help="Store the role in the database."),
    ]

    def decorate(function: F) -> click.Command:
        for param in reversed(params):
            function = param(function)
        return role.command(name, cls=Command)(function)

    return decorate


def _level_option(name: str, default: int, help: str) -> Callable[[F], F]:
    return click.option(
        name, type=click.IntRange(1, 4), default=default, show_default=True, help=help
    )


@_from_source(
    "from-onet",
    "soc",
    "onet-<code>",
    click.option(
        "--min-importance",
        type=click.FloatRange(1, 5),
        default=3.0,
        show_default=True,
        help="O*NET importance (1-5) a skill needs to join the role.",
    ),
)
def from_onet(soc, role_id, min_importance, save):
    """A role from an O*NET occupation, printed as JSON; SOC is a code like 13-1161.00."""
    _emit(_build("onet", soc, role_id=role_id, min_importance=min_importance), save)


@_from_source(
    "from-esco",
    "occupation_uri",
    "esco-<uuid prefix>",
    _level_option("--essential-level", 3, "Level required for the occupation's essential skills."),
    _level_option("--optional-level", 2, "Level required for the occupation's optional skills."),
)
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
