"""The retro audit's flagging SQL on Spark: the same flags.sql that `sanctuary scan` runs on DuckDB,
over the tables `sanctuary scan --tables DIR` writes (docs/retro.md, "On a cluster").

    spark-submit --master URL "$(python -c 'import sanctuary.retro.spark as s; print(s.__file__)')" TABLES OUT
    python -m sanctuary.retro.spark TABLES OUT          # Spark in local mode

OUT receives the flagged rows as Parquet, with the columns of flags.parquet.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sanctuary.retro.sql import TABLES, flag_query


def flag(spark: Any, tables: str | Path) -> Any:
    """The flagged rows, as a Spark DataFrame, from the Parquet tables under `tables`."""
    for name in TABLES:
        spark.read.parquet(f"{tables}/{name}").createOrReplaceTempView(name)
    return spark.sql(flag_query())


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.exit("usage: sanctuary.retro.spark TABLES OUT")
    from pyspark.sql import SparkSession  # the cluster's, or pyspark's local mode

    spark = SparkSession.builder.appName("sanctuary-retro-flags").getOrCreate()
    try:
        flag(spark, args[0]).write.mode("overwrite").parquet(args[1])
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
