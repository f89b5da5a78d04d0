"""Bar charts as inline SVG, drawn on the server: no script, no CDN, readable on a phone (the
viewBox scales to the screen's width). A count from 1 to 4 is drawn as a pale bar of fixed
height, labelled "<5", like the tables."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from console.stats import SMALL, shown

WIDTH, HEIGHT, BOTTOM, TOP = 640, 220, 28, 18


def bars(labels: Sequence[str], values: Sequence[int], title: str) -> Markup:
    """One bar per label; every few labels written under the axis."""
    count = max(len(values), 1)
    top = max((v for v in values), default=0) or 1
    step = WIDTH / count
    plot = HEIGHT - BOTTOM - TOP
    every = max(1, round(count / 12))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="0" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" class="axis"/>',
        f'<text x="2" y="12" class="max">{escape(shown(top))}</text>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        small = 0 < value < SMALL
        height = plot * (SMALL / 2 if small else value) / max(top, SMALL)
        x = i * step + step * 0.15
        y = HEIGHT - BOTTOM - height
        css = "bar small" if small else "bar"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{height:.1f}" '
            f'class="{css}"><title>{escape(label)}: {escape(shown(value))}</title></rect>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - 8}" class="label" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
