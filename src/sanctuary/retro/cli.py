"""`sanctuary scan` and `sanctuary scan-partners`: the retroactive audit on the command line."""

from __future__ import annotations

import json
import webbrowser
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sanctuary.agencies import RegistryError, load_registry
from sanctuary.agencies.g287 import G287Error, load_g287
from sanctuary.retro.columns import parse_map
from sanctuary.retro.errors import RetroError
from sanctuary.retro.orgs import OrgResolver
from sanctuary.retro.partners import scan_partners as run_partners
from sanctuary.retro.pipeline import ScanOptions
from sanctuary.retro.pipeline import scan as run_scan

app = typer.Typer(no_args_is_help=True, help="Retroactive audit of vendor exports for immigration enforcement.")
err = Console(stderr=True)
out_console = Console(highlight=False)

HomeStateOpt = Annotated[str, typer.Option("--home-state", help="Two-letter code of the department's state, e.g. IL.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Folder for the results (created if missing).")]
G287Opt = Annotated[
    Path | None, typer.Option("--g287", help="ICE's 287(g) list: the .xlsx as published, or CSV (default: the shipped sample).")
]
RegistryOpt = Annotated[list[Path] | None, typer.Option("--agencies", help="A department's own registry file (TOML); repeatable.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]


@app.command("scan")
def scan(
    files: Annotated[
        list[Path], typer.Argument(help="Exports (CSV or .csv.gz, NDJSON, JSON, Parquet), or folders: every export in them, any mix.")
    ],
    home_state: HomeStateOpt,
    out: OutOpt,
    map_: Annotated[list[str] | None, typer.Option("--map", help="column=field for layouts not recognised (repeatable).")] = None,
    national_threshold: Annotated[int, typer.Option(help="Networks searched above which a search is NATIONAL_LOOKUP.")] = 1000,
    requests: Annotated[Path | None, typer.Option(help="Log of requests received, for PROXY_PATTERN.")] = None,
    proxy_hours: Annotated[float, typer.Option(help="Hours after a request in which a search counts as its proxy.")] = 48.0,
    g287: G287Opt = None,
    registry: RegistryOpt = None,
    memory_limit: Annotated[str, typer.Option(help="DuckDB memory limit.")] = "3GB",
    agency: Annotated[
        str | None,
        typer.Option("--agency", help="The agency whose exports these are (default: a manifest, the file name, or the content)."),
    ] = None,
    tables: Annotated[
        Path | None, typer.Option("--tables", help="Also write the flagging SQL's input tables here as Parquet (for Spark).")
    ] = None,
    open_report: Annotated[bool, typer.Option("--open", help="Open report.html in a browser when done.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Flag searches in vendor audit exports that point at immigration enforcement, direct or indirect."""
    try:
        options = ScanOptions(
            home_state=home_state,
            national_threshold=national_threshold,
            mapping=parse_map(map_ or []),
            g287=g287,
            registry_extra=registry or [],
            requests=requests,
            proxy_hours=proxy_hours,
            memory_limit=memory_limit,
            agency=agency,
            tables=tables,
        )
        if err.is_terminal and not json_out:
            with _Bar() as bar:
                summary = run_scan(files, out, options, bar.update)
        else:
            summary = run_scan(files, out, options)
    except (RetroError, RegistryError, G287Error) as exc:
        _fail(exc)
    if json_out:
        out_console.print_json(json.dumps(summary, default=str))
    else:
        _print_scan(summary, out)
    if open_report:
        webbrowser.open((out / "report.html").resolve().as_uri())


@app.command("scan-partners")
def scan_partners(
    file: Annotated[Path, typer.Argument(help="The vendor's sharing list (CSV, NDJSON or Parquet).")],
    home_state: HomeStateOpt,
    out: OutOpt,
    declarations: Annotated[Path | None, typer.Option(help="Signed 625 ILCS 5/2-130 declarations on file (CSV).")] = None,
    g287: G287Opt = None,
    registry: RegistryOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Classify every sharing partner; for Illinois, list out-of-state partners without a declaration."""
    try:
        resolver = OrgResolver(load_registry(registry or []), load_g287(g287))
        summary = run_partners(file, home_state, resolver, out, declarations)
    except (RetroError, RegistryError, G287Error) as exc:
        _fail(exc)
    if json_out:
        out_console.print_json(json.dumps(summary))
        return
    out_console.print(f"{summary['partners']} partners, {summary['receiving_data']} receive data -> {out / 'partners.csv'}")
    for flag, n in summary["by_flag"].items():
        out_console.print(f"  {flag:<20} {n:>6}")
    missing = summary["missing_declarations"]
    if missing is not None:
        table = Table(title=f"Receiving data without a declaration on file (625 ILCS 5/2-130): {len(missing)}")
        for column in ("organization", "level", "state", "flags"):
            table.add_column(column)
        for p in missing:
            table.add_row(p["organization"], p["level"], p["state"], p["flags"])
        out_console.print(table)


def _fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _print_scan(summary: dict, out: Path) -> None:
    rows = summary["rows"]
    owner = summary["owner"]
    whose = f"{owner} (owner from {summary['owner_how']})" if owner else f"owner {summary['owner_how']}"
    out_console.print(f"Export of {whose}: {rows:,} searches in {len(summary['files']):,} file(s) ({summary['seconds']} s)")
    direct = summary["direct"]
    out_console.print(f"Direct evidence: {direct['rows']:,} of {rows:,} searches ({100 * direct['share']:.2f}%)")
    for title, codes in (
        ("Direct evidence", summary["direct_codes"]),
        ("Weaker signals about purpose", summary["purpose_codes"]),
        ("Who could see the data (not purpose)", summary["reach_codes"]),
    ):
        table = Table("flag", "searches", "share", title=title)
        for code in codes:
            table.add_row(code, f"{summary['by_flag'][code]:,}", f"{100 * summary['share'][code]:.2f}%")
        out_console.print(table)
    for r in direct["evidence"][:5]:
        out_console.print(
            f"  {Path(r['file']).name}, row {r['row']:,}: {r['organization'] or '(none recorded)'}: {r['reason']!r}: {r['evidence']}"
        )
    top = Table("organisation", "resolved as", "searches", "direct", "presumed", title="Organisations (most direct evidence first)")
    for o in summary["organisations"]["top"][:5]:
        top.add_row(
            o["organization"],
            f"{o['resolved_id'] or ''} {o['level'] or '?'}, {o['state'] or '?'}",
            f"{o['rows']:,}",
            f"{o['direct']:,} ({100 * o['direct'] / o['rows'] if o['rows'] else 0:.2f}%)",
            f"{o['by_flag']['PRESUMED_IMMIGRATION']:,}",
        )
    out_console.print(top)
    unresolved = summary["organisations"]["unresolved"]
    if unresolved:
        out_console.print(f"{len(unresolved):,} unresolved organisation name(s), listed in summary.json and report.html")
    if summary["g287"]["sample"]:
        out_console.print("HAS_287G and PRESUMED_IMMIGRATION used the shipped sample list; pass --g287 with ICE's current sheet.")
    out_console.print(
        f"Results: {out / 'report.html'}, {out / 'flags.csv'}, {out / 'flags.parquet'}, {out / 'summary.json'}, {out / 'orgs'}"
    )


class _Bar:
    """A Rich progress bar with one line per scan step."""

    def __init__(self):
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err)
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> _Bar:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.__exit__(*exc)

    def update(self, step: str, done: int, total: int) -> None:
        if step not in self._tasks:
            self._tasks[step] = self._progress.add_task(step, total=total)
        self._progress.update(self._tasks[step], completed=done, total=total)
