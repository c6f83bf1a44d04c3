"""seed/questions.yaml: structure, coverage and that every skill is in the taxonomy."""

from collections import Counter, defaultdict

import pytest
import yaml

from planner import ROOT
from planner.services.assessment import QuestionBankError, load_questions
from planner.services.taxonomy import load_taxonomy

BANK = ROOT / "seed" / "questions.yaml"


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
