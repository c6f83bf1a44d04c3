"""Catalog rows <-> validated Scenario objects."""

import pytest

from planner.scenario import dump_json, parse_scenario
from planner.services.scenarios.build import BuildError, scenario_from_db, store_scenario


def test_stored_scenario_comes_back_equal(catalog_session, catalog_data):
    built = scenario_from_db(catalog_session, curriculum_id="demo", constraints={"budget": 50000})
    original = parse_scenario(catalog_data)
    assert built.name == original.name
    for kind in ("roles", "terms", "courses", "learners"):
        assert getattr(built, kind) == getattr(original, kind), kind
    assert {s.id: s for s in built.skills} == {s.id: s for s in original.skills}
    assert built.constraints.budget == 50000


def test_selection_of_learners_terms_and_roles(catalog_session):
    built = scenario_from_db(
        catalog_session,
        learner_ids=["wang.fang"],
        terms=["2027-1"],
        options={"time_limit_s": 5, "workers": 1},
        objective=["gap", "cost"],
    )
    assert [lr.id for lr in built.learners] == ["wang.fang"]
    assert [t.id for t in built.terms] == ["2027-1"]
    assert [r.id for r in built.roles] == ["analyst"]
    # offered keeps only what exists among the chosen terms
    assert built.course("MKT210").offered == ["2027-1"]
    assert built.options.workers == 1 and built.objective == ["gap", "cost"]
    # only skills something refers to
    assert {s.id for s in built.skills} == {"data.sql", "data.excel", "ai.prompting"}


def test_roles_without_learners(catalog_session):
    built = scenario_from_db(
        catalog_session, curriculum_id="demo", role_ids=["analyst"], learner_ids=[]
    )
    assert built.learners == [] and [r.id for r in built.roles] == ["analyst"]


def test_unknown_ids_are_named(catalog_session):
    with pytest.raises(BuildError, match="unknown learner: nobody"):
        scenario_from_db(catalog_session, learner_ids=["nobody"])
    with pytest.raises(BuildError, match='unknown curriculum "x"'):
        scenario_from_db(catalog_session, curriculum_id="x")


def test_store_is_idempotent_and_keeps_the_file(catalog_session, catalog_data):
    scenario = parse_scenario(catalog_data)
    first = store_scenario(catalog_session, scenario, curriculum_id="demo")
    again = store_scenario(catalog_session, scenario, curriculum_id="demo")
    catalog_session.commit()
    assert first.record.id == again.record.id
    assert again.record.body["courses"][2]["id"] == "MKT210"
    assert dump_json(
        scenario_from_db(catalog_session, curriculum_id="demo", constraints={"budget": 50000})
    ) == dump_json(
        scenario_from_db(catalog_session, curriculum_id="demo", constraints={"budget": 50000})
    )


def test_courses_referenced_from_another_curriculum_are_pulled_in(catalog_session):
    other = parse_scenario(
        {
            "format": "planner-scenario/1",
            "name": "Advanced",
            "skills": [{"id": "data.sql"}],
            "terms": [{"id": "2028-1", "season": "spring"}],
            "courses": [{"id": "MKT310", "credits": 3, "teaches": {"data.sql": 4}}],
        }
    )
    store_scenario(catalog_session, other, curriculum_id="advanced")
    catalog_session.commit()
    from planner.services.io.records import write_records

    # the catalog links it to the demo programme's MKT210
    course = {"id": "MKT310", "credits": 3, "prerequisites": ["MKT210"], "curriculum": "advanced"}
    write_records(catalog_session, "courses", [course])
    built = scenario_from_db(catalog_session, curriculum_id="advanced")
    assert {c.id for c in built.courses} == {"MKT310", "MKT210", "MKT101", "STA101"}
