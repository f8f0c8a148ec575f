"""The same warehouse on Apache Spark: loaded as Parquet, built and tested there, equal to DuckDB's row for row.

dbt-spark's session method runs a local Spark (local[2]) inside each dbt process, with its
metastore and managed tables in a folder of the test's own (SCORECARD_SPARK_DIR). The loader
writes the raw extracts as Parquet under its raw folder (scorecard/spark.py), and dbt registers
them at the start of each run. Each warehouse is built on both engines from the same files and
seeds by the real commands (`scorecard init`, `scorecard load`, `dbt build`), and every mart is
compared row for row (tests/mart_rows.py). Spark's marts are read from the Parquet files Spark
wrote for them, so no second Spark process is needed to read them.

Run by `make test-spark` (the third stage of `make test`), in .venv-spark.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from .conftest import PROJECT_DIR, run_dbt, synthetic_set
from .mart_rows import TIME_COLUMNS, Marts, assert_identical, marts

pytest.importorskip("pyspark", reason="the Spark stage runs in .venv-spark (make test-spark)")

pytestmark = [pytest.mark.slow, pytest.mark.spark]  # a JVM per dbt command and several warehouse builds

SCORECARD = Path(sys.executable).parent / "scorecard"
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"  # how Spark names the folder of a null partition value


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=PROJECT_DIR, env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=1800)  # fmt: skip
    assert result.returncode == 0, f"{' '.join(map(str, args))}:\n{result.stdout[-4000:]}\n{result.stderr[-3000:]}"
    return result


def _build(env: dict[str, str], work: Path, args: list[str]) -> dict:
    """dbt with the engine `env` chooses; its run results (every node passed, or the test fails with the log)."""
    database = Path(env.get("SCORECARD_DUCKDB_PATH", work / "unused.duckdb"))
    built = run_dbt(args, database, work, env)
    assert built.returncode == 0, built.stdout[-6000:]
    return json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))


def _engines(work: Path, seeds: dict[str, str]) -> dict[str, dict[str, str]]:
    duck = {**seeds, "SCORECARD_DUCKDB_PATH": str(work / "duck" / "warehouse.duckdb")}
    spark = {**seeds, "SCORECARD_TARGET": "spark", "SCORECARD_SPARK_DIR": str(work / "spark-wh")}
    return {"duckdb": duck, "spark": spark}


def _marts_duckdb(path: Path) -> Marts:
    with duckdb.connect(str(path), read_only=True) as con:
        return marts(lambda sql, params=(): con.execute(sql, list(params)).fetchall())


def _marts_spark(spark_dir: Path, duckdb_path: Path) -> Marts:
    """Every mart Spark built, read from its table's Parquet files in DuckDB's column order and types.

    A partitioned table keeps its partition columns in folder names (`organisation_code=HRF/...`),
    read as text and cast to the mart's type; Spark puts them last, so the columns are set in
    DuckDB's order here, once it is checked that both have the same ones.
    """
    folder = spark_dir / "warehouse" / "marts.db"
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        types = {
            (t, c): d
            for t, c, d in con.execute(
                "select table_name, column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' order by table_name, ordinal_position"
            ).fetchall()
        }
    spark = duckdb.connect()
    spark.execute("create schema marts")
    tables = sorted({t for t, _ in types})
    for table in tables:
        columns = [c for t, c in types if t == table]
        files = sorted((folder / table).rglob("*.parquet"))
        if not files:  # Spark writes no file for a table with no rows
            body = ", ".join(f'cast(null as {types[table, c]}) as "{c}"' for c in columns)
            spark.execute(f"create view marts.{table} as select {body} where false")
            continue
        partitions = [part.split("=", 1)[0] for part in files[0].relative_to(folder / table).parts[:-1]]
        stored = [c for (c,) in spark.execute(
            "select name from parquet_schema(?) where name != 'spark_schema' and num_children is null",
            [str(files[0])]).fetchall()]  # fmt: skip
        assert sorted([*stored, *partitions]) == sorted(columns), f"{table}: Spark has other columns"
        hive = "{" + ", ".join(f"'{p}': 'VARCHAR'" for p in partitions) + "}"
        select = ", ".join(
            f'cast(nullif("{c}", \'{HIVE_NULL}\') as {types[table, c]}) as "{c}"' if c in partitions else f'"{c}"'
            for c in columns
        )
        options = f", hive_partitioning = true, hive_types = {hive}" if partitions else ", hive_partitioning = false"
        spark.execute(
            f"create view marts.{table} as select {select} from read_parquet({[str(f) for f in files]!r}{options})"
        )
    try:
        return marts(lambda sql, params=(): spark.execute(sql, list(params)).fetchall())
    finally:
        spark.close()


def _passed(run: dict) -> set[str]:
    statuses = {r["status"] for r in run["results"]}
    assert statuses <= {"success", "pass", "no-op"}, statuses
    return {r["unique_id"].split(".")[0] for r in run["results"]}


# --------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample_on_both(tmp_path_factory):
    work = tmp_path_factory.mktemp("spark-sample")
    engines = _engines(work, {})
    runs = {}
    for name, env in engines.items():
        _run([str(SCORECARD), "init"], env)
        _run([str(SCORECARD), "load-sample"], env)
        runs[name] = _build(env, work / name, ["build"])
    return {"work": work, "env": engines, "runs": runs}


def test_the_sample_builds_on_spark_with_every_test_and_every_mart_equals_duckdb(sample_on_both):
    kinds = _passed(sample_on_both["runs"]["spark"])
    assert {"model", "test", "unit_test", "seed"} <= kinds  # models, data tests, unit tests and seeds ran on Spark
    spark_nodes = {r["unique_id"] for r in sample_on_both["runs"]["spark"]["results"]}
    duck_nodes = {r["unique_id"] for r in sample_on_both["runs"]["duckdb"]["results"]}
    assert spark_nodes == duck_nodes  # the same project: nothing left out on Spark
    work = sample_on_both["work"]
    duck = _marts_duckdb(work / "duck" / "warehouse.duckdb")
    spark = _marts_spark(work / "spark-wh", work / "duck" / "warehouse.duckdb")
    assert_identical(duck, spark, "Spark")
    assert len(duck["fct_indicator_period"][1]) > 300  # the comparison covered the sample's figures


def test_the_loader_wrote_each_batch_as_parquet_and_a_second_load_of_the_same_files_is_skipped(sample_on_both):
    raw = sample_on_both["work"] / "spark-wh" / "raw"
    loads = sorted(p.name for p in (raw / "indicator_values").iterdir())
    assert len(loads) == 1 and loads[0].startswith("load=")
    assert (raw / "indicator_values" / loads[0] / "part-0.parquet").is_file()
    again = _run([str(SCORECARD), "load-sample"], sample_on_both["env"]["spark"])
    assert "0 loaded, 0 rejected, 11 skipped" in again.stdout
    assert sorted(p.name for p in (raw / "indicator_values").iterdir()) == loads  # nothing written


# --------------------------------------------------------------------------- a small synthetic set, a new month


@pytest.fixture(scope="module")
def synthetic():
    with synthetic_set("test-spark-synth", councils=3, months=14, seed=5) as dataset:
        yield dataset


def test_a_synthetic_set_and_an_incremental_month_with_restatements_equal_duckdb(synthetic, tmp_path):
    seeds, history, new_month = synthetic.seeds, synthetic.history, synthetic.new_month
    engines = _engines(tmp_path, seeds)
    duckdb_path = tmp_path / "duck" / "warehouse.duckdb"
    for name, env in engines.items():
        _run([str(SCORECARD), "init"], env)
        _run([str(SCORECARD), "load", *map(str, history)], env)
        _passed(_build(env, tmp_path / name, ["build", "--exclude-resource-type", "unit_test"]))
    before = _marts_duckdb(duckdb_path)
    assert_identical(before, _marts_spark(tmp_path / "spark-wh", duckdb_path), "Spark")

    runs = {}
    for name, env in engines.items():
        _run([str(SCORECARD), "load", *map(str, new_month)], env)
        runs[name] = _build(env, tmp_path / name, ["build", "--select", "source:extracts+", "--exclude-resource-type",
                                                   "unit_test"])  # fmt: skip
        _passed(runs[name])
    after = _marts_duckdb(duckdb_path)
    assert_identical(after, _marts_spark(tmp_path / "spark-wh", duckdb_path), "Spark")

    # the month was built incrementally on Spark: the large facts overwrote partitions, not the table
    spark_sql = {r["unique_id"].rsplit(".", 1)[-1]: r for r in runs["spark"]["results"]}
    assert {"int_indicator_values_deduplicated", "fct_indicator_period", "fct_budget_outturn"} <= set(spark_sql)
    compiled = (tmp_path / "spark" / "target" / "run" / "council_scorecard" / "models" / "marts" / "performance"
                / "fct_indicator_period.sql").read_text(encoding="utf-8")  # fmt: skip
    assert "insert overwrite table" in compiled.lower()
    # ... and it held a restatement: a month before the new one whose figure changed
    columns, rows = before["fct_indicator_period"]
    kept = [c for c in columns if not c.endswith(TIME_COLUMNS)]
    key = [kept.index(c) for c in ("organisation_code", "indicator_code", "period_month")]
    value = kept.index("value")
    old = {tuple(r[i] for i in key): r[value] for r in rows}
    new_rows = after["fct_indicator_period"][1]
    restated = [r for r in new_rows if tuple(r[i] for i in key) in old and old[tuple(r[i] for i in key)] != r[value]]
    assert restated, "the new month restated no earlier figure"
    months = {r[kept.index("period_month")] for r in new_rows}
    assert len(months) > len({r[kept.index("period_month")] for r in rows})  # and added a month
