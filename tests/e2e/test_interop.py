"""Browser: a staff member downloads the taxonomy as a CASE package and uploads a Moodle
framework on the Catalog page; a broken file is refused with its problems listed."""

import json
from pathlib import Path

import pytest

from planner.services.interop import case
from tests.fixtures.web import browser_sign_in

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).parent.parent / "interop" / "fixtures"


def test_staff_exports_and_imports_standard_formats(page, tmp_path):
    from playwright.sync_api import expect

    browser_sign_in(page, "staff")
    page.goto("/catalog/")
    expect(page.get_by_role("heading", name="Import and export")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="1EdTech CASE 1.0 package (.json)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "taxonomy-case.json"
    assert case.schema_problems(json.loads(saved.read_text("utf-8"))) == []

    bad = tmp_path / "broken.csv"
    lines = (FIXTURES / "moodle_digital_marketing.csv").read_text("utf-8").splitlines()
    bad.write_text("\n".join([*lines, 'DM-NONE,DM-X,"Orphan",,1,,,,0,null,,10,,']) + "\n", "utf-8")
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("broken.csv was not imported")
    expect(alert).to_contain_text('unknown parent ID number "DM-NONE"')

    page.get_by_label("File").set_input_files(str(FIXTURES / "moodle_digital_marketing.csv"))
    page.get_by_role("button", name="Import").click()
    expect(
        page.get_by_text("moodle_digital_marketing.csv: imported 2 areas, 6 skills")
    ).to_be_visible()
    page.goto("/catalog/skills/?q=DM-CON")
    expect(page.locator("#results")).to_contain_text("Copywriting")
