"""Production incremental runs test the rows they wrote; CI's full run tests every row.

`scorecard monthly` (and the Dagster jobs) pass test_latest_build_only: the data tests of
the large incremental models then read only the rows the latest run wrote, stamped with the
model's newest built_at (macros/tests/get_where_subquery.sql). These tests show that such a run still fails on a
broken row it wrote, and that a duplicate across old and new rows, which a limited run
cannot see, fails the full run CI makes.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import duckdb
import pytest

from scorecard.routine import LATEST_BUILD_ONLY_VARS

from .conftest import NO_UNIT_TESTS, run_dbt

pytestmark = pytest.mark.slow  # builds a warehouse


@pytest.fixture
def built(warehouse, tmp_path):
    """A writable copy of the sample warehouse, as the last build left it."""
    database = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse, database)
    return database


def _failed_tests(work_dir) -> list[str]:
    run = json.loads((work_dir / "target" / "run_results.json").read_text())
    return sorted(r["unique_id"].split(".")[2] for r in run["results"] if r["status"] in ("fail", "error"))


def test_a_limited_incremental_run_fails_on_a_broken_row_it_wrote(built, tmp_path):
    # A row the loader would have refused, written to raw behind its back: an unreadable figure.
    with duckdb.connect(str(built)) as con:
        con.execute(
            """
            insert into raw.indicator_values
            select * replace (
                'unparseable' as value__status, null as value__number, '12,5' as value,
                'broken_SD004.csv' as _source_file, 'broken' as _file_sha256, now() as _loaded_at
            )
            from raw.indicator_values
            where organisation_code__code = 'SD004'
            limit 1
            """
        )
    result = run_dbt(["build", *NO_UNIT_TESTS, "--vars", LATEST_BUILD_ONLY_VARS],
                     built, tmp_path)  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:]
    failed = _failed_tests(tmp_path)
    assert any(name.startswith("accepted_values_stg_extracts__indicator_values_value_status") for name in failed), (
        failed
    )
    # the tests read only what the run wrote: the one new row
    run = json.loads((tmp_path / "target" / "run_results.json").read_text())
    compiled = next(
        r["compiled_code"]
        for r in run["results"]
        if "accepted_values_stg_extracts__indicator_values_value_status" in r["unique_id"]
    )
    assert "where built_at = (select max(latest.built_at) from" in compiled


def test_a_duplicate_across_old_and_new_rows_passes_a_limited_run_and_fails_the_full_run(built, tmp_path):
    # A new row (stamped by a later run) that repeats the key of a row an earlier run wrote.
    later = datetime.now(UTC).replace(tzinfo=None)
    with duckdb.connect(str(built)) as con:
        before = con.execute("select count(*) from marts.fct_indicator_period").fetchone()[0]
        con.execute(
            "insert into marts.fct_indicator_period select * replace (cast(? as timestamp) as built_at) "
            "from marts.fct_indicator_period where organisation_code = 'HRF' order by period_month limit 1",
            [later],
        )
    assert before > 100
    limited = run_dbt(
        ["test", "--select", "fct_indicator_period", *NO_UNIT_TESTS,
         "--vars", LATEST_BUILD_ONLY_VARS],
        built, tmp_path,
    )  # fmt: skip
    assert limited.returncode == 0, limited.stdout[-3000:]
    full = run_dbt(["test", "--select", "fct_indicator_period", *NO_UNIT_TESTS],
                   built, tmp_path)  # fmt: skip
    assert full.returncode == 1, full.stdout[-3000:]
    assert _failed_tests(tmp_path) == [
        "unique_combination_of_columns_fct_indicator_period_organisation_code__indicator_code__period_month"
    ]
