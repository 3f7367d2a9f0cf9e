"""Inline SVG for the pages: stacked permit/deny bars, drawn on the server (no script, prints well)."""

from __future__ import annotations

from html import escape

PERMIT = "#1b7837"
DENY = "#b2182b"


def permit_deny_bars(
    items: list[tuple[str, int, int]], title: str, permit_label: str, deny_label: str, width: int = 640, label_width: int = 180
) -> str:
    """Horizontal bars, one per (label, permitted, denied), each split in its two parts."""
    if not items:
        return ""
    row, top = 24, 28
    height = top + row * len(items) + 8
    peak = max(p + d for _, p, d in items) or 1
    scale = (width - label_width - 60) / peak
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'class="chart" font-family="sans-serif" font-size="13" fill="#222"><title>{escape(title)}</title>',
        f'<rect x="{label_width}" y="4" width="12" height="12" fill="{PERMIT}"/>'
        f'<text x="{label_width + 16}" y="15">{escape(permit_label)}</text>'
        f'<rect x="{label_width + 140}" y="4" width="12" height="12" fill="{DENY}"/>'
        f'<text x="{label_width + 156}" y="15">{escape(deny_label)}</text>',
    ]
    for i, (label, permitted, denied) in enumerate(items):
        y = top + i * row
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end">{escape(short)}</text>')
        for x, n, color, what in (
            (label_width, permitted, PERMIT, permit_label),
            (label_width + permitted * scale, denied, DENY, deny_label),
        ):
            if n:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{n * scale:.1f}" height="{row - 8}" fill="{color}">'
                    f"<title>{escape(label)}: {n} {escape(what.lower())}</title></rect>"
                )
        parts.append(f'<text x="{label_width + (permitted + denied) * scale + 5:.1f}" y="{y + 16}">{permitted + denied}</text>')
    parts.append("</svg>")
    return "".join(parts)
