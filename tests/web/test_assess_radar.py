"""The profile radar keeps every skill name whole and inside the picture."""

import re
import xml.etree.ElementTree as ET

from planner.services.analytics import charts

NS = "{http://www.w3.org/2000/svg}"


def label_boxes(svg_text: str):
    root = ET.fromstring(svg_text)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    boxes = []
    for group in root.iter(f"{NS}g"):
        if group.get("class") != "axis-label":
            continue
        name = group.find(f"{NS}title").text
        lines = [t for t in group.iter(f"{NS}text")]
        x0s, x1s = [], []
        for t in lines:
            x, w = float(t.get("x")), charts.text_width(t.text, float(t.get("font-size")))
            start = {"start": x, "end": x - w, "middle": x - w / 2}[t.get("text-anchor")]
            x0s.append(start)
            x1s.append(start + w)
        ys = [float(t.get("y")) for t in lines]
        text = " ".join(t.text for t in lines)
        boxes.append((name, text, min(x0s), min(ys) - 11, max(x1s), max(ys) + 3))
    return width, height, boxes


def assert_readable(svg_text: str):
    width, height, boxes = label_boxes(svg_text)
    assert boxes
    for name, text, x0, y0, x1, y1 in boxes:
        same = re.sub(r"\s+", "", text) == re.sub(r"\s+", "", name)
        assert same, f"label {name!r} shortened to {text!r}"  # wrapped, never clipped
        assert 0 <= x0 <= x1 <= width and 0 <= y0 <= y1 <= height, name
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[4] <= b[2] or b[4] <= a[2] or a[5] <= b[3] or b[5] <= a[3]
            assert apart, f"{a[0]!r} overlaps {b[0]!r}"


def test_profile_radar_shows_whole_skill_names_inside_the_chart(learner_client):
    page = learner_client.get("/assess/profile").get_data(as_text=True)
    svg = re.search(r'<section class="card chartbox" id="radar"[^>]*>(.*?)</section>', page, re.S)
    assert "Supervising and reviewing AI output" in svg.group(1)
    assert_readable(svg.group(1))


def test_the_longest_seeded_names_and_chinese_names_fit(web_session):
    from sqlalchemy import select

    from planner.models import Skill

    names = sorted(web_session.scalars(select(Skill.name)).all(), key=len, reverse=True)
    zh = [n for n in web_session.scalars(select(Skill.name_zh)).all() if n]
    series = [charts.Series("now", [1] * 16), charts.Series("need", [3] * 16)]
    for axes in (names[:16], names[16:23], zh[:12] + names[:4], names[:3]):
        values = [charts.Series(s.name, s.values[: len(axes)]) for s in series]
        assert_readable(str(charts.radar(axes, values, title="t")))
