"""Bars for the report: one small inline SVG per row of a table, the numbers beside it in text.

Every number is text in the page (the table is the chart's text alternative, and reads at any
width); the bar only shows proportion. Outcomes differ by pattern as well as colour (permitted:
solid, denied: hatched, held: dotted), each colour has at least 3:1 contrast with the white that
separates the parts, and the patterns are defined once per page (`PATTERNS`).
"""

from __future__ import annotations

from html import escape

COLOURS = {"permit": "#1b7837", "deny": "#b2182b", "held": "#7a4f00"}  # 5.6:1, 6.4:1, 7.2:1 on white
FILLS = {"permit": COLOURS["permit"], "deny": "url(#pattern-deny)", "held": "url(#pattern-held)"}

PATTERNS = (
    '<svg class="patterns" width="0" height="0" aria-hidden="true" focusable="false"><defs>'
    '<pattern id="pattern-deny" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    f'<rect width="6" height="6" fill="{COLOURS["deny"]}"/><rect width="2" height="6" fill="#fff"/></pattern>'
    '<pattern id="pattern-held" width="5" height="5" patternUnits="userSpaceOnUse">'
    f'<rect width="5" height="5" fill="{COLOURS["held"]}"/><circle cx="2.5" cy="2.5" r="1.1" fill="#fff"/></pattern>'
    "</defs></svg>"
)


def bar(parts: list[tuple[str, int]], peak: int, width: int = 300, height: int = 18) -> str:
    """One bar: its (outcome, n) parts side by side, scaled so that `peak` fills `width`."""
    x, rects = 0.0, []
    scale = width / peak if peak else 0
    for outcome, n in parts:
        if n <= 0:
            continue
        w = n * scale
        rects.append(
            f'<rect x="{x:.1f}" y="0" width="{max(w - 1.5, 1):.1f}" height="{height}" fill="{FILLS[outcome]}" '
            f'stroke="{COLOURS[outcome]}" stroke-width="1"/>'
        )
        x += w
    return (
        f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-hidden="true" focusable="false">'
        + "".join(rects)
        + "</svg>"
    )


def key(labels: dict[str, str]) -> str:
    """The legend: a swatch of each outcome's pattern beside its name (as text)."""
    items = "".join(
        f'<li><svg width="28" height="14" aria-hidden="true" focusable="false"><rect width="28" height="14" fill="{FILLS[o]}" '
        f'stroke="{COLOURS[o]}"/></svg> {escape(label)}</li>'
        for o, label in labels.items()
    )
    return f'<ul class="key">{items}</ul>'
