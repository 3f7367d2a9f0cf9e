"""Periodic reports written from the decision log (CSV and a printable HTML page).

A report definition (duties.toml `[report.KIND]`) names which log entries become rows; the columns
of each row kind are fixed here and read only what the log holds. What a report needs that the log
does not hold — notifications another office made, whether a permitted transfer was carried out,
fields of a form that is not in docs/law — is named in `missing`, with a blank column for staff to
fill, never invented.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from sanctuary.duties.book import Period, PeriodicReport
from sanctuary.duties.ledger import DUTY, FULFILLED, entries
from sanctuary.errors import SanctuaryError
from sanctuary.models import Kind
from sanctuary.policy.immigration import immigration_agency, recorded
from sanctuary.screening.documents import ADMINISTRATIVE

if TYPE_CHECKING:
    from sanctuary.agencies import Registry
    from sanctuary.audit import DecisionLog

REQUEST_KINDS = frozenset(k.value for k in Kind)
STAFF = "[staff to fill]"


@dataclass
class Written:
    kind: str
    period: str
    columns: list[str]
    rows: list[dict[str, str]]
    counts: dict[str, dict[str, int]]  # by decision, by request kind
    missing: list[str]
    csv_text: str = ""
    html_text: str = ""
    files: list[Path] = field(default_factory=list)

    @property
    def csv_sha256(self) -> str:
        return hashlib.sha256(self.csv_text.encode()).hexdigest()

    def to_dict(self) -> dict:
        return {
            "report": self.kind,
            "period": self.period,
            "rows": len(self.rows),
            "counts": self.counts,
            "missing": self.missing,
            "files": [str(f) for f in self.files],
            "csv_sha256": self.csv_sha256,
        }


DECISION_COLUMNS = [
    "entry",
    "date_received",
    "request_kind",
    "requester",
    "on_behalf_of",
    "immigration_purpose",  # the decision's own fact (policy.immigration): yes or no
    "documents",
    "decision",
    "citations",
    "transfer_permitted_to",
]


def _decision_row(index: int, e: dict, registry: Registry) -> dict[str, str]:
    transfer = e["requester"] if e["kind"] == "custody_transfer" and e["decision"] == "permit" else ""
    return {
        "entry": str(index),
        "date_received": e["time"][:10],
        "request_kind": e["kind"],
        "requester": e.get("requester") or "",
        "on_behalf_of": " ".join(e.get("on_behalf_of") or []),
        "immigration_purpose": "yes" if recorded(e, registry) else "no",
        "documents": " ".join(e.get("documents") or []),
        "decision": e["decision"],
        "citations": "; ".join(e.get("citations") or []),
        "transfer_permitted_to": transfer,
    }


def _administrative(e: dict, registry: Registry) -> bool:
    return any(d in ADMINISTRATIVE for d in e.get("documents") or [])


def _immigration(e: dict, registry: Registry) -> bool:
    """Requests from immigration agents (who asked: an immigration agency, or on behalf of one),
    requests the decision found to be for civil immigration enforcement (a 287(g) agency, a city
    department asking to help with a removal), and every detainer or civil warrant received."""
    parties = [e.get("requester"), *(e.get("on_behalf_of") or [])]
    return _administrative(e, registry) or immigration_agency(parties, registry) or recorded(e, registry)


def _task_force(e: dict, registry: Registry) -> bool:
    """Requests from a joint law enforcement task force (registry level "multi")."""
    try:
        return registry.get(e.get("requester") or "").level == "multi"
    except KeyError:  # an id the registry no longer holds names no task force
        return False


# Which decision entries a report's `rows` names.
SELECTORS: dict[str, Callable[[dict, Registry], bool]] = {
    "administrative_documents": _administrative,
    "immigration_requests": _immigration,
    "task_force_requests": _task_force,
}
DUTY_COLUMNS = ["entry", "date_triggered", "duty", "due", "requester", "request_kind", "decision", "decision_entry", "fulfilled"]


def write(report: PeriodicReport, period: Period, log: DecisionLog, registry: Registry, out_dir: Path | None = None) -> Written:
    """The report for `period` from the log; with `out_dir`, also written as KIND-PERIOD.csv/.html."""
    if report.period != period.unit:
        raise SanctuaryError("period", f"{report.kind} is a {report.period} report; {period.name} is a {period.unit}")
    logged = list(entries(log))
    in_period = [(i, e) for i, e in logged if "time" in e and period.start.isoformat() <= e["time"][:10] <= period.end.isoformat()]
    if report.rows.startswith("duty:"):
        duty = report.rows.removeprefix("duty:")
        fulfilled = {e["duty_index"] for _, e in logged if e.get("kind") == FULFILLED}
        columns = DUTY_COLUMNS
        rows = [
            {
                "entry": str(i),
                "date_triggered": e["time"][:10],
                "duty": e["duty"],
                "due": e["due"],
                "requester": e.get("requester") or "",
                "request_kind": e["request_kind"],
                "decision": e["decision"],
                "decision_entry": str(e["decision_index"]),
                "fulfilled": "yes" if i in fulfilled else "no",
            }
            for i, e in in_period
            if e.get("kind") == DUTY and e["duty"] == duty
        ]
        kinds = [r["request_kind"] for r in rows]
    elif report.rows in SELECTORS:
        select = SELECTORS[report.rows]
        chosen = [(i, e) for i, e in in_period if e.get("kind") in REQUEST_KINDS and select(e, registry)]
        columns = DECISION_COLUMNS
        rows = [_decision_row(i, e, registry) for i, e in chosen]
        kinds = [r["request_kind"] for r in rows]
    else:
        raise SanctuaryError("rows", f"{report.kind}: unknown row selector {report.rows!r}; one of {', '.join([*SELECTORS, 'duty:ID'])}")
    for row in rows:
        row.update({c: STAFF for c in report.staff_columns})
    columns = columns + list(report.staff_columns)
    counts = {
        "decision": dict(sorted(Counter(r["decision"] for r in rows).items())),
        "request_kind": dict(sorted(Counter(kinds).items())),
    }
    written = Written(report.kind, period.name, columns, rows, counts, list(report.missing))
    written.csv_text = _csv(columns, rows)
    written.html_text = _html(report, period, written)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = out_dir / f"{report.kind}-{period.name}"
        for suffix, text in ((".csv", written.csv_text), (".html", written.html_text)):
            path = stem.with_suffix(suffix)
            path.write_text(text, encoding="utf-8")
            written.files.append(path)
    return written


def _csv(columns: list[str], rows: Iterable[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ report.title }} — {{ period.name }}</title>
<style>
body { font: 11pt/1.4 system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; }
.staff { background: #fff3c4; }
@media print { body { margin: 0; } h1 { font-size: 14pt; } }
</style></head><body>
<h1>{{ report.title }}</h1>
<p><strong>Period:</strong> {{ period.name }} ({{ period.start }} to {{ period.end }}) ·
<strong>To:</strong> {{ report.to }} · <strong>Law:</strong> {{ report.citation }} ·
<strong>Due:</strong> {{ due }}</p>
<h2>Counts</h2>
<p>{{ written.rows | length }} row(s).
{% for what, by in written.counts.items() %}By {{ what.replace("_", " ") }}:
{% for k, n in by.items() %}{{ k }} {{ n }}{% if not loop.last %}, {% endif %}{% endfor %}.
{% endfor %}</p>
{% if written.missing %}<h2>Not in the decision log: staff to fill</h2><ul>
{% for m in written.missing %}<li class="staff">{{ m }}</li>{% endfor %}</ul>{% endif %}
<h2>Rows</h2>
<table><thead><tr>{% for c in written.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead><tbody>
{% for r in written.rows %}<tr>{% for c in written.columns %}<td{% if r[c] == staff %} class="staff"{% endif %}>{{ r[c] }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
<p>Written from the decision log by <code>sanctuary duties report {{ report.kind }} --period {{ period.name }}</code>.</p>
</body></html>
"""
_ENV = Environment(autoescape=True)


def _html(report: PeriodicReport, period: Period, written: Written) -> str:
    return _ENV.from_string(_PAGE).render(report=report, period=period, written=written, due=report.due_for(period), staff=STAFF)
