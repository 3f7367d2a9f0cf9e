"""The flagging SQL is one file that DuckDB and Spark both run, with the same flags.

`sanctuary scan --tables DIR` writes flags.sql's inputs; Spark (pyspark in local mode, on Debian's
Java; `make test` installs both) runs the same file over them, and every flagged row, its codes and
its evidence must equal what the scan wrote on DuckDB. On a cluster only the master URL changes
(docs/retro.md, "On a cluster")."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from sanctuary.retro import ScanOptions, scan
from sanctuary.retro.sql import TABLES
from test_retro_scan import FIXTURES, RECORDS, write_audit

pytest.importorskip("pyspark", reason="pyspark is installed by `make test` (make spark)")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java: `make spark` installs Debian's default-jre-headless", allow_module_level=True)

COLUMNS = "file, row, source_id, flags, evidence, organization, CAST(search_time AS VARCHAR), reason"


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("sanctuary-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_and_duckdb_give_the_same_flags_from_the_same_sql_file(spark, tmp_path: Path) -> None:
    from sanctuary.retro.spark import flag

    records = RECORDS + [dict(RECORDS[0], id="r8", reason="I-247A detainer"), dict(RECORDS[1], id="r9", reason="Investigation")]
    files = [write_audit(tmp_path / "network_audit.csv", records), FIXTURES / "search_audit.a871b2fc.csv"]
    tables = tmp_path / "tables"
    summary = scan(files, tmp_path / "out", ScanOptions(home_state="IL", agency="Belmont CA PD", tables=tables))
    assert sorted(p.name for p in tables.iterdir()) == sorted(TABLES)
    flag(spark, tables).write.parquet(str(tmp_path / "spark"))
    con = duckdb.connect()
    ours = con.execute(f"SELECT {COLUMNS} FROM read_parquet('{tmp_path / 'out' / 'flags.parquet'}') ORDER BY file, row").fetchall()
    theirs = con.execute(f"SELECT {COLUMNS} FROM read_parquet('{tmp_path / 'spark' / '*.parquet'}') ORDER BY file, row").fetchall()
    assert len(ours) == summary["flagged"] > 0
    assert theirs == ours
    codes = {code for row in ours for code in row[3].split(";")}
    assert {"IMMIGRATION_PURPOSE", "PRESUMED_IMMIGRATION", "IMMIGRATION_AGENCY", "VAGUE_REASON", "CASE_NUMBER_ONLY"} <= codes
