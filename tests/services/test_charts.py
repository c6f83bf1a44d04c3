"""SVG charts: structure, escaping, fallbacks."""

import xml.etree.ElementTree as ET

from planner.services.analytics import charts

NS = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # well-formed XML or this raises


def test_radar_has_one_polygon_per_series_and_escapes_labels():
    svg = charts.radar(
        ["SQL <joins>", "Prompt & copy", "数据保护"],
        [charts.Series("now", [1, 2, 0]), charts.Series("after", [3, 2, 4])],
    )
    root = parse(svg)
    series = [p for p in root.iter(f"{NS}polygon") if p.get("class") == "series"]
    assert [p.get("data-series") for p in series] == ["now", "after"]
    texts = "".join(t.text or "" for t in root.iter(f"{NS}text"))
    assert "SQL <joins>" in texts and "Prompt & copy" in texts and "数据保护" in texts


def test_radar_with_fewer_than_three_axes_falls_back_to_bars():
    root = parse(charts.radar(["a", "b"], [charts.Series("now", [1, 2])]))
    assert len([r for r in root.iter(f"{NS}rect") if r.get("class") == "bar"]) == 2


def test_heatmap_cells_and_colours():
    root = parse(charts.heatmap(["Brand", "Growth"], ["SQL", "AI"], [[0, 4.0], [None, 2.0]]))
    cells = [r for r in root.iter(f"{NS}rect") if r.get("class") == "cell"]
    assert len(cells) == 4
    fills = [c.get("fill") for c in cells]
    assert fills[2] == "#f1f5f9"  # no value
    assert fills[1] != fills[3]  # larger gap, different colour


def test_paired_bars_have_legend():
    root = parse(charts.bars(["x", "y"], [1, 2], second=[2, 0], names=("A", "B")))
    assert len([r for r in root.iter(f"{NS}rect") if r.get("class") == "bar"]) == 4
    assert {"A", "B"} <= {t.text for t in root.iter(f"{NS}text")}
