"""Formats and history: wide and long files agree; restatements add versions; new months reach the marts."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from scorecard.loader import load_paths, load_sample
from scorecard.workbooks import write_wide_indicator_workbook
from tests.conftest import PROJECT_DIR, build_warehouse

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow

CONTENT = (
    "organisation_code, indicator_code, period, value, reported_rag, polarity_as_printed, "
    "target_as_printed, rag_methodology_as_printed, reported_in, notes"
)
NOTE = "Cost per placement £1,200 \u2013 \u201cas agreed\u201d"


def _sample_pack(folder: Path) -> Path:
    """004's pack as a long CSV with notes per indicator (a wide sheet keeps one note per row)."""
    source = PROJECT_DIR / "sample_data" / "indicator_values_SD004_2018-01.csv"
    with source.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["notes"] = NOTE if row["indicator_code"] == "FD 3" else ""
    out = folder / "long.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out


def _raw(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select {CONTENT} from raw.indicator_values order by all").fetchall()


def test_wide_xlsx_and_long_csvs_load_identical_rows(tmp_path):
    long_csv = _sample_pack(tmp_path)
    with (PROJECT_DIR / "seeds/reference/indicators.csv").open(encoding="utf-8") as fh:
        areas = {r["indicator_code"]: r["service_area"] for r in csv.DictReader(fh)}
    files = {
        "wide": write_wide_indicator_workbook(long_csv, tmp_path / "indicator_values_SD004_2018-01.xlsx", areas),
        "bom": tmp_path / "indicator_values_SD004_2018-01_bom.csv",
        "cp1252": tmp_path / "indicator_values_SD004_2018-01_cp1252.csv",
    }
    text = long_csv.read_text(encoding="utf-8")
    files["bom"].write_text("\ufeff" + text, encoding="utf-8")
    files["cp1252"].write_bytes(text.encode("cp1252"))
    loaded = {}
    for label, path in files.items():
        database = tmp_path / f"{label}.duckdb"
        [result] = load_paths([path], database, settle=0)
        assert result.status == "loaded" and result.rows == 350, (label, result.problems)
        loaded[label] = _raw(database)
    assert loaded["wide"] == loaded["bom"] == loaded["cp1252"]
    notes = {row[-1] for row in loaded["wide"] if row[1] == "FD 3"}
    assert notes == {NOTE}
    with duckdb.connect(str(tmp_path / "wide.duckdb"), read_only=True) as con:
        sheets = con.execute("select distinct _sheet from raw.indicator_values order by 1").fetchall()
    assert len(sheets) == 8  # one sheet per service area; the cover sheet holds no table


def test_restated_month_adds_a_version_and_a_new_month_reaches_the_marts(tmp_path):
    extracts = tmp_path / "extracts"
    extracts.mkdir()
    (extracts / "indicator_values_SD004_2018-02.csv").write_text(
        "organisation_code,indicator_code,period,value,reported_rag,polarity_as_printed,target_as_printed,"
        "rag_methodology_as_printed,reported_in,notes\n"
        "SD004,FD 3,Jan-18,88%,,BIB,90%,90% or above Green 85%-89% Amber 84% and below Red,Feb-18,restated\n"
        "SD004,FD 3,Feb-18,91%,Green,BIB,90%,90% or above Green 85%-89% Amber 84% and below Red,Feb-18,\n",
        encoding="utf-8",
    )
    (extracts / "workforce_HRF_2017-06.csv").write_text(
        "organisation_code,period,measure_code,value,reported_in,notes\nHRF,Jun-17,headcount,340,Jun-17,\n",
        encoding="utf-8",
    )
    load_sample(tmp_path / "warehouse.duckdb")  # the month before, as already published
    database, result = build_warehouse(tmp_path, extracts)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as con:
        versions = con.execute(
            "select value, reported_in from raw.indicator_values"
            " where indicator_code = 'FD 3' and period = 'Jan-18' order by reported_in"
        ).fetchall()
        assert versions == [("88%", "Feb-18"), ("86%", "Jan-18")]
        jan = con.execute(
            """
            select value, first_reported_value, version_count, reported_in
            from marts.fct_indicator_period
            where organisation_code = 'SD004' and indicator_code = 'FD 3' and period_month = date '2018-01-01'
            """
        ).fetchone()
        assert jan == (88, 86, 2, date(2018, 2, 1))
        latest = con.execute(
            """
            select period_month, value, rag_status, reported_rag, previous_value, direction, performance
            from marts.fct_scorecard_latest where organisation_code = 'SD004' and indicator_code = 'FD 3'
            """
        ).fetchone()
        assert latest == (date(2018, 2, 1), 91, "Green", "Green", 88, "up", "improving")
        june = con.execute(
            "select value, previous_period_month, movement, direction from marts.fct_workforce_measure_period"
            " where organisation_code = 'HRF' and measure_code = 'headcount' and period_month = date '2017-06-01'"
        ).fetchone()
        assert june == (340, date(2017, 5, 1), -2, "down")


def test_example_workbook_in_the_repo_is_loadable(tmp_path):
    example = PROJECT_DIR / "examples" / "indicator_values_SD004_2018-01.xlsx"
    [result] = load_paths([example], tmp_path / "w.duckdb", dry_run=True, settle=0, quarantine=tmp_path / "q")
    assert (result.status, result.rows) == ("valid", 350)
