"""The raw extract tables on Spark, copied from a DuckDB warehouse the loader wrote.

The loader (scorecard/loader.py) writes its raw tables to DuckDB or PostgreSQL only. Until it has a
Spark path, this script gives the Spark target (SCORECARD_TARGET=spark, profiles.yml) the same raw
tables: it exports each table of the DuckDB file's raw schema to Parquet with DuckDB's own COPY, and
registers the files on Spark as external Parquet tables in the schema raw, with the column types
DuckDB has (VARCHAR as string, TIMESTAMP as timestamp, DECIMAL(18,4) as is).

    SCORECARD_DUCKDB_PATH=/tmp/spark-duck/wh.duckdb .venv-spark/bin/scorecard init
    SCORECARD_DUCKDB_PATH=/tmp/spark-duck/wh.duckdb .venv-spark/bin/scorecard load-sample
    .venv-spark/bin/python scripts/spark_raw_from_duckdb.py /tmp/spark-duck/wh.duckdb

Re-running replaces the Parquet copies and the table definitions. The Spark session is the one the
dbt profile describes (local[2], Hive metastore and warehouse under SCORECARD_SPARK_DIR, default
/tmp/spark-wh); run it while no dbt command holds that metastore (Derby allows one process).

A real loader path on Spark would write each checked batch the same way: a Parquet file of the
batch's rows appended into the raw table's folder (append-only, as on the other engines), then
`refresh table raw.<extract>`; or `insert into raw.<extract>` through a Spark session.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from pathlib import Path

import duckdb

SPARK_TYPES = {
    "VARCHAR": "string",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "DOUBLE": "double",
}


def spark_type(duckdb_type: str) -> str:
    if re.fullmatch(r"DECIMAL\(\d+,\d+\)", duckdb_type):
        return duckdb_type.lower()
    return SPARK_TYPES[duckdb_type]


def spark_session(spark_dir: str):
    """The session of profiles.yml's spark output (keep the two in step)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.enableHiveSupport()
        .config("spark.master", "local[2]")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", f"{spark_dir}/warehouse")
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir}")
        .getOrCreate()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("duckdb_file", type=Path)
    parser.add_argument("--schema", default=os.environ.get("SCORECARD_RAW_SCHEMA", "raw"))
    parser.add_argument("--spark-dir", default=os.environ.get("SCORECARD_SPARK_DIR", "/tmp/spark-wh"))
    args = parser.parse_args()

    parquet_dir = Path(args.spark_dir) / "raw_parquet"
    tables: dict[str, list[tuple[str, str]]] = {}
    with duckdb.connect(str(args.duckdb_file), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [args.schema]
            ).fetchall()
        ]
        for name in names:
            tables[name] = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [args.schema, name],
            ).fetchall()
            folder = parquet_dir / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            con.execute(f"copy {args.schema}.{name} to '{folder}/part-0.parquet' (format parquet)")

    spark = spark_session(args.spark_dir)
    try:
        spark.sql(f"create schema if not exists {args.schema}")
        for name, columns in tables.items():
            spark.sql(f"drop table if exists {args.schema}.{name}")
            cols = ", ".join(f"`{c}` {spark_type(t)}" for c, t in columns)
            spark.sql(f"create table {args.schema}.{name} ({cols}) using parquet location '{parquet_dir / name}'")
            count = spark.sql(f"select count(*) from {args.schema}.{name}").collect()[0][0]
            print(f"{args.schema}.{name}: {count} rows, {len(columns)} columns")
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
