"""Inline SVG bar charts for report.html: no JavaScript, no downloads, readable offline and in print."""

from __future__ import annotations

from html import escape

_DIRECT = "#b2182b"
_OTHER = "#8da0cb"
_TEXT = "#222"


def hbars(items: list[tuple[str, int, int]], width: int = 760, label_width: int = 300) -> str:
    """Horizontal bars, one per (label, total, direct): the direct part drawn darker."""
    if not items:
        return "<p>No flagged rows.</p>"
    row, top = 22, 6
    height = top + row * len(items) + 6
    scale = (width - label_width - 70) / max(t for _, t, _ in items)
    parts = [_open(width, height)]
    for i, (label, total, direct) in enumerate(items):
        y = top + i * row
        short = label if len(label) <= 42 else label[:41] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(short)}</text>')
        parts.append(_rect(label_width, y + 3, total * scale, row - 6, _OTHER, f"{label}: {total} flagged"))
        if direct:
            parts.append(_rect(label_width, y + 3, direct * scale, row - 6, _DIRECT, f"{label}: {direct} direct"))
        parts.append(f'<text x="{label_width + total * scale + 5:.1f}" y="{y + 15}">{total:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def timeline(points: list[tuple[str, int, int]], width: int = 760, height: int = 220) -> str:
    """Vertical bars over time, one per (period, total, direct)."""
    if not points:
        return "<p>No flagged rows with a readable search time.</p>"
    left, bottom, top = 50, 40, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(t for _, t, _ in points)
    bar = plot_w / len(points)
    parts = [_open(width, height)]
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{round(peak * frac):,}</text>')
    every = max(1, len(points) // 8)
    for i, (period, total, direct) in enumerate(points):
        x = left + i * bar
        h_total, h_direct = plot_h * total / peak, plot_h * direct / peak
        parts.append(_rect(x + 1, top + plot_h - h_total, max(bar - 2, 1), h_total, _OTHER, f"{period}: {total} flagged"))
        if direct:
            parts.append(_rect(x + 1, top + plot_h - h_direct, max(bar - 2, 1), h_direct, _DIRECT, f"{period}: {direct} direct"))
        if i % every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle">{escape(period)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" fill="{_TEXT}">'
    )


def _rect(x: float, y: float, w: float, h: float, color: str, title: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" fill="{color}">'
        f"<title>{escape(title)}</title></rect>"
    )
