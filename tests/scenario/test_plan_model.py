"""Plan.learner: the one way to find a learner's schedule inside a plan."""

from tests.scenario.test_write_plan import plan_of


def test_learner_finds_the_schedule_of_that_learner():
    plan = plan_of(3)
    assert plan.learner("p000002") is plan.learners[2]


def test_learner_is_none_for_someone_the_plan_has_not_scheduled():
    assert plan_of(3).learner("p000003") is None
