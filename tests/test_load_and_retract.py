"""End to end through the command line: a good and a bad file in one load; a bad load retracted.

- A good file and a bad file landed together: the good one is loaded, the bad
  one quarantined with its rejects report, exit code 1, and no traceback.
- A loaded file retracted with `scorecard retract`: history is kept in raw, the
  next build is green without the file's rows, the findings mart names the
  retraction, and the corrected file can then be landed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT_DIR

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow

SCORECARD = Path(sys.executable).parent / "scorecard"
HEADER = (
    "organisation_code,indicator_code,period,value,reported_rag,polarity_as_printed,target_as_printed,"
    "rag_methodology_as_printed,reported_in,notes\n"
)


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    landing = tmp_path / "landing"
    landing.mkdir()
    return {
        **os.environ,
        "SCORECARD_DUCKDB_PATH": str(tmp_path / "working.duckdb"),
        "SCORECARD_PUBLISHED_PATH": str(tmp_path / "published" / "scorecard.duckdb"),
        "SCORECARD_LANDING_DIR": str(landing),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "SCORECARD_SETTLE_SECONDS": "0",
    }


def scorecard(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCORECARD), *args], env=env, cwd=PROJECT_DIR, capture_output=True, text=True)


def test_a_good_and_a_bad_file_in_one_load_the_good_one_loads_the_bad_one_is_quarantined(env):
    landing = Path(env["SCORECARD_LANDING_DIR"])
    assert scorecard(env, "load-sample").returncode == 0
    (landing / "indicator_values_SD004_2018-02.csv").write_text(
        HEADER + "SD004,W 1,Feb-18,17.5,Green,SIB,17,,Feb-18,\n", encoding="utf-8"
    )
    # UTF-8 apart from one byte: refused with its offset, never read as Windows-1252
    (landing / "workforce_HRF_2018-02.csv").write_bytes(
        b"organisation_code,period,measure_code,value,reported_in,notes\n"
        b"HRF,Feb-18,fte,120,Feb-18,caf\xc3\xa9 \x92 note\n"
    )
    done = scorecard(env, "load", str(landing))
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "loaded   indicator_values        1 rows  indicator_values_SD004_2018-02.csv" in done.stdout
    assert "not valid UTF-8 at byte 94 (0x92)" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "1 loaded, 1 rejected, 0 skipped"
    quarantine = landing / "quarantine"
    assert sorted(p.name for p in quarantine.iterdir()) == [
        "workforce_HRF_2018-02.csv",
        "workforce_HRF_2018-02.csv.rejects.csv",
        "workforce_HRF_2018-02.csv.rejects.txt",
    ]
    with duckdb.connect(env["SCORECARD_DUCKDB_PATH"], read_only=True) as con:
        loaded = con.execute(
            "select value__number from raw.indicator_values where _source_file = 'indicator_values_SD004_2018-02.csv'"
        ).fetchall()
        assert loaded == [(17.5,)]
        assert con.execute("select count(*) from raw.workforce where not _is_sample").fetchone()[0] == 0


def test_a_retracted_load_leaves_every_build_and_is_listed_in_the_findings(env):
    landing = Path(env["SCORECARD_LANDING_DIR"])
    assert scorecard(env, "load-sample").returncode == 0
    # February's pack sent for the wrong month's figures: 250 where 17.5 was meant
    wrong = landing / "indicator_values_SD004_2018-02.csv"
    wrong.write_text(HEADER + "SD004,W 1,Feb-18,250,Red,SIB,17,,Feb-18,\n", encoding="utf-8")
    first = scorecard(env, "monthly")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr
    database = env["SCORECARD_DUCKDB_PATH"]

    def w1_february() -> list[tuple]:
        with duckdb.connect(database, read_only=True) as con:
            return con.execute(
                "select value from marts.fct_indicator_period where organisation_code = 'SD004' "
                "and indicator_code = 'W 1' and period_month = date '2018-02-01'"
            ).fetchall()

    assert w1_february() == [(250,)]

    retracted = scorecard(env, "retract", wrong.name, "--reason", "figures for the wrong month")
    assert retracted.returncode == 0, retracted.stderr
    assert "1 rows) retracted" in retracted.stdout
    # publishing now would show the retracted figure: refused until a build has run
    refused = scorecard(env, "publish")
    assert refused.returncode == 1 and "after the last build" in refused.stderr

    second = scorecard(env, "monthly")
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr
    assert "3/4 dbt build --full-refresh (a load was retracted since the last build)" in second.stdout
    assert w1_february() == []  # green build, without the retracted rows
    with duckdb.connect(database, read_only=True) as con:
        assert con.execute("select count(*) from raw.indicator_values where _source_file = ?",
                           [wrong.name]).fetchone()[0] == 1  # fmt: skip  # history kept
        finding = con.execute(
            "select finding_type, severity, subject_code, period_month, reason from marts.rpt_data_quality_findings "
            "where finding_type = 'load_retracted'"
        ).fetchall()
    assert len(finding) == 1
    kind, severity, subject, month, reason = finding[0]
    assert (kind, severity, subject, str(month)) == ("load_retracted", "info", wrong.name, "2018-02-01")
    assert reason.endswith(": figures for the wrong month. Its 1 rows (indicator_values) are left out of every model.")

    # the retracted file, still in the landing folder, is not loaded again; the corrected file loads
    again = scorecard(env, "load", str(wrong))
    assert again.returncode == 0 and "this file was retracted on " in again.stdout and wrong.exists()
    corrected = landing / "indicator_values_SD004_2018-02_corrected.csv"
    corrected.write_text(HEADER + "SD004,W 1,Feb-18,17.5,Green,SIB,17,,Feb-18,\n", encoding="utf-8")
    third = scorecard(env, "monthly")
    assert third.returncode == 0, third.stdout[-2000:] + third.stderr
    assert w1_february() == [(17.5,)]
    with duckdb.connect(env["SCORECARD_PUBLISHED_PATH"], read_only=True) as con:
        assert con.execute("select value from marts.fct_indicator_period where indicator_code = 'W 1' "
                           "and period_month = date '2018-02-01'").fetchall() == [(17.5,)]  # fmt: skip
