"""build_role_scenario and `planner scenario build`: through the CLI, onto disk, and
through the real solver."""

import json

import pytest

from planner.scenario import ScenarioError, load_scenario
from planner.services.catalog.curricula import CURRICULA_DIR, build_role_scenario
from tests.seed.test_roles import ROLE_IDS

COLLEGE = CURRICULA_DIR / "ai-marketing-college.json"
CORPORATE = CURRICULA_DIR / "corporate-ai-upskilling.json"


@pytest.fixture(scope="module")
def college():
    return load_scenario(COLLEGE)


def test_replaces_learners_with_one_for_the_role(college):
    out = build_role_scenario(
        college,
        "mkt-data-analyst",
        learner_id="li.na",
        levels={"data.sql": 1},
        terms=["Y1-fall", "Y1-spring"],
        budget=500,
    )
    assert len(college.learners) == 5  # the curriculum itself is untouched
    (learner,) = out.learners
    assert (learner.id, learner.role, learner.levels) == (
        "li.na",
        "mkt-data-analyst",
        {"data.sql": 1},
    )
    assert learner.terms == ["Y1-fall", "Y1-spring"] and learner.budget == 500
    assert out.courses == college.courses and out.roles == college.roles
    assert out.terms == college.terms and out.options == college.options


def test_defaults(college):
    (learner,) = build_role_scenario(college, "cmo").learners
    assert learner.id == "cmo-learner" and learner.terms is None and learner.levels == {}


def test_bad_role_skill_term_and_level_are_named(college):
    with pytest.raises(ScenarioError) as err:
        build_role_scenario(college, "astronaut", levels={"data.sq1": 1}, terms=["Y9-fall"])
    text = [str(p) for p in err.value.problems]
    assert text[0].startswith("--role: unknown role 'astronaut' (known: ai-mkt-strategist,")
    assert "--levels.data.sq1: unknown skill 'data.sq1'" in text
    assert any(t.startswith("--terms: unknown term 'Y9-fall'") for t in text)
    with pytest.raises(ScenarioError, match=r"learners\[0\]\.levels"):
        build_role_scenario(college, "cmo", levels={"data.sql": 5})


def test_cli_writes_a_loadable_scenario(cli, tmp_path):
    out = tmp_path / "me.json"
    result = cli(
        "scenario", "build", COLLEGE, "--role", "ai-mkt-strategist",
        "--learner-id", "wang.fang", "--levels", "ai.prompting=1,data.sql=1",
        "--levels", "mkt.stp=1", "--terms", "Y1-fall,Y1-spring,Y2-fall", "--budget", "0",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr
    scenario = load_scenario(out)
    (learner,) = scenario.learners
    assert learner.id == "wang.fang" and learner.role == "ai-mkt-strategist"
    assert learner.levels == {"ai.prompting": 1, "data.sql": 1, "mkt.stp": 1}
    assert scenario.learner_terms(learner) == ["Y1-fall", "Y1-spring", "Y2-fall"]
    assert learner.budget == 0
    assert len(scenario.courses) == len(load_scenario(COLLEGE).courses)
    json.loads(out.read_text(encoding="utf-8"))


def test_cli_accepts_a_curriculum_name(cli, tmp_path):
    out = tmp_path / "c.json"
    result = cli("scenario", "build", "corporate-ai-upskilling", "--role", "cmo", "--out", out)
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert scenario.constraints.budget == load_scenario(CORPORATE).constraints.budget
    assert [lr.role for lr in scenario.learners] == ["cmo"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "nope"], "--role: unknown role 'nope'"),
        (["--role", "cmo", "--levels", "data.sql=9"], "--levels.data.sql: level must be 0-4"),
        (["--role", "cmo", "--levels", "data.sql"], "--levels: 'data.sql' is not skill=level"),
        (["--role", "cmo", "--terms", "Y1-fall,Y7"], "--terms: unknown term 'Y7'"),
        (["--role", "cmo", "--budget", "-3"], "Invalid value for '--budget'"),
        ([], "Missing option '--role'"),
    ],
)
def test_cli_bad_input_exits_1_without_traceback(cli, tmp_path, args, message):
    out = tmp_path / "x.json"
    result = cli("scenario", "build", "ai-marketing-college", *args, "--out", out)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_cli_unknown_curriculum(cli, tmp_path):
    result = cli("scenario", "build", "no-such", "--role", "cmo", "--out", tmp_path / "x")
    assert result.exit_code == 1
    assert "no curriculum of that name (known: ai-marketing-college, corporate-ai-upskilling)" in (
        result.stderr
    )


ENTRY_LEVELS = {"data.spreadsheets": 1, "ai.prompting": 1, "mkt.social-media": 1}


@pytest.mark.parametrize("role", sorted(ROLE_IDS - {"cmo"}))  # the cmo has documented gaps
def test_an_entrant_reaches_every_role_in_three_years(college, role):
    """The real solver closes the whole gap of a typical entrant within the six terms."""
    from planner.solver.solve import solve

    scenario = build_role_scenario(college, role, levels=ENTRY_LEVELS)
    plan = solve(scenario, time_limit_s=20, workers=2)
    assert plan.status in ("OPTIMAL", "FEASIBLE")
    assert plan.objective["gap"] == 0, plan.learners[0].gaps
    credits = {t.id: 0.0 for t in college.terms}
    for term, courses in plan.learners[0].schedule.items():
        credits[term] += sum(college.course(c).credits for c in courses)
    assert all(credits[t.id] <= t.max_credits for t in college.terms)
