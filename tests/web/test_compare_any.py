"""Comparing any two plans, of different scenarios too, from the Plans list: the objective
table, the change list read in each plan's own scenario, and the side-by-side terms."""

import re

from planner.services.planning import plans as plan_svc
from tests.web.test_plans import solve
from tests.web.test_scenarios import store, tiny_scenario


def two_scenarios(app):
    """An original and a tighter duplicate (fewer credits), each solved once."""
    loose = tiny_scenario("Original")
    tight = tiny_scenario("Tight copy")
    tight["terms"] = [{**t, "max_credits": 3} for t in tight["terms"]]
    a_sid, b_sid = store(app, loose), store(app, tight)
    return (a_sid, solve(app, a_sid)), (b_sid, solve(app, b_sid))


def test_plans_list_ticks_two_plans_of_different_scenarios(app, staff_client):
    (_, a), (_, b) = two_scenarios(app)
    listing = staff_client.get("/plans/").get_data(as_text=True)
    assert f'name="plan" value="{a}"' in listing and f'name="plan" value="{b}"' in listing
    assert "Compare the two ticked plans" in listing
    response = staff_client.get(f"/plans/compare?plan={b}&plan={a}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/plans/compare?a={a}&b={b}")
    # not two: back to the list with a message, nothing else happens
    response = staff_client.get(f"/plans/compare?plan={a}", follow_redirects=True)
    assert "Tick exactly two plans to compare (you ticked 1)" in response.get_data(as_text=True)


def test_side_by_side_term_by_term_with_changes(app, staff_client):
    (_, a), (_, b) = two_scenarios(app)
    page = staff_client.get(f"/plans/compare?a={a}&b={b}").get_data(as_text=True)
    assert "Original" in page and "Tight copy" in page  # each plan's own scenario
    assert 'id="objective-table"' in page and 'id="side-table"' in page
    for term in ("2027-1", "2027-2"):
        assert f'<th scope="row">{term}</th>' in page
    # the tight plan takes fewer courses: some are dropped (or moved) for this learner
    assert re.search(r'data-change="(removed|moved)"', page)
    other = staff_client.get(f"/plans/compare?a={a}&b={b}&learner=wang.wei").get_data(as_text=True)
    assert '<option value="wang.wei" selected>' in other
    assert "(3 people)" in other


def test_gaps_of_each_plan_are_read_in_its_own_scenario(app, web_session):
    """A's gap per skill comes from A's scenario even when B's scenario differs."""
    loose = tiny_scenario("A")
    b_body = tiny_scenario("B")
    b_body["roles"][0]["weights"] = {"data.sql": 10}  # B weighs SQL far more
    a_sid, b_sid = store(app, loose), store(app, b_body)
    a, b = solve(app, a_sid), solve(app, b_sid)
    result = plan_svc.compare_plans(web_session, a, b, b_sid, a_sid)
    own = plan_svc.skill_gaps(
        plan_svc.catalog_for(web_session, a_sid), plan_svc.plan_model(web_session, a)
    )
    assert {s: ga for s, _, ga, _ in result.gaps if ga} == {s: v for s, v in own.items() if v}


def test_side_by_side_marks_moves_both_ways():
    catalog = plan_svc.Catalog.of(tiny_scenario())
    from planner.scenario import Plan

    def plan(schedule):
        return Plan.model_validate(
            {"status": "OPTIMAL", "learners": [{"id": "li.na", "schedule": schedule}]}
        )

    a = plan({"2027-1": ["SQL1", "AI1"], "2027-2": ["SQL2"]})
    b = plan({"2027-1": ["SQL1"], "2027-2": ["SQL2", "AI1", "MKT1"]})
    rows = plan_svc.side_by_side(catalog, a, catalog, b, "li.na")
    first, second = rows
    assert [(c.course, c.change, c.other_term) for c in first.a] == [
        ("SQL1", "same", None),
        ("AI1", "moved", "2027-2"),
    ]
    assert [(c.course, c.change) for c in second.b] == [
        ("SQL2", "same"),
        ("AI1", "moved"),
        ("MKT1", "added"),
    ]


def test_learner_list_is_capped_changed_first():
    learners = [(f"p{i}", i % 100 == 0) for i in range(1000)]
    shown = plan_svc.learner_options(learners, "p999", limit=20)
    assert shown[:10] == [(f"p{i}", True) for i in range(0, 1000, 100)]
    assert len(shown) == 21 and shown[-1] == ("p999", False)  # the current one stays
