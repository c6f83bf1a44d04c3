"""`planner export scenario`: json by default, and the options its errors name exist."""

import json

import pytest

from planner.scenario import parse_scenario


@pytest.fixture(scope="module")
def seeded(cli, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'x.db'}"
    result = cli("seed", db=url)
    assert result.exit_code == 0, result.output
    return url


def test_an_ambiguous_scenario_export_names_the_options_that_resolve_it(cli, seeded):
    result = cli("export", "scenario", db=seeded)
    assert result.exit_code == 1
    assert "several term calendars exist" in result.output
    assert (
        "pass --curriculum ID (one of: ai-marketing-college, corporate-ai-upskilling) "
        "or --terms T1,T2,..." in result.output
    )


def test_curriculum_export_is_a_json_scenario_by_default(cli, seeded):
    result = cli("export", "scenario", "--curriculum", "ai-marketing-college", db=seeded)
    assert result.exit_code == 0, result.output
    scenario = parse_scenario(json.loads(result.stdout))
    assert [t.id for t in scenario.terms][:2] == ["Y1-fall", "Y1-spring"]


def test_terms_option_picks_the_terms(cli, seeded, tmp_path):
    out = tmp_path / "q.yaml"
    result = cli(
        "export", "scenario", "--terms", "2027-Q1,2027-Q2", "--format", "yaml", "--out", out,
        db=seeded,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    import yaml

    scenario = parse_scenario(yaml.safe_load(out.read_text(encoding="utf-8")))
    assert [t.id for t in scenario.terms] == ["2027-Q1", "2027-Q2"]
    unknown = cli("export", "scenario", "--terms", "2027-Q9", db=seeded)
    assert unknown.exit_code == 1 and "unknown term: 2027-Q9" in unknown.output


def test_row_exports_take_no_scenario_selection(cli, seeded):
    result = cli("export", "courses", "--terms", "2027-Q1", db=seeded)
    assert result.exit_code == 1 and "courses exports take neither" in result.output
    assert cli("export", "courses", db=seeded).stdout.startswith("id,")
