"""The loader on Spark (SCORECARD_TARGET=spark): raw extracts as append-only Parquet, the same rows as on DuckDB.

No Spark here: scorecard/spark.py writes and reads the Parquet files with DuckDB. The Spark
build of those files is tests/test_spark.py's (the Spark stage of `make test`).
"""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb
import pytest

from scorecard.contracts import CONTRACTS, RETRACTIONS_TABLE
from scorecard.loader import LoadError, connect_for_writing, load_paths, load_sample, loads, retract
from scorecard.spark import load_folders

from .test_loader import GOOD_IV, IV, csv_file

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_INDICATOR_ROWS = 380  # the sample's indicator_values rows, as DuckDB's raw table holds them
BAD_IV = [*GOOD_IV[:2], "SD004,W 1,Feb-18,£18.2M,Green,SIB,17,,Feb-18,"]


@pytest.fixture
def spark(tmp_path, monkeypatch) -> Path:
    """The Spark target with a raw folder of this test's own; returns the raw folder."""
    monkeypatch.setenv("SCORECARD_TARGET", "spark")
    monkeypatch.setenv("SCORECARD_SPARK_DIR", str(tmp_path / "spark"))
    monkeypatch.setenv("SCORECARD_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("SCORECARD_QUARANTINE_DIR", str(tmp_path / "quarantine"))
    (tmp_path / "landing").mkdir()
    return tmp_path / "spark" / "raw"


def _parquet_rows(raw: Path, table: str) -> list[tuple]:
    """A raw table's rows in its Parquet loads, sorted, without the time it was written (differs per load)."""
    when = "retracted_at" if table == RETRACTIONS_TABLE else "_loaded_at"
    files = [str(p) for folder in load_folders(raw, table) for p in folder.glob("*.parquet")]
    if not files:
        return []
    with duckdb.connect() as con:
        rows = con.execute(
            f"select * exclude ({when}) from read_parquet(?, union_by_name = true, hive_partitioning = false)",
            [files],
        ).fetchall()
    return sorted(rows, key=repr)


def test_the_sample_lands_as_one_parquet_load_per_table_with_the_rows_duckdb_holds(spark, tmp_path, monkeypatch):
    results = load_sample()
    assert [r.status for r in results].count("loaded") == 11
    landed = {c.table for c in CONTRACTS.values() if load_folders(spark, c.table)}
    assert landed == {"indicator_values", "workforce", "budget_outturn", "risks", "programme"}
    for table in landed:
        (folder,) = load_folders(spark, table)  # one load: one folder per table with rows
        assert folder.name.startswith("load=") and [p.name for p in folder.iterdir()] == ["part-0.parquet"]
    assert len({load_folders(spark, table)[0].name for table in landed}) == 1  # the same load id
    assert not (spark / "commentary").exists() and not (spark / RETRACTIONS_TABLE).exists()  # nothing to write

    monkeypatch.setenv("SCORECARD_TARGET", "dev")
    database = tmp_path / "duck.duckdb"
    load_sample(database)
    with duckdb.connect(str(database), read_only=True) as con:
        for contract in CONTRACTS.values():
            expected = con.execute(f"select * exclude (_loaded_at) from raw.{contract.table}").fetchall()
            assert _parquet_rows(spark, contract.table) == sorted(expected, key=repr), contract.table
    assert len(_parquet_rows(spark, "indicator_values")) == SAMPLE_INDICATOR_ROWS


def test_a_second_load_adds_a_folder_and_the_same_files_again_add_nothing(spark, tmp_path):
    load_sample()
    first = load_folders(spark, "indicator_values")
    new = csv_file(tmp_path / "landing", "indicator_values_SD004_2018-02.csv", IV, GOOD_IV)
    assert [r.status for r in load_paths([new])] == ["loaded"]
    assert [r.status for r in load_sample()] == ["skipped"] * 11
    assert [r.status for r in load_paths([new])] == ["skipped"]
    after = load_folders(spark, "indicator_values")
    assert after[: len(first)] == first and len(after) == 2  # appended, earlier load unchanged
    assert len(_parquet_rows(spark, "indicator_values")) == SAMPLE_INDICATOR_ROWS + 4
    assert len(load_folders(spark, "budget_outturn")) == 1  # the new load wrote no budget file


def test_a_refused_file_writes_nothing_and_names_file_row_column_and_value(spark, tmp_path):
    load_sample()
    before = {c.table: load_folders(spark, c.table) for c in CONTRACTS.values()}
    bad = csv_file(tmp_path / "landing", "indicator_values_SD004_2018-02.csv", IV, BAD_IV)
    (result,) = load_paths([bad], raise_on_reject=False)
    assert result.status == "rejected"
    assert any(p.row == 4 and p.column == "value" and p.value == "£18.2M" for p in result.problems)
    assert {c.table: load_folders(spark, c.table) for c in CONTRACTS.values()} == before


def test_a_retraction_is_appended_as_parquet_and_listed(spark, tmp_path):
    load_sample()
    new = csv_file(tmp_path / "landing", "indicator_values_SD004_2018-02.csv", IV, GOOD_IV)
    load_paths([new])
    done = retract("indicator_values_SD004_2018-02.csv", "sent in error")
    assert (done.extract, done.row_count, done.already) == ("indicator_values", 4, False)
    (folder,) = load_folders(spark, RETRACTIONS_TABLE)
    rows = _parquet_rows(spark, RETRACTIONS_TABLE)
    assert [(r[1], r[2], r[3], r[5], r[6]) for r in rows] == [
        ("indicator_values_SD004_2018-02.csv", "indicator_values", "SD004", 4, "sent in error")
    ]
    assert retract("indicator_values_SD004_2018-02.csv", "again").already
    assert load_folders(spark, RETRACTIONS_TABLE) == [folder]  # the second retraction wrote nothing
    listed = {row[2]: row[5] for row in loads()}
    assert listed == {"indicator_values_SD004_2018-02.csv": "sent in error"}


def test_a_batch_that_cannot_be_written_leaves_no_folder_and_earlier_loads_unchanged(spark, tmp_path, monkeypatch):
    load_sample()
    before = {c.table: load_folders(spark, c.table) for c in CONTRACTS.values()}
    resent = (SAMPLE / "budget_outturn_HRF_2017-05.csv").read_text(encoding="utf-8").replace("(98)", "(99)", 1)
    (tmp_path / "landing" / "budget_outturn_HRF_2017-05.csv").write_text(resent, encoding="utf-8")
    new = [
        csv_file(tmp_path / "landing", "indicator_values_SD004_2018-02.csv", IV, GOOD_IV),
        tmp_path / "landing" / "budget_outturn_HRF_2017-05.csv",
    ]
    real_mkdir = Path.mkdir

    def disk_full_on_budget(self, *args, **kwargs):  # the batch's second table, after indicator_values
        if self.parent.name == "budget_outturn" and self.name.startswith(".load="):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_mkdir(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(Path, "mkdir", disk_full_on_budget)
        with pytest.raises(LoadError, match=r"could not write raw Parquet under .*No space left.*disk full"):
            load_paths(new)
    assert {c.table: load_folders(spark, c.table) for c in CONTRACTS.values()} == before
    assert not list(spark.glob("*/.load=*"))  # no hidden half-written folder left either


def test_a_second_writer_waits_then_is_refused_in_one_line(spark):
    load_sample()
    with connect_for_writing(Path("unused"), wait=0), pytest.raises(LoadError, match="another load is writing"):
        connect_for_writing(Path("unused"), wait=0.3)


@pytest.mark.parametrize("command", [["publish"], ["monthly", "landing"], ["report-sources"]])
def test_a_command_spark_has_no_counterpart_for_is_refused_in_one_line(spark, command, capsys):
    from scorecard.cli import main

    assert main(command) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"scorecard {command[0]}: not on Spark (SCORECARD_TARGET=spark): ") and "\n" not in err
    assert not spark.exists()  # nothing was written
