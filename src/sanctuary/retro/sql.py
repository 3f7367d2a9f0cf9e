"""The flagging SQL (flags.sql) and the tables it reads: one home for both engines.

`sanctuary scan` runs it on DuckDB; `sanctuary scan --tables DIR` also writes its inputs to DIR as
Parquet (one folder per table), and `sanctuary.retro.spark` runs the same file on Spark over them.
"""

from __future__ import annotations

from pathlib import Path

FLAGS_SQL = Path(__file__).with_name("flags.sql")
# The tables flags.sql reads, each a folder of Parquet files under `--tables DIR`.
TABLES = ("rows", "purposes", "orgs", "proxy", "files", "params", "codes")


def flag_query() -> str:
    """flags.sql as one SELECT (no trailing semicolon)."""
    return FLAGS_SQL.read_text(encoding="utf-8").strip().rstrip(";")
