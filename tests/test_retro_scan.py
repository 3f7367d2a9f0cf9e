"""`sanctuary scan` on every export variant, with injected immigration rows that must be found."""

from __future__ import annotations

import csv
import gzip
import itertools
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanctuary.retro import RetroError, ScanOptions, scan
from sanctuary.retro.columns import Layout
from sanctuary.retro.flags import CODES, code_table
from sanctuary.retro.load import _expr, headers, reader, text_expr

FIXTURES = Path(__file__).resolve().parent.parent / "examples" / "retro"  # copies of the real exports
HEADERS_13 = [
    "ID",
    "Name",
    "Org Name",
    "Total Networks Searched",
    "Time Frame",
    "License Plate",
    "Reason",
    "Case #",
    "Filters",
    "Search Time",
    "Search Type",
    "Text Prompt",
    "Moderation",
]

# One logical search per row; `expect` holds the flags the row must get when every column is present.
RECORDS = [
    {
        "id": "r0",
        "org": "Evanston PD",
        "networks": "1",
        "reason": "stolen vehicle",
        "plate": "ABC123",
        "time": "11/14/2025, 09:53:36 AM UTC",
        "expect": set(),
    },
    {
        "id": "r1",
        "org": "Polk County FL SO",
        "networks": "6,264",
        "reason": "ICE WARRANT",
        "plate": "***",
        "time": "11/14/2025, 10:00:00 AM UTC",
        # ICE named: the search served ICE (who asked), and ICE may be ERO; Polk County acts for ICE (287(g))
        "expect": {"IMMIGRATION_PURPOSE", "IMMIGRATION_AGENCY", "DHS_COMPONENT", "HAS_287G", "OUT_OF_STATE", "NATIONAL_LOOKUP"},
    },
    {
        "id": "r2",
        "org": "(Federal) DHS HSI Chicago",
        "networks": "3",
        "reason": "Investigation",
        "plate": "***",
        "time": "11/14/2025, 11:00:00 AM UTC",
        "expect": {"IMMIGRATION_AGENCY", "DHS_COMPONENT", "VAGUE_REASON"},
    },
    {
        "id": "r3",
        "org": "Evanston PD",
        "networks": "1",
        "reason": "assist HSI with locate",
        "plate": "***",
        "time": "11/14/2025, 12:00:00 PM UTC",
        # HSI named: the search served an immigration agency (who asked); HSI's work is not civil enforcement
        "expect": {"IMMIGRATION_AGENCY", "DHS_COMPONENT"},
    },
    {
        "id": "r4",
        "org": "Evanston PD",
        "networks": "1",
        "reason": "25-136102",
        "plate": "***",
        "time": "11/15/2025, 01:00:00 AM UTC",
        "expect": {"CASE_NUMBER_ONLY"},
    },
    {
        "id": "r5",
        "org": "Oak Park PD",
        "networks": "2",
        "reason": "***",
        "plate": "***",
        "time": "11/15/2025, 02:00:00 AM UTC",
        "expect": {"VAGUE_REASON"},
    },
    {
        "id": "r6",
        "org": "SC - Sumter Co Sheriff's Office",
        "networks": "12",
        "reason": "burglary suspect",
        "plate": "***",
        "time": "11/15/2025, 03:00:00 PM UTC",
        "expect": {"OUT_OF_STATE"},
    },
    {
        "id": "r7",
        "org": "Oak Park PD",
        "networks": "1",
        "reason": "robbery suspect",
        "plate": "XYZ999",
        "time": "11/16/2025, 04:00:00 PM UTC",
        "expect": set(),
    },
]
ORG_FLAGS = {"IMMIGRATION_AGENCY", "DHS_COMPONENT", "HAS_287G", "OUT_OF_STATE"}


def _audit_row(r: dict) -> list[str]:
    frame = f"11/01/2025, 12:00:00 AM UTC\n{r['time']}"  # the multi-line Time Frame cell
    return [r["id"], "***", r["org"], r["networks"], frame, r["plate"], r["reason"], "", "", r["time"], "search", "", "allow"]


def write_audit(path: Path, records: list[dict] = RECORDS, opener=open) -> Path:
    with opener(path, "wt", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS_13)
        w.writerows(_audit_row(r) for r in records)
    return path


def write_devices(path: Path) -> Path:
    """Older release: Total Devices Searched, no ID, no Total Networks Searched."""
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Name", "Org Name", "Total Devices Searched", "Time Frame", "License Plate", "Reason", "Search Time"])
        w.writerows(["***", r["org"], "75,819", f"x\n{r['time']}", r["plate"], r["reason"], r["time"]] for r in RECORDS)
    return path


def write_pdf_extracted(path: Path) -> Path:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "ID",
                "Org_Name",
                "Total_Networks_Searched",
                "Total_Devices_Searched",
                "Time_Frame_Start",
                "Time_Frame_End",
                "Reason",
                "Search_Time",
                "Search_Type",
                "Moderation",
            ]
        )
        w.writerows(
            [
                r["id"],
                r["org"],
                r["networks"],
                "10",
                "2025-11-01 00:00:00",
                "2025-11-16 00:00:00",
                r["reason"],
                r["time"].replace(" UTC", ""),
                "lookup",
                "none",
            ]
            for r in RECORDS
        )
    return path


def _json_record(r: dict) -> dict:
    return {
        "ID": r["id"],
        "Name": "***",
        "Org Name": r["org"],
        "Total Networks Searched": int(r["networks"].replace(",", "")),
        "Reason": r["reason"],
        "License Plate": r["plate"],
        "Search Time": "2025-11-14T09:53:36Z",
    }


def write_ndjson(path: Path) -> Path:
    path.write_text("".join(json.dumps(_json_record(r)) + "\n" for r in RECORDS))
    return path


def write_json_array(path: Path) -> Path:
    path.write_text(json.dumps([_json_record(r) for r in RECORDS]))
    return path


def write_parquet(path: Path) -> Path:
    rows = [_json_record(r) for r in RECORDS]
    pq.write_table(pa.table({k: [row[k] for row in rows] for k in rows[0]}), path)
    return path


def flagged(out: Path) -> dict[tuple[str, int], set[str]]:
    with open(out / "flags.csv", newline="") as fh:
        return {(Path(r["file"]).name, int(r["row"])): set(r["flags"].split(";")) for r in csv.DictReader(fh)}


def expected(name: str, drop: set[str] = frozenset()) -> dict[tuple[str, int], set[str]]:
    return {(name, i): r["expect"] - drop for i, r in enumerate(RECORDS) if r["expect"] - drop}


@pytest.mark.parametrize(
    ("writer", "name", "variant", "drop"),
    [
        (write_audit, "audit.csv", "audit", set()),
        (lambda p: write_audit(p, opener=gzip.open), "audit.csv.gz", "audit", set()),
        (write_devices, "devices.csv", "audit-devices", {"NATIONAL_LOOKUP"}),
        (write_pdf_extracted, "extracted.csv", "pdf-extracted", set()),
        (write_ndjson, "audit.ndjson", "audit", set()),
        (write_json_array, "audit.json", "audit", set()),
        (write_parquet, "audit.parquet", "audit", set()),
    ],
)
def test_every_variant_finds_the_injected_rows(tmp_path, writer, name, variant, drop):
    path = writer(tmp_path / name)
    summary = scan([path], tmp_path / "out", ScanOptions(home_state="IL"))
    assert summary["files"][0]["variant"] == variant
    assert summary["files"][0]["kind"] == "network audit"
    assert summary["rows"] == len(RECORDS)
    assert flagged(tmp_path / "out") == expected(name, drop)


def test_code_table_names_every_combination_in_codes_order():
    table = dict(code_table())
    names = list(CODES)
    assert len(table) == 2 ** len(names) - 1 and 0 not in table
    assert all(table[1 << i] == name for i, name in enumerate(names))
    assert table[1 | 1 << names.index("OUT_OF_STATE")] == "IMMIGRATION_PURPOSE;OUT_OF_STATE"


def test_flag_rows_carry_source_id_and_evidence(tmp_path):
    scan([write_audit(tmp_path / "a.csv")], tmp_path / "out", ScanOptions(home_state="IL"))
    with open(tmp_path / "out" / "flags.csv", newline="") as fh:
        rows = {r["source_id"]: r for r in csv.DictReader(fh)}
    assert "ICE" in rows["r1"]["evidence"] and "6264 networks searched" in rows["r1"]["evidence"]
    assert "287(g)" in rows["r1"]["evidence"]
    assert "ICE-HSI" in rows["r2"]["evidence"]
    assert rows["r2"]["organization"] == "(Federal) DHS HSI Chicago"
    assert rows["r5"]["evidence"] == "no reason recorded (blank or redacted)"
    parquet = pq.read_table(tmp_path / "out" / "flags.parquet").to_pylist()
    assert [r["row"] for r in parquet] == sorted(r["row"] for r in parquet)
    assert {r["source_id"] for r in parquet} == set(rows)


def test_row_numbers_count_multiline_cells_as_one_row_across_files(tmp_path):
    first = write_audit(tmp_path / "first.csv", RECORDS[:3])
    second = write_audit(tmp_path / "second.csv", RECORDS[3:])
    summary = scan([first, second], tmp_path / "out", ScanOptions(home_state="IL"))
    got = flagged(tmp_path / "out")
    assert got[("first.csv", 1)] == RECORDS[1]["expect"]
    assert got[("second.csv", 0)] == RECORDS[3]["expect"]  # RECORDS[3] is the first row of the second file
    assert [f["flagged"] for f in summary["files"]] == [2, 4]


def test_home_state_changes_out_of_state(tmp_path):
    scan([write_audit(tmp_path / "a.csv")], tmp_path / "out", ScanOptions(home_state="SC"))
    got = flagged(tmp_path / "out")
    assert ("a.csv", 6) not in got  # Sumter County, SC searched: in state now
    assert "OUT_OF_STATE" in got[("a.csv", 1)]  # Florida is out of state from South Carolina too
    assert "OUT_OF_STATE" in got[("a.csv", 5)] and "VAGUE_REASON" in got[("a.csv", 5)]  # Oak Park, IL


def test_mapped_layout(tmp_path):
    path = tmp_path / "other.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Requesting Org", "Why", "When", "Scope"])
        w.writerows([r["org"], r["reason"], r["time"], r["networks"]] for r in RECORDS)
    with pytest.raises(RetroError, match="header"):
        scan([path], tmp_path / "out", ScanOptions(home_state="IL"))
    mapping = {"org": "Requesting Org", "reason": "Why", "search_time": "When", "networks": "Scope"}
    summary = scan([path], tmp_path / "out", ScanOptions(home_state="IL", mapping=mapping))
    assert summary["files"][0]["variant"] == "mapped"
    assert flagged(tmp_path / "out") == expected("other.csv")


def test_real_portal_exports_are_negative_controls(tmp_path):
    files = sorted(FIXTURES.glob("search_audit.*.csv"))
    summary = scan(files, tmp_path / "out", ScanOptions(home_state="CA"))
    assert [f["variant"] for f in summary["files"]] == ["portal", "portal"]
    assert summary["rows"] == 127
    assert summary["by_flag"]["IMMIGRATION_PURPOSE"] == 0
    assert summary["by_flag"]["CASE_NUMBER_ONLY"] > 0  # "20260332", "2026-0380", ...
    assert all(f["unparsed_times"] == 0 for f in summary["files"])
    assert summary["over_time"]["points"]  # ISO times read
    # the portal export names no organisation: its group still counts every searched row
    (none,) = summary["organisations"]["top"]
    assert none["organization"] == "(none recorded)" and none["rows"] == 127 and none["flagged"] <= 127


def test_real_portal_export_with_injected_immigration_row(tmp_path):
    real = (FIXTURES / "search_audit.f5f2e2bb.csv").read_text()
    injected = '"11111111-2222-3333-4444-555555555555","***","2026-04-06T10:00:00.000Z","6809","assist ICE ERO with locate"'
    path = tmp_path / "search_audit.csv"
    path.write_text(real.rstrip("\n") + "\n" + injected + "\n")
    scan([path], tmp_path / "out", ScanOptions(home_state="CA"))
    with open(tmp_path / "out" / "flags.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if "IMMIGRATION_PURPOSE" in r["flags"]]
    assert [(int(r["row"]), r["source_id"]) for r in rows] == [(36, "11111111-2222-3333-4444-555555555555")]
    assert "NATIONAL_LOOKUP" in rows[0]["flags"]


def test_outputs_and_report(tmp_path):
    summary = scan([write_audit(tmp_path / "a.csv")], tmp_path / "out", ScanOptions(home_state="IL"))
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == {"flags.csv", "flags.parquet", "orgs.csv", "summary.json", "report.html", "orgs"}
    assert json.loads((out / "summary.json").read_text())["flagged"] == summary["flagged"] == 6
    html = (out / "report.html").read_text()
    assert html.count("<svg") == 3 and "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "Polk County FL SO" in html and "Method" in html and "Caveats" in html
    assert summary["registry_sha256"][:16] in html
    top = summary["organisations"]["top"][0]
    assert top["direct"] >= 1


def test_unresolved_organisations_are_listed(tmp_path):
    records = [dict(RECORDS[0], org="Ancient City Capital"), dict(RECORDS[7], org="Escondido PD")]
    summary = scan([write_audit(tmp_path / "a.csv", records)], tmp_path / "out", ScanOptions(home_state="IL"))
    assert {u["name"] for u in summary["organisations"]["unresolved"]} == {"Ancient City Capital", "Escondido PD"}
    assert "Ancient City Capital" in (tmp_path / "out" / "orgs.csv").read_text()


@pytest.mark.parametrize(
    ("files", "options", "field"),
    [
        (["missing.csv"], {"home_state": "IL"}, "file"),
        (["a.csv"], {"home_state": "Narnia"}, "--home-state"),
        (["a.csv", "a.csv"], {"home_state": "IL"}, "FILE"),
        (["a.txt.bz2"], {"home_state": "IL"}, "file"),
        (["a.csv"], {"home_state": "IL", "national_threshold": 0}, "--national-threshold"),
    ],
)
def test_bad_input_names_the_field(tmp_path, files, options, field):
    write_audit(tmp_path / "a.csv")
    (tmp_path / "a.txt.bz2").write_bytes(b"x")
    with pytest.raises(RetroError) as exc:
        scan([tmp_path / f for f in files], tmp_path / "out", ScanOptions(**options))
    assert exc.value.field == field


@pytest.mark.parametrize(
    "text",
    ['ID,Org Name,Reason\n1,"Polk County FL SO,ICE\n', "ID,Org Name,Reason\n1,Polk County FL SO,ICE\n2,a,b,c,d,e\n"],
)
def test_malformed_csv_is_an_error_not_a_misread(tmp_path, text):
    path = tmp_path / "broken.csv"
    path.write_text(text)
    with pytest.raises(RetroError, match="broken.csv: cannot be read"):
        scan([path], tmp_path / "out", ScanOptions(home_state="IL"))


def test_a_truncated_gzip_export_is_an_error_naming_it(tmp_path):
    text = "ID,Org Name,Reason\n" + "".join(f"{i},Polk County FL SO,burglary {i}\n" for i in range(20_000))
    packed = gzip.compress(text.encode())
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])  # the header and first rows still read: the end is missing
    with pytest.raises(RetroError, match="broken.csv.gz: cannot be read"):
        scan([path], tmp_path / "out", ScanOptions(home_state="IL"))
    assert not list((tmp_path / "out").rglob("*.csv"))  # no decompressed copy left behind


@pytest.mark.parametrize(
    "records",
    [
        [{"ID": 1, "Reason": "x", "Case #": ""}, {"ID": 2, "reason": "y", "Extra": {"a": 1}}],
        [{**{f"k{i}": "v" for i in range(250)}, "n": 3}] * 3,  # many keys, values of two types: columns, not a MAP
        [{f"k{i}": "v" for i in range(250)}] * 3,  # many keys of one type: DuckDB reads one MAP column
    ],
)
def test_json_keys_are_the_names_duckdb_gives_them(tmp_path, records):
    path = tmp_path / "audit.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    con = duckdb.connect()
    assert headers(con, path) == [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader(path)}").fetchall()]


def test_an_export_without_rows(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(HEADERS_13) + "\n")
    summary = scan([path], tmp_path / "out", ScanOptions(home_state="IL"))
    assert summary["rows"] == 0 and summary["flagged"] == 0
    assert "No flagged rows" in (tmp_path / "out" / "report.html").read_text()


def test_out_that_is_a_file_is_an_error(tmp_path):
    (tmp_path / "taken").write_text("x")
    with pytest.raises(RetroError) as exc:
        scan([write_audit(tmp_path / "a.csv")], tmp_path / "taken", ScanOptions(home_state="IL"))
    assert exc.value.field == "--out"


@pytest.mark.parametrize(("option", "value"), [("proxy_hours", 0), ("memory_limit", "lots")])
def test_bad_tuning_options(tmp_path, option, value):
    with pytest.raises(RetroError) as exc:
        scan([write_audit(tmp_path / "a.csv")], tmp_path / "out", ScanOptions(home_state="IL", **{option: value}))
    assert exc.value.field == "--" + option.replace("_", "-")


def test_row_numbers_hold_under_parallel_reading(tmp_path):
    """DuckDB reads big CSVs on several threads; `row` must still be the row's place in the file."""
    import duckdb

    path = tmp_path / "big.csv"
    duckdb.sql(
        f"""COPY (SELECT i::VARCHAR AS "ID", 'Evanston PD' AS "Org Name", '1' AS "Total Networks Searched",
                  '11/01/2025, 12:00:00 AM UTC' || chr(10) || '11/02/2025, 12:00:00 AM UTC' AS "Time Frame",
                  CASE WHEN i % 9973 = 0 THEN 'ICE WARRANT' ELSE 'stolen vehicle' END AS "Reason",
                  '11/02/2025, 12:00:00 AM UTC' AS "Search Time"
                FROM range(300000) t(i)) TO '{path}' (FORMAT csv, HEADER)"""
    )
    scan([path], tmp_path / "out", ScanOptions(home_state="IL"))
    rows = pq.read_table(tmp_path / "out" / "flags.parquet").to_pylist()
    assert len(rows) == 31  # 0, 9973, ..., 299190
    assert all(r["row"] == int(r["source_id"]) and r["flags"] == "IMMIGRATION_PURPOSE;IMMIGRATION_AGENCY;DHS_COMPONENT" for r in rows)


def test_cells_are_cleaned_as_if_every_cell_were_trimmed() -> None:
    """Staging cleans only the cells that need it (load.text_expr, the network count cast first): the
    values must be those of trimming every cell, `***` and blanks NULL, commas dropped from counts."""
    parts = ["", " ", "*", "***", ",", "12", "6,264", "-3", "1.5", "abc", "\t", "0x1", "%", "_"]
    cells = sorted({"".join(c) for n in (1, 2, 3) for c in itertools.product(parts, repeat=n)})
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[c] for c in cells] + [[None]])
    trimmed = "CASE WHEN ltrim(trim(v), '*') = '' THEN NULL ELSE trim(v) END"
    count = f"TRY_CAST(replace({trimmed}, ',', '') AS BIGINT)"
    text_diff = con.execute(f"SELECT v FROM t WHERE {trimmed} IS DISTINCT FROM {text_expr('v')}").fetchall()
    count_diff = con.execute(
        f"SELECT v FROM t WHERE {count} IS DISTINCT FROM {_expr(Layout('x', {'networks': 'v'}), 'networks', True)}"
    ).fetchall()
    assert (text_diff, count_diff) == ([], [])
    assert con.execute(f"SELECT {count} FROM (SELECT ' 6,264 ' AS v)").fetchall() == [(6264,)]
