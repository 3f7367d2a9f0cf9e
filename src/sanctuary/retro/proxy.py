"""PROXY_PATTERN: a search for a plate or person shortly after an immigration agency asked for it.

The "side door" (docs/evidence.md, "How the searches reached ICE"): ICE cannot search the cameras, so it asks a local officer, who
searches with a bland reason. The vendor log alone cannot show this; beside a log of the requests the
department received, it can. A requests log is a CSV, NDJSON or Parquet file with one row per
request and the columns (any of the listed spellings):

- time:   received_at, time, timestamp, date, requested_at
- agency: agency, requester, requesting_agency, from
- plate:  plate, license_plate
- person: person, subject, subject_name, name

Requesters resolve through the same organisation resolver; requests from immigration-enforcement
agencies and 287(g) partners count. A search matches when its plate equals the requested plate, or
its reason or text prompt contains the requested person's name, within the window after the request.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from sanctuary.retro.columns import find_columns
from sanctuary.retro.errors import RetroError
from sanctuary.retro.load import headers, plate_expr, reader, text_expr, time_expr
from sanctuary.retro.orgs import OrgResolver

_ALIASES = {
    "time": ("receivedat", "time", "timestamp", "date", "requestedat", "datetime", "received"),
    "agency": ("agency", "requester", "requestingagency", "from", "requesteragency"),
    "plate": ("plate", "licenseplate"),
    "person": ("person", "subject", "subjectname", "name", "personname"),
}


def load_requests(con: duckdb.DuckDBPyConnection, path: Path, resolver: OrgResolver) -> dict:
    """Create table `requests` (immigration-agency requests only); return counts for the summary."""
    columns = find_columns(headers(con, path), _ALIASES)
    for required in ("time", "agency"):
        if required not in columns:
            raise RetroError("--requests", f"{path}: no {required} column (one of {', '.join(_ALIASES[required])})")
    if "plate" not in columns and "person" not in columns:
        raise RetroError("--requests", f"{path}: needs a plate or a person column")
    plate = plate_expr(text_expr(columns["plate"])) if "plate" in columns else "NULL::VARCHAR"
    person = f"lower({text_expr(columns['person'])})" if "person" in columns else "NULL::VARCHAR"
    try:
        con.execute(
            f"CREATE TEMP TABLE all_requests AS SELECT {time_expr(text_expr(columns['time']))} AS time, "
            f"{text_expr(columns['agency'])} AS agency, {plate} AS plate, {person} AS person FROM {reader(path)}"
        )
        bad = con.execute("SELECT count(*) FROM all_requests WHERE time IS NULL OR agency IS NULL").fetchall()[0][0]
        agencies = [r[0] for r in con.execute("SELECT DISTINCT agency FROM all_requests WHERE agency IS NOT NULL").fetchall()]
    except duckdb.Error as exc:
        raise RetroError("--requests", f"{path}: cannot be read: {str(exc).splitlines()[0]}") from None
    if bad:
        raise RetroError("--requests", f"{path}: {bad} request(s) without a readable time or agency")
    immigration = []
    for name in agencies:
        org = resolver.resolve(name)
        if org.immigration or org.has_287g:
            immigration.append(name)
    con.execute("CREATE TEMP TABLE immigration_requesters (agency VARCHAR)")
    con.executemany("INSERT INTO immigration_requesters VALUES (?)", [[a] for a in immigration])
    con.execute(
        "CREATE TEMP TABLE requests AS SELECT r.* FROM all_requests r JOIN immigration_requesters USING (agency) "
        "WHERE r.plate IS NOT NULL OR r.person IS NOT NULL"
    )
    total, kept = con.execute("SELECT (SELECT count(*) FROM all_requests), (SELECT count(*) FROM requests)").fetchall()[0]
    return {"file": str(path), "requests": total, "immigration_requests": kept, "immigration_requesters": sorted(immigration)}


def match_requests(con: duckdb.DuckDBPyConnection, hours: float) -> None:
    """Create table `proxy` (file_index, row, evidence) from `rows` and `requests`."""
    window = f"INTERVAL ({float(hours)} * 3600) SECOND"
    con.execute(
        f"""
        CREATE TEMP TABLE proxy AS
        WITH hits AS (
            SELECT r.file_index, r.row, q.agency, q.time, r.search_time,
                   'plate ' || q.plate AS what
            FROM rows r JOIN requests q
              ON r.plate = q.plate AND r.search_time >= q.time AND r.search_time <= q.time + {window}
            UNION ALL
            SELECT r.file_index, r.row, q.agency, q.time, r.search_time,
                   'person ' || q.person AS what
            FROM rows r JOIN requests q
              ON r.search_time >= q.time AND r.search_time <= q.time + {window}
            WHERE q.person IS NOT NULL
              AND (contains(lower(r.reason), q.person) OR contains(lower(r.text_prompt), q.person))
        )
        SELECT file_index, row,
               string_agg(format('{{}} asked for {{}} at {{}}; searched {{}} later', agency, what,
                                 strftime(time, '%Y-%m-%d %H:%M UTC'), search_time - time), '; ') AS evidence
        FROM hits GROUP BY file_index, row
        """
    )
