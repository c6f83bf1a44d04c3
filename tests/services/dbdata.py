"""Small catalog data shared by the database, import and export tests."""

import json

SCENARIO = {
    "format": "planner-scenario/1",
    "name": "Demo programme 示例",
    "skills": [
        {"id": "data.sql", "name": "SQL for marketing data", "area": "data-analysis"},
        {"id": "data.excel", "name": "Spreadsheets", "area": "data-analysis"},
        {"id": "ai.prompting", "name": "Prompt design", "area": "ai-tools"},
    ],
    "roles": [
        {"id": "analyst", "name": "Marketing data analyst",
         "requires": {"data.sql": 3, "ai.prompting": 2}, "weights": {"data.sql": 2}},
    ],
    "terms": [
        {"id": "2027-1", "season": "spring", "max_credits": 18},
        {"id": "2027-2", "season": "fall", "max_credits": 18, "min_credits": 3},
    ],
    "courses": [
        {"id": "MKT101", "title": "Marketing numbers", "credits": 3, "hours": 45, "cost": 300,
         "teaches": {"data.excel": 2}},
        {"id": "STA101", "title": "Statistics", "credits": 2.5, "teaches": {"data.excel": 1}},
        {"id": "MKT210", "title": "Marketing analytics with SQL", "credits": 3, "cost": 600,
         "teaches": {"data.sql": 3}, "requires_skills": {"data.excel": 1},
         "prerequisites": ["MKT101"], "prerequisites_any": [["STA101", "MKT101"]],
         "offered": ["fall", "2027-1"], "capacity": 30, "max_sections": 2, "session_cost": 1200},
        {"id": "AI100", "title": "Prompting", "credits": 1, "teaches": {"ai.prompting": 2}},
    ],
    "learners": [
        {"id": "li.na", "role": "analyst", "levels": {"data.sql": 1}, "completed": ["MKT101"],
         "count": 2, "terms": ["2027-1", "2027-2"], "max_credits": 9, "budget": 1500,
         "gap_mode": "close", "required": ["AI100"], "excluded": ["STA101"],
         "pinned": {"MKT210": "2027-2"}, "target": {"ai.prompting": 3}},
        {"id": "wang.fang", "role": "analyst"},
    ],
    "constraints": {"budget": 50000},
}  # fmt: skip


def write_scenario(path, data=None):
    path.write_text(json.dumps(data or SCENARIO, ensure_ascii=False), encoding="utf-8")
    return path
