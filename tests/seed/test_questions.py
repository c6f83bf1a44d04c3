"""seed/questions.yaml: structure, coverage and that every skill is in the taxonomy."""

from collections import Counter, defaultdict

import pytest
import yaml

from planner.services.assessment.questions import (
    CHECK_LEVELS,
    Question,
    QuestionBankError,
    load_questions,
)
from planner.services.catalog.taxonomy import load_roles, load_taxonomy
from tests import REPO

BANK = REPO / "seed" / "questions.yaml"


@pytest.fixture(scope="module")
def bank():
    return load_questions()


def test_bank_is_utf8_and_parses(bank):
    text = BANK.read_text(encoding="utf-8")
    assert "单独同意" in text  # Chinese legal terms survive as UTF-8
    assert len(bank) >= 75


def test_every_skill_exists_in_the_taxonomy(bank):
    known = load_taxonomy().skill_ids
    unknown = sorted({q.skill for q in bank.values()} - known)
    assert unknown == []


def test_at_least_25_skills_each_with_levels_1_to_3(bank):
    levels = defaultdict(set)
    for q in bank.values():
        levels[q.skill].add(q.level)
    covered = [s for s, lv in levels.items() if {1, 2, 3} <= lv]
    assert len(covered) >= 25
    assert all(1 <= q.level <= 3 for q in bank.values())


def test_every_area_of_the_brief_is_covered(bank):
    prefixes = {q.skill.split(".")[0] for q in bank.values()}
    assert {"data", "ai", "hai", "crea", "crm", "law"} <= prefixes


def test_questions_are_well_formed(bank):
    for q in bank.values():
        assert q.id.startswith(f"q.{q.skill}.{q.level}"), q.id
        assert 3 <= len(q.options) <= 4, q.id
        assert len(set(q.options)) == len(q.options), f"{q.id}: duplicate options"
        assert 0 <= q.answer < len(q.options), q.id
        assert q.prompt.strip() and q.explanation.strip(), q.id


def test_correct_answers_are_spread_over_positions(bank):
    # A bank whose answer is nearly always "B" can be passed without knowing anything.
    counts = Counter(q.answer for q in bank.values())
    assert max(counts.values()) <= 0.4 * len(bank)
    # Every position is used, so no option slot is a safe "never right" elimination.
    assert set(counts) == {0, 1, 2, 3}


# --- length and position must not give the answer away ----------------------------------
# A knowledge check corrects over-confident self-ratings, so a test-wise learner must not
# pass it by picking "the longest option" (the classic tell of hand-written items) or by
# any other rule that looks only at option length or position.
SHORTCUT_CAP = 0.35  # a blind guess on four options scores 0.25


def _strictly(q, pick) -> bool:
    """The correct option is strictly the longest (pick=max) or shortest (pick=min)."""
    lengths = [len(o) for o in q.options]
    mine = lengths.pop(q.answer)
    return pick(mine, *lengths) == mine and mine not in lengths


def _rank_pick_score(q, rank: int) -> float:
    """Chance that "take the option at this length rank" (0 = longest; ties broken at
    random) picks the answer."""
    mine = len(q.options[q.answer])
    longer = sum(len(o) > mine for o in q.options)
    equal = sum(len(o) == mine for o in q.options)
    return 1 / equal if longer <= rank < longer + equal else 0.0


def test_the_answer_is_rarely_the_strictly_longest_option(bank):
    share = sum(_strictly(q, max) for q in bank.values()) / len(bank)
    assert share <= SHORTCUT_CAP, f"answer is the longest option in {share:.0%} of questions"


def test_the_answer_is_rarely_the_strictly_shortest_option(bank):
    share = sum(_strictly(q, min) for q in bank.values()) / len(bank)
    assert share <= SHORTCUT_CAP, f"answer is the shortest option in {share:.0%} of questions"


def test_no_length_rank_rule_passes_the_bank(bank):
    # Covers "second longest" too: fixing only the longest can move the tell one rank down.
    for rank in range(4):
        score = sum(_rank_pick_score(q, rank) for q in bank.values()) / len(bank)
        assert score <= SHORTCUT_CAP, f"always picking length rank {rank}: {score:.0%} right"


def test_no_answer_towers_over_its_distractors(bank):
    # Rank caps alone allow a 200-character answer beside three 50-character ones; that
    # answer is found by eye in any single check, so each question is checked on its own.
    towering = [
        q.id
        for q in bank.values()
        if len(q.options[q.answer])
        > 1.5 * max(len(o) for i, o in enumerate(q.options) if i != q.answer)
    ]
    assert towering == []


def test_answer_positions_are_each_20_to_30_percent(bank):
    counts = Counter(q.answer for q in bank.values())
    shares = {pos: counts[pos] / len(bank) for pos in range(4)}
    assert all(0.20 <= s <= 0.30 for s in shares.values()), shares


def test_length_shortcut_checks_catch_a_gameable_bank():
    # The helpers really flag the pattern they guard against.
    def make(answer, options):
        return Question("q.x.1a", "x", 1, "p", tuple(options), answer, "e")

    tell = make(2, ["no", "nope", "the long, careful and qualified right answer", "never"])
    assert _strictly(tell, max) and not _strictly(tell, min)
    assert _rank_pick_score(tell, 0) == 1.0
    tied = make(0, ["same", "also", "x", "longer one"])
    assert not _strictly(tied, max) and not _strictly(tied, min)
    assert _rank_pick_score(tied, 1) == 0.5 and _rank_pick_score(tied, 2) == 0.5


def test_every_skill_a_role_requires_has_a_full_check(bank):
    # A check asks one question per level 1-3 (CHECK_LEVELS); a required skill missing a
    # level would give a learner of that role a check that cannot show the level.
    levels = defaultdict(set)
    for q in bank.values():
        levels[q.skill].add(q.level)
    required = {skill for role in load_roles() for skill in role.requires}
    missing = {
        skill: sorted(set(CHECK_LEVELS) - levels[skill])
        for skill in sorted(required)
        if not set(CHECK_LEVELS) <= levels[skill]
    }
    assert missing == {}
    assert len(required) >= 60  # the nine roles together need most of the taxonomy


def test_ids_in_the_file_are_unique_and_follow_the_scheme():
    # Read the raw file: the loader keeps the first of two equal ids, so check the text.
    raw = yaml.safe_load(BANK.read_text(encoding="utf-8"))["questions"]
    ids = [entry["id"] for entry in raw]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    for entry in raw:
        prefix = f"q.{entry['skill']}.{entry['level']}"
        suffix = entry["id"][len(prefix) :]
        assert entry["id"].startswith(prefix) and suffix.isalpha() and suffix.islower(), entry["id"]


def test_answers_point_at_an_option(bank):
    for q in bank.values():
        assert isinstance(q.answer, int) and 0 <= q.answer < len(q.options), q.id


def _normalised(text: str) -> str:
    return " ".join(text.lower().split()).rstrip("?.:")


def test_no_prompt_is_asked_twice(bank):
    prompts = Counter(_normalised(q.prompt) for q in bank.values())
    assert [p for p, n in prompts.items() if n > 1] == []


def test_options_within_a_question_are_distinct_after_normalising(bank):
    for q in bank.values():
        options = [_normalised(o) for o in q.options]
        assert len(set(options)) == len(options), q.id


def test_duplicate_ids_and_bad_answers_are_reported_with_their_place(tmp_path):
    bad = {
        "format": "planner-questions/1",
        "questions": [
            {
                "id": "q.data.sql.1a",
                "skill": "data.sql",
                "level": 1,
                "prompt": "p",
                "options": ["a", "b", "c"],
                "answer": 0,
                "explanation": "e",
            },
            {
                "id": "q.data.sql.1a",
                "skill": "data.nosuch",
                "level": 7,
                "prompt": "p",
                "options": ["a", "b"],
                "answer": 5,
                "explanation": "e",
            },
        ],
    }
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(QuestionBankError) as err:
        load_questions(path, skill_ids={"data.sql"})
    text = str(err.value)
    assert "questions[1].id: duplicate id 'q.data.sql.1a'" in text
    assert "questions[1].skill: unknown skill 'data.nosuch'" in text
    assert "questions[1].level" in text
    assert "questions[1].options" in text
    assert "questions[1].answer" in text
