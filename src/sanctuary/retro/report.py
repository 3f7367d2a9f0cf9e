"""report.html: the scan's summary as an auditor's finding, one self-contained page (inline SVG, no
scripts, no network); orgs/<name>.html: one page per searching organisation.

The finding reads in the order an Inspector General signs it: who owns the export and how that is
known; the direct evidence, with its rows; each weaker signal about purpose on its own line, with its
count and share; who could see the data (out of state, national lookups), apart from purpose; each
organisation's share of searches with each signal beside the network's; then files, method, caveats.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from sanctuary.retro.charts import hbars, timeline

_ENV = Environment(loader=PackageLoader("sanctuary.retro", "templates"), autoescape=select_autoescape(["html", "j2"]))
_ENV.filters["count"] = lambda n: f"{int(n or 0):,}"
_ENV.filters["pct"] = lambda share: f"{100 * float(share or 0):,.2f}%"


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


def org_file(name: str) -> str:
    """The file name of an organisation's page: its name in lower-case letters and digits."""
    return (re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "organisation")[:80]


def write_org_reports(summary: dict, orgs: list[dict], folder: Path) -> None:
    """One page per searching organisation, and index.html listing them."""
    folder.mkdir(parents=True, exist_ok=True)
    template = _ENV.get_template("org.html.j2")
    names: dict[str, str] = {}
    for org in orgs:
        base = org_file(org["organization"])
        name = base
        n = 2
        while name in names.values():
            name, n = f"{base}-{n}", n + 1
        names[org["organization"]] = name
        (folder / f"{name}.html").write_text(template.render(s=summary, o=org), encoding="utf-8")
    index = _ENV.get_template("orgs.html.j2").render(s=summary, orgs=orgs, names=names)
    (folder / "index.html").write_text(index, encoding="utf-8")
