"""Plan pages and plan exports name learners and their teams, not only ids."""

import csv
import io

from openpyxl import load_workbook

from planner.models import Learner
from tests.web.test_plans import solved  # noqa: F401  (fixture)


def add_person(web_session, lid="wang.wei", name="王伟", team="品牌 Brand"):
    web_session.add(Learner(id=lid, name=name, team=team))
    web_session.commit()


def test_plan_page_and_print_show_names_and_teams(staff_client, web_session, solved):  # noqa: F811
    _, pid = solved
    add_person(web_session)
    page = staff_client.get(f"/plans/{pid}?learner=wang.wei").get_data(as_text=True)
    assert '<h2 class="flush" id="learner-name">王伟 <small class="muted">wang.wei</small>' in page
    assert "team 品牌 Brand ·" in page
    # the learner list: name and team instead of the bare id
    assert '<span>王伟 <small class="muted">品牌 Brand</small></span>' in page
    printed = staff_client.get(f"/plans/{pid}/print").get_data(as_text=True)
    assert "王伟 <small" in printed and "wang.wei · 品牌 Brand" in printed


def test_csv_and_xlsx_exports_carry_name_and_team(staff_client, web_session, solved):  # noqa: F811
    _, pid = solved
    add_person(web_session)
    text = staff_client.get(f"/plans/{pid}/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0])[:4] == ["learner", "name", "team", "count"]
    mine = [r for r in rows if r["learner"] == "wang.wei"]
    assert mine and all((r["name"], r["team"]) == ("王伟", "品牌 Brand") for r in mine)
    others = [r for r in rows if r["learner"] != "wang.wei"]
    assert all((r["name"], r["team"]) == ("", "") for r in others)  # not in the catalog

    wb = load_workbook(io.BytesIO(staff_client.get(f"/plans/{pid}/export.xlsx").get_data()))
    for sheet in ("Schedule", "Gaps"):
        values = list(wb[sheet].values)
        assert values[0][:3] == ("learner", "name", "team")
        assert any(v[:3] == ("wang.wei", "王伟", "品牌 Brand") for v in values[1:]), sheet


def test_the_scenario_run_panel_names_whose_plan_it_shows(app, staff_client, web_session):
    from sqlmodel import select

    from planner.models import SolveRun
    from tests.web.test_scenarios import store, tiny_scenario, wait_run

    add_person(web_session, lid="li.na", name="李娜", team="Data")
    sid = store(app, tiny_scenario())
    staff_client.post(f"/scenarios/{sid}/solve", headers={"HX-Request": "true"})
    run = web_session.exec(select(SolveRun).where(SolveRun.scenario_id == sid)).one()
    wait_run(app, run.id)
    panel = staff_client.get(f"/scenarios/runs/{run.id}").get_data(as_text=True)
    assert "Term by term for 李娜 (Data) — first of 2 learner groups" in panel
