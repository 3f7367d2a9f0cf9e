"""report.html: the scan's summary as one self-contained page (inline SVG, no scripts, no network)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from sanctuary.retro.charts import hbars, timeline

_ENV = Environment(loader=PackageLoader("sanctuary.retro", "templates"), autoescape=select_autoescape(["html", "j2"]))


def write_report(summary: dict, path: Path) -> None:
    flags = summary["by_flag"]
    direct = set(summary["direct_codes"])
    charts = {
        "time": timeline([(p["period"], p["flagged"], p["direct"]) for p in summary["over_time"]["points"]]),
        "orgs": hbars([(o["organization"], o["flagged"], o["direct"]) for o in summary["organisations"]["top"]]),
        "flags": hbars([(c, n, n if c in direct else 0) for c, n in sorted(flags.items(), key=lambda kv: -kv[1]) if n]),
    }
    html = _ENV.get_template("report.html.j2").render(s=summary, charts=charts)
    path.write_text(html, encoding="utf-8")
