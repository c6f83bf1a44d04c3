"""Finding 13: security headers on every response, a strict CSP that the pages really keep
(no inline script, handler or style; htmx still works), Secure cookies by configuration,
and download headers that any learner id leaves intact."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlmodel import select

from planner import create_app, resources
from planner.hardening import CSP
from tests.fixtures.web import USERS, browser_sign_in, sign_in_client
from tests.web.test_plans import solve
from tests.web.test_scenarios import store, tiny_scenario

TEMPLATES = Path(resources.templates_dir())

REQUIRED = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_headers(response, where):
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, (where, name, response.headers.get(name))


def test_csp_is_strict():
    directives = dict(d.split(" ", 1) for d in CSP.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in CSP


def test_every_get_route_answers_with_the_headers(app, client):
    """Anonymous, staff, learner and API answers; pages, redirects, errors, files, JSON."""
    pid = solve(app, store(app, tiny_scenario()))
    sid = 1
    staff, learner = sign_in_client(app, "staff"), sign_in_client(app, "learner")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {}
        for arg in rule.arguments:
            values[arg] = {"plan_id": pid, "scenario_id": sid}.get(arg, 1)
            if arg in ("kind",):
                values[arg] = "courses"
            if arg in ("item_id", "filename", "learner_id", "skill_id"):
                values[arg] = "x"
            if arg == "fmt":
                values[arg] = "csv"
        try:
            url = rule.build(values, append_unknown=False)[1]
        except Exception:  # a converter that refuses our sample value: skip the rule
            continue
        for who in (client, staff, learner):
            assert_headers(who.get(url), url)
            checked += 1
    assert checked > 100
    api = client.get("/api/v1/courses")  # 401 JSON
    assert api.status_code == 401
    assert_headers(api, "api 401")
    assert_headers(client.get("/static/planner.css"), "static")
    assert_headers(client.get("/no/such/page"), "404")


def test_templates_hold_no_inline_script_handler_or_style():
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\son[a-z]+\s*=|\sstyle\s*=", re.I)
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        found += [f"{path.name}: {m.group()}" for m in inline.finditer(text)]
    assert found == []


def test_rendered_pages_hold_no_inline_script_handler_or_style(app, staff_client, learner_client):
    pid = solve(app, store(app, tiny_scenario()))
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\son[a-z]+\s*=\s*\"|\sstyle\s*=", re.I)
    pages = [(staff_client, u) for u in ("/", "/catalog/", "/scenarios/", f"/plans/{pid}",
             f"/plans/{pid}/print", "/cohort/", "/scenarios/1")]  # fmt: skip
    pages += [(learner_client, u) for u in ("/assess/", "/assess/profile", "/assess/plan")]
    for who, url in pages:
        html = who.get(url).get_data(as_text=True)
        assert inline.findall(html) == [], url


def test_cookies_are_secure_when_configured(web_db_path, monkeypatch):
    monkeypatch.setenv("PLANNER_SECURE_COOKIES", "1")
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{web_db_path}",
         "WTF_CSRF_ENABLED": False}
    )  # fmt: skip
    client = app.test_client()
    user = USERS["staff"]
    response = client.post(
        "/login", data={"login": user.username, "password": user.password, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies), cookies
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_cookies_are_not_secure_by_default_for_local_http(app, client):
    user = USERS["staff"]
    response = client.post("/login", data={"login": user.username, "password": user.password})
    assert all("Secure" not in c for c in response.headers.getlist("Set-Cookie"))
    assert "Strict-Transport-Security" not in response.headers


def test_deploy_doc_names_the_settings():
    text = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = text[text.index("## Security") :]
    for name in ("PLANNER_SECURE_COOKIES", "PLANNER_MAX_UPLOAD_MB", "Content-Security-Policy",
                 "PLANNER_MAX_ACTIVE_SOLVES_PER_USER", "PLANNER_EXPORT_INLINE_ROWS"):  # fmt: skip
        assert name in section


@pytest.mark.e2e
def test_browser_enforces_the_csp_and_the_pages_still_work(browser, live_server):
    """A real Chromium: injected inline script is blocked, while confirm dialogs (in
    ui.js) and htmx (search as you type) keep working without CSP violations."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))
    try:
        browser_sign_in(page, "staff")
        response = page.goto("/catalog/courses")
        assert response.headers["content-security-policy"] == CSP
        # htmx: the search box swaps the results table in place
        page.get_by_role("searchbox").first.fill("AI1")
        page.wait_for_timeout(800)
        assert page.locator("table").first.is_visible()
        assert not [m for m in messages if "Content Security Policy" in m]
        # an injected inline script does not run, and the browser says why
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__pwned = 1'; document.body.appendChild(s); }"
        )
        assert page.evaluate("() => window.__pwned") is None
        assert [m for m in messages if "Content Security Policy" in m]
    finally:
        context.close()


def test_export_header_survives_any_learner_id(app, web_session):
    from planner.models import Learner
    from planner.services.accounts import users as accounts

    # a learner stored before ids were checked: newline, quote, backslash, Chinese
    odd = 'old\r\n"id"\\李娜'
    web_session.add(Learner(id=odd, name="Old", role_id="mkt-assistant"))
    web_session.flush()
    accounts.create_user(web_session, "odd@test", "odd-password-1", "learner", learner_id=odd)
    web_session.commit()
    from planner.models import User
    from planner.security import login_id

    uid = web_session.exec(select(User.id).where(User.username == "odd@test")).one()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = login_id(uid, 1)
        sess["_fresh"] = True
    response = client.get("/assess/export.json")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert "\n" not in header and "\r" not in header
    assert header.startswith('attachment; filename="assessment-old__')
    assert header.count('"') == 2  # the id's quotes do not end the file name early
    assert "filename*=UTF-8''" in header and "%E6%9D%8E" in header  # 李 kept for browsers
    assert json.loads(response.get_data(as_text=True))
