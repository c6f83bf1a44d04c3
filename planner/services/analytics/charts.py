"""Server-rendered SVG charts: radar (levels), heatmap (gaps), horizontal bars.

Charts are plain SVG strings so pages need no JavaScript and print well. Every label is
XML-escaped; ids may hold any Unicode, including Chinese names.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from unicodedata import east_asian_width
from xml.sax.saxutils import escape

from markupsafe import Markup

PALETTE = ("#94a3b8", "#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c")
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', sans-serif"


@dataclass
class Series:
    name: str
    values: list[float]
    color: str | None = None
    dashed: bool = False
    filled: bool = True


def _attr(text) -> str:
    return escape(str(text), {'"': "&quot;"})


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def radar(
    axes: list[str],
    series: list[Series],
    *,
    max_value: float = 4,
    size: int = 300,
    title: str = "",
    ring_labels: list[str] | None = None,
) -> Markup:
    """A radar chart: one axis per skill, rings at each whole level, one polygon per series."""
    n = len(axes)
    if n < 3:  # a polygon needs three axes; fall back to bars so nothing is lost
        return bars(
            [f"{a} ({s.name})" for a in axes for s in series],
            [s.values[i] for i in range(n) for s in series],
            max_value=max_value,
            title=title,
        )
    labels = [_wrap(axis, AXIS_LABEL_PX, AXIS_FONT) for axis in axes]
    r = size / 2 - 20
    # Lay the labels out around a centre at (0, 0), then size the canvas to what they
    # cover: long names get the room they need instead of running off the edge.
    boxes = _separate([_axis_label_box(i, n, r * 1.09, lines) for i, lines in enumerate(labels)])
    margin = 10
    left = max(r, *(-b[0] for b in boxes)) + margin
    right = max(r, *(b[2] for b in boxes)) + margin
    top_extent = max(r, *(-b[1] for b in boxes))
    bottom_extent = max(r, *(b[3] for b in boxes))
    title_h = 34 if title else 8
    legend_h = 28 * math.ceil(len(series) / 3)
    width = max(left + right, 260)
    cx = left + (width - left - right) / 2
    cy = title_h + top_extent + margin
    height = cy + bottom_extent + margin + legend_h + 8

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        k = r * max(0.0, min(value, max_value)) / max_value
        return cx + k * math.cos(angle), cy + k * math.sin(angle)

    out = [_open(width, height, title or "radar chart")]
    if title:
        out.append(_text(16, 20, title, size=14, weight="600", anchor="start"))
    steps = int(max_value)
    for level in range(1, steps + 1):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(n)))
        out.append(f'<polygon points="{ring}" fill="none" stroke="#e2e8f0" stroke-width="1"/>')
        lx, ly = point(0, level)
        label = ring_labels[level] if ring_labels and level < len(ring_labels) else str(level)
        out.append(_text(lx + 4, ly + 3, label, size=9, fill="#94a3b8", anchor="start"))
    for i, axis in enumerate(axes):
        x, y = point(i, max_value)
        out.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#e2e8f0"/>'
        )
        x0, y0, _x1, _y1, anchor = boxes[i]
        ax = cx + {"start": x0, "end": _x1, "middle": (x0 + _x1) / 2}[anchor]
        out.append(f'<g class="axis-label"><title>{escape(axis)}</title>')
        for k, line in enumerate(labels[i]):
            baseline = cy + y0 + AXIS_LINE_H * k + AXIS_FONT * 0.8
            out.append(_text(ax, baseline, line, size=AXIS_FONT, fill="#334155", anchor=anchor))
        out.append("</g>")
    for k, s in enumerate(series):
        color = s.color or PALETTE[k % len(PALETTE)]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(s.values)))
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        fill = f'fill="{color}" fill-opacity="0.12"' if s.filled else 'fill="none"'
        out.append(
            f'<polygon class="series" data-series="{_attr(s.name)}" points="{pts}" {fill} '
            f'stroke="{color}" stroke-width="2"{dash}/>'
        )
        for i, v in enumerate(s.values):
            x, y = point(i, v)
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(axes[i])}: {escape(s.name)} {_fmt(v)}</title></circle>"
            )
    out.append(_legend(series, 16, height - legend_h + 6, width))
    out.append("</svg>")
    return Markup("".join(out))


AXIS_FONT = 12
NO_LINE_START = set("）】」』、，。：；！？),.;:!?")
AXIS_LINE_H = 14
AXIS_LABEL_PX = 150  # wrap axis names wider than this (about 22 Latin letters at 12 px)


def text_width(text: str, size: float) -> float:
    """A generous estimate of rendered width: wide (CJK) glyphs 1 em, others 0.58 em."""
    return sum(size * (1.0 if east_asian_width(ch) in "WF" else 0.58) for ch in text)


def _wrap(text: str, max_px: float, size: float, max_lines: int = 3) -> list[str]:
    """Break at spaces (anywhere between wide glyphs); the last line gets "…" if cut."""
    tokens = re.findall(
        r"[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]|[^\s\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]+\s*",
        text,
    )
    lines: list[str] = []
    line = ""
    for token in tokens:
        closing = token in NO_LINE_START  # "）" or "、" never starts a line
        if line and not closing and text_width((line + token).rstrip(), size) > max_px:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size) > max_px:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines or [""]


def _axis_label_box(i: int, n: int, radius: float, lines: list[str]):
    """(x0, y0, x1, y1, anchor) of an axis label, relative to the radar's centre.

    Labels on the right start at their point, on the left end there, at the top and
    bottom they are centred; top labels grow upwards, bottom ones downwards."""
    angle = -math.pi / 2 + 2 * math.pi * i / n
    px, py = radius * math.cos(angle), radius * math.sin(angle)
    w = max(text_width(line, AXIS_FONT) for line in lines)
    h = AXIS_LINE_H * len(lines)
    if abs(px) < 8:
        anchor, x0 = "middle", px - w / 2
    elif px > 0:
        anchor, x0 = "start", px + 4
    else:
        anchor, x0 = "end", px - 4 - w
    if abs(py) < 8:
        y0 = py - h / 2
    elif py < 0:
        y0 = py - h + AXIS_LINE_H / 2 - 2 if abs(px) >= 8 else py - h - 2
    else:
        y0 = py - AXIS_LINE_H / 2 + 2 if abs(px) >= 8 else py + 4
    return x0, y0, x0 + w, y0 + h, anchor


def _separate(boxes: list, passes: int = 4) -> list:
    """Move labels near the top and bottom away from the centre until they clear their
    neighbours (wrapped names next to the vertical axis would otherwise overlap)."""
    boxes = [list(b) for b in boxes]
    n = len(boxes)
    for _ in range(passes):
        moved = False
        for i in range(n):
            for j in (i - 1, (i + 1) % n):
                a, b = boxes[i], boxes[j % n]
                if i == j % n or abs(_mid_x(a)) > abs(_mid_x(b)):
                    continue  # only the label nearer the vertical axis moves
                overlap_x = min(a[2], b[2]) - max(a[0], b[0])
                overlap_y = min(a[3], b[3]) - max(a[1], b[1])
                if overlap_x > 0 and overlap_y > 0:
                    down = (a[1] + a[3]) >= 0
                    shift = overlap_y + 2 if down else -(overlap_y + 2)
                    a[1] += shift
                    a[3] += shift
                    moved = True
        if not moved:
            break
    return [tuple(b) for b in boxes]


def _mid_x(box) -> float:
    return (box[0] + box[2]) / 2


def heatmap(
    rows: list[str],
    cols: list[str],
    values: list[list[float | None]],
    *,
    title: str = "",
    max_value: float | None = None,
    cell: int = 34,
    value_format=_fmt,
) -> Markup:
    """A matrix of coloured cells (white = no gap, deep red = the largest gap)."""
    label_w = min(240, 12 + 7 * max((len(_short(r, 32)) for r in rows), default=4))
    head_h = min(160, 16 + 6 * max((len(_short(c, 24)) for c in cols), default=4))
    top = head_h + (28 if title else 8)
    width = label_w + cell * len(cols) + 20
    height = top + cell * len(rows) + 50
    peak = max_value or max((v for row in values for v in row if v is not None), default=0) or 1
    out = [_open(width, height, title or "heatmap")]
    if title:
        out.append(_text(12, 20, title, size=14, weight="600", anchor="start"))
    for j, col in enumerate(cols):
        x = label_w + cell * j + cell / 2
        out.append(
            f'<g transform="translate({x:.1f},{top - 6}) rotate(-55)"><title>{escape(col)}</title>'
            + _text(0, 0, _short(col, 24), size=11, fill="#334155", anchor="start")
            + "</g>"
        )
    for i, row in enumerate(rows):
        y = top + cell * i
        out.append(f"<g><title>{escape(row)}</title>")
        out.append(
            _text(
                label_w - 8,
                y + cell / 2 + 4,
                _short(row, 32),
                size=11,
                fill="#334155",
                anchor="end",
            )
        )
        out.append("</g>")
        for j, value in enumerate(values[i]):
            x = label_w + cell * j
            fill = "#f1f5f9" if value is None else _heat(value / peak)
            tip = f"{row} × {cols[j]}: {'—' if value is None else value_format(value)}"
            out.append(
                f'<rect class="cell" x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'rx="3" fill="{fill}"><title>{escape(tip)}</title></rect>'
            )
            if value is not None and value > 0:
                ink = "#ffffff" if value / peak > 0.55 else "#1e293b"
                out.append(
                    _text(
                        x + (cell - 2) / 2, y + cell / 2 + 3, value_format(value), size=10, fill=ink
                    )
                )
    # scale
    sy = top + cell * len(rows) + 16
    for k in range(6):
        out.append(
            f'<rect x="{label_w + 22 * k}" y="{sy}" width="20" height="10" '
            f'fill="{_heat(k / 5)}" stroke="#e2e8f0"/>'
        )
    out.append(_text(label_w - 8, sy + 9, "0", size=10, anchor="end", fill="#64748b"))
    out.append(
        _text(
            label_w + 22 * 6 + 4,
            sy + 9,
            value_format(peak),
            size=10,
            anchor="start",
            fill="#64748b",
        )
    )
    out.append("</svg>")
    return Markup("".join(out))


def bars(
    labels: list[str],
    values: list[float],
    *,
    title: str = "",
    max_value: float | None = None,
    color: str = "#2563eb",
    second: list[float] | None = None,
    second_color: str = "#94a3b8",
    names: tuple[str, str] = ("", ""),
) -> Markup:
    """Horizontal bars, optionally paired (e.g. plan A in grey, plan B in blue)."""
    label_w = min(220, 12 + 7 * max((len(_short(lb, 30)) for lb in labels), default=4))
    bar_h = 14 if second is None else 10
    row_h = 24 if second is None else 28
    top = 30 if title else 8
    width = label_w + 320
    height = top + row_h * len(labels) + (30 if second is not None else 10)
    peak = max_value or max([*values, *(second or [])], default=0) or 1
    out = [_open(width, height, title or "bar chart")]
    if title:
        out.append(_text(12, 20, title, size=14, weight="600", anchor="start"))
    for i, label in enumerate(labels):
        y = top + row_h * i
        out.append(f"<g><title>{escape(label)}</title>")
        out.append(
            _text(label_w - 8, y + 14, _short(label, 30), size=11, anchor="end", fill="#334155")
        )
        out.append("</g>")
        rows = [(second[i], second_color)] if second is not None else []
        rows.append((values[i], color))
        for k, (value, fill) in enumerate(rows):
            w = 260 * max(0.0, value) / peak
            by = y + 3 + k * (bar_h + 1)
            out.append(
                f'<rect class="bar" x="{label_w}" y="{by}" width="{w:.1f}" height="{bar_h}" '
                f'rx="2" fill="{fill}"/>'
            )
            out.append(
                _text(
                    label_w + w + 4,
                    by + bar_h - 2,
                    _fmt(value),
                    size=10,
                    anchor="start",
                    fill="#475569",
                )
            )
    if second is not None:
        legend = [Series(names[0], [], second_color), Series(names[1], [], color)]
        out.append(_legend(legend, label_w, top + row_h * len(labels) + 8, width))
    out.append("</svg>")
    return Markup("".join(out))


def _heat(t: float) -> str:
    """0 -> near white, 1 -> deep red, through amber (readable for colour-blind users too)."""
    t = max(0.0, min(1.0, t))
    stops = [(255, 251, 235), (253, 186, 116), (234, 88, 12), (153, 27, 27)]
    pos = t * (len(stops) - 1)
    i = min(int(pos), len(stops) - 2)
    f = pos - i
    rgb = [round(a + (b - a) * f) for a, b in zip(stops[i], stops[i + 1], strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _open(width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{_attr(label)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-family="{_attr(FONT)}">'
    )


def _text(x, y, text, *, size=12, fill="#0f172a", anchor="middle", weight="400") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
        f'text-anchor="{anchor}" font-weight="{weight}">{escape(str(text))}</text>'
    )


def _legend(series: list[Series], x: float, y: float, width: float) -> str:
    out = []
    col_w = (width - 2 * x) / 3
    for k, s in enumerate(series):
        color = s.color or PALETTE[k % len(PALETTE)]
        lx = x + col_w * (k % 3)
        ly = y + 24 * (k // 3)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<line x1="{lx:.1f}" y1="{ly:.1f}" x2="{lx + 22:.1f}" y2="{ly:.1f}" '
            f'stroke="{color}" stroke-width="3"{dash}/>'
        )
        out.append(_text(lx + 28, ly + 4, s.name, size=12, anchor="start", fill="#334155"))
    return "".join(out)
