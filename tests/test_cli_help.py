"""Help that answers questions: every option of every command says what it does and shows
its default; commands that use a database name DATABASE_URL and the default file; solve
and check list their exit codes."""

import click
import pytest

from planner.cli import COMMANDS
from planner.cli import cli as planner


def all_commands():
    ctx = click.Context(planner)
    out = []
    for name in planner.list_commands(ctx):
        command = planner.get_command(ctx, name)
        out.append((name, command))
        if isinstance(command, click.Group):
            sub = click.Context(command, parent=ctx)
            out += [
                (f"{name} {s}", command.get_command(sub, s)) for s in command.list_commands(sub)
            ]
    return out


COMMAND_NAMES = [name for name, _ in all_commands()]


def help_text(cli, name: str) -> str:
    result = cli(*name.split(), "--help", terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_walk_finds_every_command():
    assert set(COMMANDS) <= {n.split()[0] for n in COMMAND_NAMES}
    assert {"scenario build", "scenario cohort", "schema", "serve"} <= set(COMMAND_NAMES)


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_every_option_is_described_and_shows_its_default(cli, name):
    command = dict(all_commands())[name]
    assert command.help, f"{name}: no description"
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        label = f"{name} {param.opts[0]}"
        assert param.help and len(param.help) > 10, f"{label}: no help text"
        has_default = not (
            param.required or param.is_flag or param.multiple or param.default is None
        )
        if has_default:
            assert param.show_default, f"{label}: default {param.default!r} not shown"
    text = help_text(cli, name)
    for param in command.params:
        if isinstance(param, click.Option) and param.show_default and param.default is not None:
            assert "[default:" in text, name


DB_COMMANDS = ["init-db", "seed", "import", "export", "demo", "serve", "create-user"]


@pytest.mark.parametrize("name", DB_COMMANDS)
def test_database_commands_name_database_url_and_the_default_file(cli, name, monkeypatch, tmp_path):
    text = " ".join(help_text(cli, name).split())
    assert "DATABASE_URL" in text
    from planner import resources

    assert str(resources.default_db_path()) in text


def test_solve_and_check_list_their_exit_codes(cli):
    solve = " ".join(help_text(cli, "solve").split())
    for code in ("0 OPTIMAL or FEASIBLE", "1 bad input", "2 INFEASIBLE", "4 UNKNOWN"):
        assert code in solve
    check = " ".join(help_text(cli, "check").split())
    for code in ("0 valid", "1 bad input", "3 invalid"):
        assert code in check
    assert "docs/scenario-format.md" in solve and "docs/scenario-format.md" in check
