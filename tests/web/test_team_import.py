"""Team import on the Learners page: upload → preview of every row problem → confirm.
All-or-nothing; the same importer as `planner import --kind learners`."""

import io
import re

from openpyxl import Workbook
from sqlmodel import func, select

from planner.models import Learner, LearnerLevel

GOOD = (
    "employee_id,name,team,role,levels\n"
    "e.one,张伟,品牌 Brand,mkt-data-analyst,data.sql=2;ai.prompting=1\n"
    "e.two,Ana Ruiz,Growth,mkt-assistant,\n"
    "test.other,Other renamed,Growth,mkt-assistant,\n"
)
BAD = (
    "employee_id,name,team,role,levels\n"
    "e.one,张伟,Brand,mkt-data-analyst,data.sql=7\n"
    "e.two,Ana,Growth,no-such-role,\n"
    "e.one,Dup,Growth,,nosuch.skill=2\n"
)


def upload(client, data: bytes, name="team.csv"):
    return client.post(
        "/catalog/learners/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def learner_count(web_session):
    web_session.expire_all()
    return web_session.exec(select(func.count()).select_from(Learner)).one()


def token_of(page: str) -> str:
    return re.search(r"/catalog/learners/import/([\w-]+)/confirm", page).group(1)


def test_preview_writes_nothing_then_confirm_imports(staff_client, web_session):
    before = learner_count(web_session)
    r = upload(staff_client, GOOD.encode())
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "3 learners</strong> ready:\n  2 new, 1 updated" in page
    assert "Growth (2), 品牌 Brand (1)" in page and "张伟" in page
    assert learner_count(web_session) == before  # the preview wrote nothing
    r = staff_client.post(f"/catalog/learners/import/{token_of(page)}/confirm")
    assert r.status_code == 302
    assert learner_count(web_session) == before + 2
    one = web_session.get(Learner, "e.one")
    assert (one.name, one.team, one.role_id) == ("张伟", "品牌 Brand", "mkt-data-analyst")
    levels = web_session.exec(select(LearnerLevel).where(LearnerLevel.learner_id == "e.one")).all()
    assert {(lv.skill_id, lv.level) for lv in levels} == {("data.sql", 2), ("ai.prompting", 1)}
    assert web_session.get(Learner, "test.other").name == "Other renamed"
    listing = staff_client.get("/catalog/learners/").get_data(as_text=True)
    assert "Imported 3 learners from team.csv." in listing
    # a confirmed upload is gone: confirming again imports nothing more
    again = staff_client.post(
        f"/catalog/learners/import/{token_of(page)}/confirm", follow_redirects=True
    )
    assert "expired or was already imported" in again.get_data(as_text=True)


def test_every_row_problem_is_listed_and_nothing_written(staff_client, web_session):
    before = learner_count(web_session)
    r = upload(staff_client, BAD.encode())
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Nothing was imported." in page
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', page)
    by_row = {(row, column) for row, column, _ in rows}
    assert {("2", "levels"), ("3", "role"), ("4", "levels"), ("4", "id")} <= by_row
    assert "confirm" not in page  # nothing to confirm
    assert learner_count(web_session) == before


def test_xlsx_upload_and_bad_types(staff_client, web_session):
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "name", "team", "role"])
    ws.append(["x.one", "王芳", "Retail", "mkt-assistant"])
    buf = io.BytesIO()
    wb.save(buf)
    page = upload(staff_client, buf.getvalue(), "people.xlsx").get_data(as_text=True)
    assert "1 learner</strong> ready" in page and "王芳" in page
    staff_client.post(f"/catalog/learners/import/{token_of(page)}/cancel")
    assert web_session.get(Learner, "x.one") is None
    r = upload(staff_client, b'{"a": 1}', "team.json")
    assert r.status_code == 302
    listing = staff_client.get("/catalog/learners/").get_data(as_text=True)
    assert "use a .csv or .xlsx file" in listing


def test_only_staff_and_only_the_uploader_may_confirm(
    app, staff_client, admin_client, learner_client, web_session
):
    assert upload(learner_client, GOOD.encode()).status_code == 403
    page = upload(staff_client, GOOD.encode()).get_data(as_text=True)
    token = token_of(page)
    before = learner_count(web_session)
    r = admin_client.post(f"/catalog/learners/import/{token}/confirm", follow_redirects=True)
    assert "expired or was already imported" in r.get_data(as_text=True)
    assert learner_count(web_session) == before
    assert staff_client.post("/catalog/learners/import/..%2Fx/confirm").status_code == 404
    staff_client.post(f"/catalog/learners/import/{token}/cancel")
    r = staff_client.post(f"/catalog/learners/import/{token}/confirm", follow_redirects=True)
    assert "expired or was already imported" in r.get_data(as_text=True)  # cancelled: gone
    assert learner_count(web_session) == before


def test_learners_page_offers_the_upload(staff_client):
    page = staff_client.get("/catalog/learners/").get_data(as_text=True)
    assert 'id="team-import"' in page and 'action="/catalog/learners/import"' in page
    assert 'id="team-import"' not in staff_client.get("/catalog/courses/").get_data(as_text=True)


def test_id_and_employee_id_together_is_refused(staff_client):
    r = upload(staff_client, b"id,employee_id,name\na,b,c\n")
    assert r.status_code == 422
    assert "give either &#34;employee_id&#34; or &#34;id&#34;, not both" in r.get_data(as_text=True)


def test_the_cli_reads_the_same_employees_file(cli, tmp_path, web_db_path, web_session):
    """`planner import … --kind learners` takes the employees CSV the web page takes."""

    path = tmp_path / "team.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = cli("import", path, "--kind", "learners", db=web_db_path)
    assert result.exit_code == 0, result.output
    web_session.expire_all()
    assert web_session.get(Learner, "e.one").team == "品牌 Brand"


def test_confirm_rechecks_the_file_against_the_catalog_of_now(staff_client, web_session):
    from planner.models import Role

    web_session.add(Role(id="pilot-role", name="Pilot"))
    web_session.commit()
    text = "id,name,team,role\np.one,Pat,Pilots,pilot-role\n"
    page = upload(staff_client, text.encode()).get_data(as_text=True)
    assert "1 learner</strong> ready" in page
    web_session.delete(web_session.get(Role, "pilot-role"))  # gone before the confirm
    web_session.commit()
    r = staff_client.post(f"/catalog/learners/import/{token_of(page)}/confirm")
    assert r.status_code == 422
    assert "unknown role &#34;pilot-role&#34;" in r.get_data(as_text=True)
    web_session.expire_all()
    assert web_session.get(Learner, "p.one") is None
