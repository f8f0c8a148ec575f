"""The loader: contracts, rejection messages, encodings and idempotence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
import yaml

from scorecard.contracts import CONTRACTS, METADATA_COLUMNS
from scorecard.loader import ExtractError, contract_for, load_paths, load_sample

PROJECT_DIR = Path(__file__).resolve().parent.parent
HEADER = "organisation_code,period,measure_code,value,reported_in,notes"


def table_state(database: Path) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every raw table."""
    with duckdb.connect(str(database), read_only=True) as con:
        state = {}
        for contract in CONTRACTS.values():
            rows = con.execute(f"select * from raw.{contract.table} order by all").fetchall()
            state[contract.table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return state


@pytest.fixture
def loaded(tmp_path) -> Path:
    database = tmp_path / "w.duckdb"
    load_sample(database)
    return database


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_contract_is_chosen_by_file_name(tmp_path):
    assert contract_for(tmp_path / "workforce_2018-01.csv").name == "workforce"
    assert contract_for(tmp_path / "Indicator_Values.csv").name == "indicator_values"
    with pytest.raises(ExtractError, match="does not name an extract type"):
        contract_for(tmp_path / "staffing.csv")


def test_identical_file_loaded_twice_adds_nothing(loaded):
    before = table_state(loaded)
    results = load_sample(loaded)
    assert {r.status for r in results} == {"skipped"}
    assert all(r.messages == ["identical file already loaded"] for r in results)
    assert table_state(loaded) == before
    assert before["indicator_values"][0] == 380


@pytest.mark.parametrize(
    ("content", "row", "column", "reason"),
    [
        ("organisation_code,period,measure_code,value,reported_in\nHRF,Jan-18,fte,1,Jan-18\n",
         1, "notes", "missing column"),
        (HEADER + ",staff_name\nHRF,Jan-18,fte,1,Jan-18,,x\n", 1, "staff_name", "unexpected column"),
        ("organisation_code,period,measure_code,value,value,reported_in,notes\n", 1, "value",
         "duplicated column"),
        (HEADER + "\nHRF,Jan-18,fte,1,Jan-18,\nHRF,Feb-18,fte,1\n", 3, None, "row has 4 cells"),
        (HEADER + "\nHRF,,fte,1,Jan-18,\n", 2, "period", "required value is empty"),
        (HEADER + "\n", None, None, "header but no rows"),
        ("", None, None, "file is empty"),
    ],
)  # fmt: skip
def test_bad_file_is_refused_whole_naming_row_and_column(loaded, tmp_path, content, row, column, reason):
    before = table_state(loaded)
    bad = write(tmp_path / "workforce_bad.csv", content)
    with pytest.raises(ExtractError) as caught:
        load_paths([bad], loaded)
    err = caught.value
    assert (err.file, err.row, err.column) == (bad, row, column)
    assert reason in str(err)
    assert str(bad) in str(err)
    assert table_state(loaded) == before


def test_windows_1252_and_bom_files_keep_the_pound_sign(tmp_path):
    database = tmp_path / "w.duckdb"
    header = (
        "organisation_code,report_month,service_code,service_name,gross_budget,net_budget,"
        "forecast_outturn,variance,previous_variance,movement,notes\n"
    )
    row = 'HRF,Mar-17,ADDN,Additional Needs,,"£2,749","£2,465",(284),(389),105,\u201cas printed\u201d\n'
    cp = write(tmp_path / "budget_outturn_cp1252.csv", header + row, "cp1252")
    bom = write(tmp_path / "budget_outturn_bom.csv", "\ufeff" + header + row.replace("Mar-17", "Apr-17"))
    results = load_paths([cp, bom], database)
    assert [r.status for r in results] == ["loaded", "loaded"]
    with duckdb.connect(str(database), read_only=True) as con:
        got = con.execute(
            "select organisation_code, net_budget, notes from raw.budget_outturn order by report_month"
        ).fetchall()
    assert got == [("HRF", "£2,749", "\u201cas printed\u201d")] * 2


def test_sources_document_exactly_the_contract_columns():
    doc = yaml.safe_load((PROJECT_DIR / "models/staging/extracts/_extracts__sources.yml").read_text())
    tables = {t["name"]: [c["name"] for c in t["columns"]] for t in doc["sources"][0]["tables"]}
    expected = {c.table: c.column_names + [name for name, _ in METADATA_COLUMNS] for c in CONTRACTS.values()}
    assert tables == expected
