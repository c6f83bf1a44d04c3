"""Moodle competency framework CSV (tool_lpimportcsv) through `planner export / import`."""

import csv
import io
import json

from planner.scenario import LEVEL_NAMES
from planner.services.interop import moodle
from tests.interop.conftest import FIXTURES, assert_skills_carried, session_of_path, skills_of

CARRIED = ("area", "area_name", "name", "descriptors")


def test_export_has_moodles_fourteen_columns_and_one_framework_row(cli, seeded_db, tmp_path):
    out = tmp_path / "framework.csv"
    result = cli("export", "taxonomy", "--format", "moodle", "--out", out, db=seeded_db)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8"))))
    assert rows[0] == list(moodle.HEADERS) and len(rows[0]) == 14
    assert all(len(r) == 14 for r in rows)
    frameworks = [r for r in rows[1:] if r[12] == "1"]
    assert len(frameworks) == 1
    framework = frameworks[0]
    assert framework[5] == ",".join(LEVEL_NAMES)
    config = json.loads(framework[6])
    assert "scaleid" in config[0]
    assert [c["scaledefault"] for c in config[1:]] == [1, 0, 0, 0, 0]
    assert [c["proficient"] for c in config[1:]] == [0, 0, 0, 1, 1]
    areas = [r for r in rows[1:] if r[12] != "1" and not r[0]]
    skills = [r for r in rows[1:] if r[0]]
    assert len(areas) == 8 and len(skills) == 65
    assert {r[0] for r in skills} == {r[1] for r in areas}  # every skill hangs under an area
    sql = next(r for r in skills if r[1] == "data.sql")
    assert sql[3].startswith('<ol start="0"><li>') and sql[3].count("<li>") == 5


def test_round_trip_of_the_seeded_taxonomy_is_exact(cli, seeded_db, empty_db, tmp_path):
    out = tmp_path / "framework.csv"
    assert cli("export", "taxonomy", "--out", out, db=seeded_db).exit_code == 0  # moodle default
    result = cli("import", out, db=empty_db)
    assert result.exit_code == 0, result.output
    assert "imported 8 areas, 65 skills" in result.output
    assert_skills_carried(seeded_db, empty_db, CARRIED)
    # and the second export is the same file (ids, names, descriptors, order)
    again = tmp_path / "again.csv"
    assert (
        cli("export", "taxonomy", "--format", "moodle", "--out", again, db=empty_db).exit_code == 0
    )
    assert again.read_bytes() == out.read_bytes()


def test_skill_without_area_or_descriptors_round_trips(cli, seeded_db, empty_db, tmp_path):
    from planner.services.io.records import write_records

    session = session_of_path(seeded_db)
    write_records(session, "skills", [{"id": "x.loose", "name": "Loose skill 独立", "area": None,
                                       "descriptors": []}])  # fmt: skip
    session.commit()
    out = tmp_path / "framework.csv"
    assert cli("export", "taxonomy", "--out", out, db=seeded_db).exit_code == 0
    assert cli("import", out, db=empty_db).exit_code == 0
    loose = skills_of(empty_db)["x.loose"]
    assert (loose["area"], loose["name"], loose["descriptors"]) == (None, "Loose skill 独立", [])


def test_importing_into_the_seeded_database_keeps_crosswalk_fields(cli, seeded_db, tmp_path):
    out = tmp_path / "framework.csv"
    cli("export", "taxonomy", "--out", out, db=seeded_db)
    before = skills_of(seeded_db)
    assert cli("import", out, db=seeded_db).exit_code == 0
    assert skills_of(seeded_db) == before  # Moodle has no name_zh/onet/esco: kept as stored


def test_real_world_shaped_framework_maps_scales_onto_levels(cli, empty_db):
    result = cli("import", FIXTURES / "moodle_digital_marketing.csv", db=empty_db)
    assert result.exit_code == 0, result.output
    assert "imported 2 areas, 6 skills" in result.output
    skills = skills_of(empty_db)
    # leaves become skills; DM-ANA-2 only groups two of them and is not kept
    assert set(skills) == {"DM-ANA-1", "DM-ANA-2a", "DM-ANA-2b", "DM-CON-1", "DM-CON-2", "DM-ETH"}
    assert (
        skills["DM-ANA-2a"]["area"] == "DM-ANA" and skills["DM-ANA-2a"]["area_name"] == "Analytics"
    )
    assert skills["DM-ETH"]["area"] is None  # a top-level competency without children
    # the framework's 2-item scale: levels 0-1 -> item 1, levels 2-4 -> item 2
    assert skills["DM-ANA-1"]["descriptors"] == ["Not yet competent"] * 2 + ["Competent"] * 3
    # a competency's own 7-item scale: items 1, 3, 4, 6, 7
    assert skills["DM-ANA-2b"]["descriptors"] == [
        "Beginner", "Competent", "Advanced", "Master", "Leader"]  # fmt: skip
    # five listed levels in the description win over the scale
    assert skills["DM-CON-1"]["descriptors"][4] == "Sets the brand's copy standards."


def _bad(tmp_path, rows):
    path = tmp_path / "bad.csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(moodle.HEADERS)
    config = moodle.scale_configuration()
    writer.writerow(
        ["", "F", "Framework", "", "1", "a,b,c,d,e", config, "", "", "", "", "", "1", ""]
    )
    writer.writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    return path


def _row(parent, idnumber, name="Name", scale="", config=""):
    return [parent, idnumber, name, "", "1", scale, config, "", "0", "null", "", "", "", ""]


def test_bad_file_reports_row_and_column_and_changes_nothing(cli, seeded_db, tmp_path):
    before = skills_of(seeded_db)
    path = _bad(tmp_path, [
        _row("", "area"),
        _row("area", "data.sql", "Renamed SQL"),       # would change a stored skill
        _row("nowhere", "orphan"),                     # unknown parent
        _row("area", "data.sql"),                      # duplicate
        _row("area", "odd", scale="x,y", config="[{\"scaleid\":1},{\"id\":9,\"proficient\":1}]"),
        _row("area", "bad:id"),
        _row("area", "noname", name=""),
    ])  # fmt: skip
    result = cli("import", path, db=seeded_db)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert 'bad.csv: row 5, column Parent ID number: unknown parent ID number "nowhere"' in lines
    assert any(
        line.startswith("bad.csv: row 6, column ID number: duplicate ID number") for line in lines
    )
    assert (
        "bad.csv: row 7, column Scale configuration: entry 1: id must be a scale item number 1-2"
        in lines
    )
    assert "bad.csv: row 7, column Scale configuration: no item is marked scaledefault" in lines
    assert any(line.startswith('bad.csv: row 8, column ID number: id "bad:id"') for line in lines)
    assert "bad.csv: row 9, column Short name: short name is empty" in lines
    assert lines[-1].startswith("nothing imported")
    assert skills_of(seeded_db) == before


def test_missing_framework_row_and_cycles(cli, empty_db, tmp_path):
    path = tmp_path / "noframe.csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(moodle.HEADERS)
    writer.writerow(_row("b", "a"))
    writer.writerow(_row("a", "b"))
    path.write_text(out.getvalue(), "utf-8")
    result = cli("import", path, db=empty_db)
    assert result.exit_code == 1
    assert (
        'noframe.csv: column Is framework: no framework row (one row must have "Is framework" = 1)'
        in result.output
    )
    path = _bad(tmp_path, [_row("b", "a"), _row("a", "b")])
    result = cli("import", path, db=empty_db)
    assert result.exit_code == 1
    assert '"a" is its own ancestor (a cycle of parents)' in result.output
    assert skills_of(empty_db) == {}


def test_plain_skills_csv_is_not_taken_for_moodle(cli, empty_db, tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text("id,name\nx.one,One\n", "utf-8")
    result = cli("import", path, db=empty_db)
    assert result.exit_code == 0 and "imported 1 skills" in result.output
