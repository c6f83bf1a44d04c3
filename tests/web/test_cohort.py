"""Cohort heatmap page: access, team filter, gap after a saved plan, CSV export, and a cache
that follows learner edits made through the catalogue pages."""

import csv
import io

import pytest
from sqlmodel import select

from planner.models import Learner, LearnerLevel, PlanRecord, RoleRequirement
from planner.scenario import Plan
from tests.fixtures.web import put_in_teams
from tests.web.test_scenarios import store, tiny_scenario

TEAMS = ["Brand 品牌", "Growth"]


@pytest.fixture
def teams(web_session):
    """The seeded learners with a role, split over two teams."""
    return put_in_teams(web_session, TEAMS)


def needs_of(web_session, learner_id: str):
    """The learner and what its role requires."""
    learner = web_session.get(Learner, learner_id)
    requires = web_session.exec(
        select(RoleRequirement).where(RoleRequirement.role_id == learner.role_id)
    ).all()
    return learner, requires


def closing_plan(web_session, learner_id: str, status: str) -> Plan:
    """A plan that brings the learner to every level its role needs."""
    final = {r.skill_id: r.level for r in needs_of(web_session, learner_id)[1]}
    return Plan(status=status, learners=[{"id": learner_id, "schedule": {}, "final_levels": final}])


def csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheet programs then read UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def total_gap(rows, team=None):
    return sum(float(r["weighted_gap"]) for r in rows if team is None or r["team"] == team)


def test_staff_see_the_heatmap_learners_do_not(staff_client, learner_client, client, teams):
    page = staff_client.get("/cohort/").get_data(as_text=True)
    assert 'id="heatmap"' in page and 'class="cell heat-' in page
    assert all(team in page for team in TEAMS)
    assert 'name="team"' in page and 'name="plan"' in page and "/cohort/gaps.csv" in page
    assert learner_client.get("/cohort/").status_code == 403
    assert learner_client.get("/cohort/gaps.csv").status_code == 403
    anonymous = client.get("/cohort/")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


def test_team_filter_keeps_only_the_chosen_teams(staff_client, teams):
    page = staff_client.get("/cohort/?team=Growth").get_data(as_text=True)
    heatmap = page[page.index('id="heatmap"') :]
    assert "Growth (" in heatmap and "Brand 品牌 (" not in heatmap
    assert 'value="Brand 品牌"' in page  # still offered in the filter
    every = csv_rows(staff_client, "/cohort/gaps.csv")
    growth = csv_rows(staff_client, "/cohort/gaps.csv?team=Growth")
    assert {r["team"] for r in growth} == {"Growth"}
    assert total_gap(growth) == pytest.approx(total_gap(every, "Growth"))
    nobody = staff_client.get("/cohort/?team=Nobody").get_data(as_text=True)
    assert "No learners in the chosen teams" in nobody


def test_csv_matches_the_rules(staff_client, teams, web_session):
    rows = csv_rows(staff_client, "/cohort/gaps.csv")
    assert list(rows[0]) == [
        "team", "people", "skill", "skill_name", "area", "people_needing", "people_short",
        "weighted_gap", "gap_per_person",
    ]  # fmt: skip
    # recompute one learner's gap by hand: role requirement minus stated level
    lid = next(iter(teams))
    learner = web_session.get(Learner, lid)
    levels = {
        r.skill_id: r.level
        for r in web_session.exec(select(LearnerLevel).where(LearnerLevel.learner_id == lid))
    }
    requires = web_session.exec(
        select(RoleRequirement).where(RoleRequirement.role_id == learner.role_id)
    ).all()
    req = next(r for r in requires if r.level > levels.get(r.skill_id, 0))
    before = {(r["team"], r["skill"]): float(r["weighted_gap"]) for r in rows}
    web_session.merge(LearnerLevel(learner_id=lid, skill_id=req.skill_id, level=req.level))
    web_session.commit()
    after = {
        (r["team"], r["skill"]): float(r["weighted_gap"])
        for r in csv_rows(staff_client, "/cohort/gaps.csv")
    }
    closed = learner.count * req.weight * (req.level - levels.get(req.skill_id, 0))
    key = (learner.team, req.skill_id)
    assert before[key] - after.get(key, 0.0) == pytest.approx(closed)


def test_learner_edits_through_the_catalogue_show_at_once(staff_client, teams):
    staff_client.get("/cohort/")  # fill the cache
    form = {
        "id": "new.person", "name": "王伟", "role_id": "mkt-data-analyst", "count": "4",
        "team": "Data 数据",
    }  # fmt: skip
    assert staff_client.post("/catalog/learners/new", data=form).status_code == 302
    page = staff_client.get("/cohort/").get_data(as_text=True)
    assert "Data 数据 (4)" in page
    form["team"] = "Insight"  # rename the team: counts and ids stay the same
    form["version"] = "1"  # the edit page's hidden version of the new learner
    assert staff_client.post("/catalog/learners/new.person/edit", data=form).status_code == 302
    page = staff_client.get("/cohort/").get_data(as_text=True)
    assert "Insight (4)" in page and "Data 数据" not in page


def test_gap_after_a_saved_plan(staff_client, teams, web_session, app):
    """A plan that brings one learner to every need removes exactly that learner's gap."""
    lid = next(iter(teams))
    learner, requires = needs_of(web_session, lid)
    plan = closing_plan(web_session, lid, "FEASIBLE")
    sid = store(app, tiny_scenario())
    record = PlanRecord(
        scenario_id=sid, status="FEASIBLE", body=plan.model_dump(mode="json"), objective={}
    )
    web_session.add(record)
    web_session.commit()
    today = csv_rows(staff_client, "/cohort/gaps.csv")
    after = csv_rows(staff_client, f"/cohort/gaps.csv?plan={record.id}")
    levels = {
        r.skill_id: r.level
        for r in web_session.exec(select(LearnerLevel).where(LearnerLevel.learner_id == lid))
    }
    own = sum(
        learner.count * r.weight * max(0, r.level - levels.get(r.skill_id, 0)) for r in requires
    )
    assert own > 0 and total_gap(today) - total_gap(after) == pytest.approx(own)
    page = staff_client.get(f"/cohort/?plan={record.id}").get_data(as_text=True)
    assert f"Plan #{record.id} schedules 1 of the" in page and "after the plan" in page
    assert f'<option value="{record.id}" selected' in page
    assert staff_client.get("/cohort/?plan=999999").status_code == 404
    unsolved = PlanRecord(scenario_id=sid, status="INFEASIBLE", body={}, objective=None)
    web_session.add(unsolved)
    web_session.commit()
    assert staff_client.get(f"/cohort/?plan={unsolved.id}").status_code == 404


# -- every skill, separate role filter, before / after / difference ---------------------------
def test_every_skill_with_a_gap_is_a_column_no_top_30(staff_client, teams):
    rows = csv_rows(staff_client, "/cohort/gaps.csv")
    with_gap = {r["skill"] for r in rows if float(r["weighted_gap"]) > 0}
    assert len(with_gap) > 30  # the seeded roles need more skills than the old cut
    page = staff_client.get("/cohort/").get_data(as_text=True)
    heatmap = page[page.index('id="heatmap"') : page.index("</table>")]
    assert heatmap.count('<th scope="col" title=') == len(with_gap)
    assert f"× {len(with_gap)} skills" in page


def test_team_and_role_filters_are_separate(staff_client, teams, web_session):
    page = staff_client.get("/cohort/").get_data(as_text=True)
    team_box = page[page.index('id="team-filter"') : page.index('id="role-filter"')]
    role_box = page[page.index('id="role-filter"') : page.index('id="view-choice"')]
    assert 'value="Growth"' in team_box and 'value="mkt-data-analyst"' not in team_box
    assert 'value="mkt-data-analyst"' in role_box and 'value="Growth"' not in role_box
    analyst = web_session.exec(select(Learner).where(Learner.role_id == "mkt-data-analyst")).all()
    one = csv_rows(staff_client, "/cohort/gaps.csv?role=mkt-data-analyst")
    assert {r["team"] for r in one} <= {lr.team for lr in analyst}
    people = {r["team"]: int(r["people"]) for r in one}
    for team, n in people.items():  # team sizes count only learners of the role
        assert n == sum(lr.count for lr in analyst if lr.team == team)
    both = csv_rows(staff_client, "/cohort/gaps.csv?role=mkt-data-analyst&team=Growth")
    assert {r["team"] for r in both} <= {"Growth"}


def test_before_after_and_difference_views(staff_client, teams, web_session, app):
    lid = next(iter(teams))
    plan = closing_plan(web_session, lid, "OPTIMAL")
    record = PlanRecord(
        scenario_id=store(app, tiny_scenario()), status="OPTIMAL",
        body=plan.model_dump(mode="json"), objective={},
    )  # fmt: skip
    web_session.add(record)
    web_session.commit()
    q = f"/cohort/gaps.csv?plan={record.id}"
    before = csv_rows(staff_client, q + "&view=before")
    after = csv_rows(staff_client, q + "&view=after")
    diff = csv_rows(staff_client, q + "&view=difference")
    assert before == csv_rows(staff_client, "/cohort/gaps.csv")
    assert list(diff[0])[-4:] == [
        "weighted_gap_before", "weighted_gap_after", "weighted_gap_closed", "closed_per_person",
    ]  # fmt: skip
    closed = sum(float(r["weighted_gap_closed"]) for r in diff)
    assert closed == pytest.approx(total_gap(before) - total_gap(after)) and closed > 0
    page = staff_client.get(f"/cohort/?plan={record.id}&view=difference").get_data(as_text=True)
    assert "Gap closed per person by plan" in page and 'class="heat heat-diff"' in page
    assert 'value="difference" checked' in page and "Most gap closed" in page
    assert staff_client.get(f"/cohort/?plan={record.id}&view=sideways").status_code == 400
