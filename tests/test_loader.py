"""The loader: every kind of bad input is refused whole with a precise reason, and nothing changes."""

from __future__ import annotations

import csv
import hashlib
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from openpyxl import Workbook

from scorecard.cli import main as cli_main
from scorecard.contracts import CONTRACTS, METADATA_COLUMNS, RETRACTION_COLUMNS, RETRACTIONS_TABLE, sources_yaml
from scorecard.loader import ExtractError, contract_for, ensure_raw_tables, load_paths, load_sample
from scorecard.personal_data import personal_name

PROJECT_DIR = Path(__file__).resolve().parent.parent
IV = "organisation_code,indicator_code,period,value,reported_rag,polarity_as_printed,target_as_printed,rag_methodology_as_printed,reported_in,notes"  # noqa: E501
GOOD_IV = [
    "SD004,FD 3,Feb-18,88%,Amber,BIB,90%,90% or above Green 85%-89% Amber 84% and below Red,Feb-18,",
    "SD004,W 1,Feb-18,17,Green,SIB,17,17 or below Green 18.1-20 Amber 20.1 and above Red,Feb-18,",
    "SD004,MC 1,Feb-18,190,,,,,Feb-18,",
    "SD004,CIN 4,Feb-18,32.6% (395/1221),Red,BIB,75%,,Feb-18,",
]
WF = "organisation_code,period,measure_code,value,reported_in,notes"
BUD = "organisation_code,report_month,service_code,service_name,gross_budget,net_budget,forecast_outturn,variance,previous_variance,movement,notes"  # noqa: E501
RISK = "organisation_code,reported_in,risk_reference,risk_title,risk_description,score_before_controls,score_after_controls,controls,owner_role,date_opened,notes"  # noqa: E501
PROG = "organisation_code,reported_in,project_name,project_rag,plan_month,activity,activity_type,notes"


def table_state(database: Path) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every raw table."""
    with duckdb.connect(str(database), read_only=True) as con:
        state = {}
        for contract in CONTRACTS.values():
            rows = con.execute(f"select * from raw.{contract.table} order by all").fetchall()
            state[contract.table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return state


@pytest.fixture(autouse=True)
def landing_is_tmp(tmp_path, monkeypatch):
    """Files these tests write sit in the landing folder: refused ones are moved to quarantine."""
    monkeypatch.setenv("SCORECARD_LANDING_DIR", str(tmp_path))


@pytest.fixture
def loaded(tmp_path) -> Path:
    database = tmp_path / "w.duckdb"
    load_sample(database)
    return database


def csv_file(folder: Path, name: str, header: str, rows: list[str], encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def xlsx_file(folder: Path, name: str, sheets: dict[str, list[list]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = folder / name
    workbook.save(path)
    return path


def wide_sheet(extra_header=None, rows=None, declare=True) -> list[list]:
    head = [["Children's improvement scorecard"]]
    if declare:
        head += [["Organisation", "SD004"], ["Reported in", "Feb-18"]]
    header = ["Indicator Number", "Indicator Title", "Polarity", "Jan-18", "Feb-18", "2017-18 Target", "RAG"]
    return [
        *head,
        [],
        header + (extra_header or []),
        *(rows or [["FD 3", "Contacts actioned", "BIB", 0.86, 0.88, "90%", "Amber"]]),
    ]


def iv(rows: list[str]) -> tuple[str, str, list[str]]:
    return "indicator_values_SD004_2018-02.csv", IV, rows


def replace_first(old: str, new: str) -> list[str]:
    return [GOOD_IV[0].replace(old, new, 1), *GOOD_IV[1:]]


# name -> (builder, expected reason, expected column)
CSV_CASES = {
    "missing column": (
        (
            "indicator_values_SD004_2018-02.csv",
            IV.replace(",notes", ""),
            [r.rsplit(",", 1)[0] for r in GOOD_IV],
        ),
        "missing column",
        "notes",
    ),
    "extra column": (
        ("indicator_values_SD004_2018-02.csv", IV + ",comment", [r + "," for r in GOOD_IV]),
        "unexpected column",
        "comment",
    ),
    "renamed column": (
        ("indicator_values_SD004_2018-02.csv", IV.replace(",value,", ",figure,"), GOOD_IV),
        "unexpected column",
        "figure",
    ),
    "duplicated column": (
        ("indicator_values_SD004_2018-02.csv", IV + ",notes", [r + "," for r in GOOD_IV]),
        "duplicated column",
        "notes",
    ),
    "ragged row": (iv([*GOOD_IV, "SD004,FD 8,Feb-18,18%,Feb-18"]), "row has 5 cells, header has 10", None),
    "broken quoting": (iv([*GOOD_IV, 'SD004,FD 8,Feb-18,"18%,,,,Feb-18,']), "broken CSV", None),
    "excel error div0": (iv(replace_first("88%", "#DIV/0!")), "Excel error value", "value"),
    "excel error na": (iv(replace_first("88%", "#N/A")), "Excel error value", "value"),
    "unknown organisation": (
        iv(replace_first("SD004", "ZZZ")),
        "unknown code: not in seeds/reference/organisations.csv",
        "organisation_code",
    ),
    "unknown indicator": (
        iv(replace_first("FD 3", "FD 99")),
        "unknown code: not in seeds/reference/indicators.csv",
        "indicator_code",
    ),
    "percentage above 100": (iv(replace_first("88%", "188%")), "percentage outside 0-100", "value"),
    "negative percentage": (iv(replace_first("88%", "(3%)")), "percentage outside 0-100", "value"),
    "bare percentage above 100": (iv(replace_first("88%", "150")), "percentage outside 0-100", "value"),
    "negative count": (
        iv([*GOOD_IV[:2], GOOD_IV[2].replace(",190,", ",-4,"), GOOD_IV[3]]),
        "negative value for a count measure",
        "value",
    ),
    "fractional count": (
        iv([*GOOD_IV[:2], GOOD_IV[2].replace(",190,", ",190.5,"), GOOD_IV[3]]),
        "a count must be a whole number",
        "value",
    ),
    "numerator above denominator": (
        iv([*GOOD_IV[:3], GOOD_IV[3].replace("(395/1221)", "(1395/1221)")]),
        "numerator above denominator",
        "value",
    ),
    "unparseable figure": (
        iv(replace_first("88%", "about 88")),
        "not a number or a known placeholder",
        "value",
    ),
    "bad period": (iv(replace_first(",Feb-18,88%", ",Month 13,88%")), "not a month", "period"),
    "bad report month": (
        iv([GOOD_IV[0][::-1].replace(",81-beF,", ",81-xxX,", 1)[::-1], *GOOD_IV[1:]]),
        "'Xxx' is not a month name",
        "reported_in",
    ),
    "required blank": (iv(replace_first("FD 3", "")), "required value is empty", "indicator_code"),
    "duplicate key": (
        iv([*GOOD_IV, GOOD_IV[0].replace("88%", "87%")]),
        "duplicate organisation_code, indicator_code, period, reported_in",
        None,
    ),
    "duplicate key spelt differently": (
        iv([*GOOD_IV, GOOD_IV[0].replace(",Feb-18,88%", ",2018-02,87%")]),
        "duplicate organisation_code",
        None,
    ),
    "period after report": (
        iv([*GOOD_IV, GOOD_IV[0].replace(",Feb-18,88%", ",Mar-18,87%")]),
        "period is after the month the file reports (Feb-18)",
        "period",
    ),
    "two reports in one file": (
        ("indicator_values_SD004.csv", IV, [*GOOD_IV, GOOD_IV[1].replace("Feb-18", "Mar-18")]),
        "a file holds one report",
        "reported_in",
    ),
    "file name month disagrees": (
        ("indicator_values_SD004_2018-03.csv", IV, GOOD_IV),
        "disagrees with the month the file name declares (Mar-18)",
        "reported_in",
    ),
    "unknown rag": (iv(replace_first(",Amber,", ",Purple,")), "not a RAG status", "reported_rag"),
    "unknown polarity": (iv(replace_first(",BIB,", ",Up,")), "not a polarity", "polarity_as_printed"),
    "header only": (iv([]), "file has a header but no rows", None),
    "child name column": (
        ("indicator_values_SD004_2018-02.csv", IV + ",Child Name", [r + "," for r in GOOD_IV]),
        "personal identifier",
        "Child Name",
    ),
    "upn column": (
        ("indicator_values_SD004_2018-02.csv", "UPN," + IV, ["A123," + r for r in GOOD_IV]),
        "personal identifier",
        "UPN",
    ),
    "nhs number column": (
        ("indicator_values_SD004_2018-02.csv", IV + ",NHS Number", [r + "," for r in GOOD_IV]),
        "personal identifier",
        "NHS Number",
    ),
    "postcode column": (
        ("indicator_values_SD004_2018-02.csv", IV + ",Postcode", [r + "," for r in GOOD_IV]),
        "personal identifier",
        "Postcode",
    ),
    "case id column": (
        ("indicator_values_SD004_2018-02.csv", IV + ",case_id", [r + "," for r in GOOD_IV]),
        "personal identifier",
        "case_id",
    ),
    "unknown measure": (
        ("workforce_HRF_2018-02.csv", WF, ["HRF,Feb-18,social_workers,12,Feb-18,"]),
        "unknown code: not in seeds/reference/workforce_measures.csv",
        "measure_code",
    ),
    "negative fte": (
        ("workforce_HRF_2018-02.csv", WF, ["HRF,Feb-18,fte,-3,Feb-18,"]),
        "negative value for a fte measure",
        "value",
    ),
    "turnover above 100": (
        ("workforce_HRF_2018-02.csv", WF, ["HRF,Feb-18,turnover_rate,140%,Feb-18,"]),
        "percentage outside 0-100",
        "value",
    ),
    "unknown service": (
        ("budget_outturn_HRF_2018-02.csv", BUD, ["HRF,Feb-18,XYZ,Mystery,,1,1,0,,,"]),
        "unknown code: not in seeds/reference/service_hierarchy.csv",
        "service_code",
    ),
    "money not a number": (
        ("budget_outturn_HRF_2018-02.csv", BUD, ["HRF,Feb-18,LAC,Looked After Children,,n.k.,1,0,,,"]),
        "not a number",
        "net_budget",
    ),
    "risk score out of range": (
        ("risks_HRF_2018-02.csv", RISK, ["HRF,Feb-18,CR.034,Short breaks,,30,12,,,,"]),
        "risk score must be a whole number from 1 to 25",
        "score_before_controls",
    ),
    "programme unknown rag": (
        ("programme_HRF_2018-02.csv", PROG, ["HRF,Feb-18,Carers,Purple,Mar-18,Delivery,phase,"]),
        "not a RAG status",
        "project_rag",
    ),
    "name not an extract type": (
        ("staffing_2018-02.csv", WF, ["HRF,Feb-18,fte,300,Feb-18,"]),
        "does not name an extract type",
        None,
    ),
    "not text": (("workforce_HRF_2018-02.csv", WF, ["HRF,Feb-18,fte,3\x0000,Feb-18,"]), "not text", None),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES), ids=lambda c: c.replace(" ", "_"))
def test_bad_csv_is_refused_whole_and_nothing_changes(loaded, tmp_path, case):
    (name, header, rows), reason, column = CSV_CASES[case]
    assert_refused(loaded, tmp_path, csv_file(tmp_path, name, header, rows), reason, column)


XLSX_CASES = {
    "excel error cell": (
        {"FD": wide_sheet(rows=[["FD 3", "x", "BIB", 0.86, "#DIV/0!", "90%", "Amber"]])},
        "Excel error value #DIV/0!",
        "Feb-18",
    ),
    "wide without declarations": (
        {"FD": wide_sheet(declare=False)},
        "does not declare organisation_code",
        None,
    ),
    "wide unexpected heading": (
        {"FD": wide_sheet(extra_header=["Forecast"])},
        "unexpected column in wide layout",
        "Forecast",
    ),
    "wide date of birth": (
        {"FD": wide_sheet(extra_header=["Date of Birth"])},
        "personal identifier",
        "Date of Birth",
    ),
    "wide percentage above 100": (
        {"FD": wide_sheet(rows=[["FD 3", "x", "BIB", 0.86, "188%", "90%", "Amber"]])},
        "percentage outside 0-100",
        "Feb-18",
    ),
    "wide unknown indicator": (
        {"FD": wide_sheet(rows=[["FD 99", "x", "BIB", 0.86, 0.88, "90%", "Amber"]])},
        "unknown code",
        "indicator_code",
    ),
    "no table in workbook": (
        {"Notes": [["Scorecard"], ["No data this month"]]},
        "no table with the indicator_values columns",
        None,
    ),
    "empty workbook": ({"Sheet1": []}, "file is empty", None),
}


@pytest.mark.parametrize("case", sorted(XLSX_CASES), ids=lambda c: c.replace(" ", "_"))
def test_bad_workbook_is_refused_whole_and_nothing_changes(loaded, tmp_path, case):
    sheets, reason, column = XLSX_CASES[case]
    assert_refused(loaded, tmp_path, xlsx_file(tmp_path, "indicator_values_SD004_2018-02.xlsx", sheets), reason, column)


def assert_refused(database: Path, tmp_path: Path, bad: Path, reason: str, column: str | None) -> None:
    before = table_state(database)
    quarantine = tmp_path / "quarantine"
    results = load_paths([bad], database, quarantine=quarantine, settle=0, raise_on_reject=False)
    assert [r.status for r in results] == ["rejected"]
    # A file refused for personal data is kept under a marked name, readable by its owner only.
    kept = personal_name(bad.name) if "personal" in reason else bad.name
    with (quarantine / f"{kept}.rejects.csv").open(encoding="utf-8") as fh:
        report = list(csv.DictReader(fh))
    assert any(reason in r["reason"] for r in report), report
    first = next(r for r in report if reason in r["reason"])
    assert first["file"] == bad.name
    if column is not None:
        assert first["column"] == column
    assert (quarantine / f"{kept}.rejects.txt").read_text().startswith(f"{kept} was refused")
    assert (quarantine / kept).exists() and not bad.exists()
    if kept != bad.name:
        assert (quarantine / kept).stat().st_mode & 0o077 == 0
    assert table_state(database) == before


def test_at_least_thirty_bad_input_fixtures():
    assert len(CSV_CASES) + len(XLSX_CASES) >= 30


def test_quarterly_and_annual_staffing_figures_load_beside_the_month(loaded, tmp_path):
    """A workforce period is a month, a quarter or a financial year; a month and the quarter ending in it
    are two figures, not a duplicate."""
    path = csv_file(
        tmp_path,
        "workforce_HRF_2017-06.csv",
        WF,
        [
            "HRF,Jun-17,agency_fte,20.5,Jun-17,",
            "HRF,Q1 2017/18,agency_fte,21.1,Jun-17,quarterly average",
            "HRF,2016/17,turnover_rate,18%,Jun-17,",
        ],
    )
    [result] = load_paths([path], loaded, quarantine=tmp_path / "q", settle=0)
    assert (result.status, result.rows) == ("loaded", 3)
    with duckdb.connect(str(loaded), read_only=True) as con:
        rows = con.execute(
            "select period, period__month, period__period_type, measure_code__code, value__number"
            " from raw.workforce where _source_file = ? order by all",
            [path.name],
        ).fetchall()
    assert rows == [
        ("2016/17", date(2017, 3, 1), "financial_year", "turnover_rate", Decimal(18)),
        ("Jun-17", date(2017, 6, 1), "month", "agency_fte", Decimal("20.5")),
        ("Q1 2017/18", date(2017, 6, 1), "quarter", "agency_fte", Decimal("21.1")),
    ]


def test_a_staffing_measure_of_another_council_is_refused_naming_file_row_column_and_value(loaded, tmp_path):
    """Measure codes belong to a council: headcount is HRF's in workforce_measures.csv, not SD004's."""
    name = "workforce_SD004_2018-02.csv"
    path = csv_file(tmp_path, name, WF, ["SD004,Feb-18,headcount,120,Feb-18,"])
    before = table_state(loaded)
    [result] = load_paths([path], loaded, quarantine=tmp_path / "q", settle=0, raise_on_reject=False)
    assert result.status == "rejected"
    [problem] = result.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (name, 2, "measure_code", "headcount")
    assert problem.reason.startswith("unknown code: not in seeds/reference/workforce_measures.csv")
    assert "SD004" in problem.reason
    assert str(problem).startswith(f"{name}, row 2, column 'measure_code': unknown code")
    assert str(problem).endswith("(value 'headcount')")
    assert table_state(loaded) == before
    # HRF's own file with the same row loads
    ok = csv_file(tmp_path, "workforce_HRF_2018-02.csv", WF, ["HRF,Feb-18,headcount,120,Feb-18,"])
    assert load_paths([ok], loaded, quarantine=tmp_path / "q", settle=0)[0].status == "loaded"


def test_a_wide_staffing_sheet_names_measures_within_its_council(loaded, tmp_path):
    """A printed measure name (Agency FTE) is looked up among the declared council's measures only."""

    def sheet(council: str) -> list[list]:
        return [
            ["Staffing"],
            ["Organisation", council],
            ["Reported in", "Feb-18"],
            [],
            ["Measure", "Jan-18", "Feb-18"],
            ["Agency FTE", 20.5, 21],
            ["headcount", 340, 338],
        ]

    hrf = xlsx_file(tmp_path, "workforce_HRF_2018-02.xlsx", {"Staffing": sheet("HRF")})
    [result] = load_paths([hrf], loaded, quarantine=tmp_path / "q", settle=0)
    assert (result.status, result.rows) == ("loaded", 4)
    with duckdb.connect(str(loaded), read_only=True) as con:
        codes = con.execute(
            "select distinct measure_code__code from raw.workforce where _source_file = ? order by 1", [hrf.name]
        ).fetchall()
    assert codes == [("agency_fte",), ("headcount",)]
    sd004 = xlsx_file(tmp_path, "workforce_SD004_2018-02.xlsx", {"Staffing": sheet("SD004")})
    [refused] = load_paths([sd004], loaded, quarantine=tmp_path / "q", settle=0, raise_on_reject=False)
    assert refused.status == "rejected"
    refusals = {(p.file, p.sheet, p.row, p.column, p.value, p.reason) for p in refused.problems}
    unknown = "unknown code: not in seeds/reference/workforce_measures.csv for council SD004"
    assert refusals == {  # once per month column of the row
        (sd004.name, "Staffing", 6, "measure_code", "Agency FTE", unknown),
        (sd004.name, "Staffing", 7, "measure_code", "headcount", unknown),
    }


def test_file_still_being_written_is_not_read_and_not_moved(loaded, tmp_path):
    before = table_state(loaded)
    path = csv_file(tmp_path, "workforce_HRF_2018-02.csv", WF, ["HRF,Feb-18,fte,300,Feb-18,"])

    def keep_writing():
        for _ in range(10):
            with path.open("a") as fh:
                fh.write("HRF,Feb-18,headcount,340,Feb-18,\n")
            time.sleep(0.02)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    results = load_paths([path], loaded, quarantine=tmp_path / "q", settle=0.1, raise_on_reject=False)
    writer.join()
    assert results[0].status == "rejected"
    assert "still being written" in results[0].problems[0].reason
    assert path.exists()
    assert table_state(loaded) == before


def test_contract_is_chosen_by_file_name(tmp_path):
    assert contract_for(tmp_path / "workforce_2018-01.csv").name == "workforce"
    assert contract_for(tmp_path / "Indicator_Values.xlsx").name == "indicator_values"
    with pytest.raises(ExtractError, match="does not name an extract type"):
        contract_for(tmp_path / "staffing.csv")


def test_identical_file_loaded_twice_adds_nothing(loaded):
    before = table_state(loaded)
    results = load_sample(loaded)
    assert {r.status for r in results} == {"skipped"}
    assert all(r.messages == ["identical file already loaded"] for r in results)
    assert table_state(loaded) == before
    assert before["indicator_values"][0] == 380


def test_dry_run_checks_without_loading_or_moving(loaded, tmp_path, capsys):
    good = csv_file(tmp_path, "indicator_values_SD004_2018-02.csv", IV, GOOD_IV)
    bad = csv_file(tmp_path, "workforce_HRF_2018-02.csv", WF, ["HRF,Feb-18,fte,-3,Feb-18,"])
    before = table_state(loaded)
    code = cli_main(["--database", str(loaded), "load", "--dry-run", "--quarantine", str(tmp_path / "q"),
                     str(good), str(bad)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "valid    indicator_values        4 rows" in out
    assert "negative value for a fte measure" in out
    assert "0 loaded, 1 rejected, 0 skipped, 1 valid (dry run)" in out
    assert good.exists() and bad.exists()
    assert table_state(loaded) == before


def test_cli_loads_good_files_and_reports_a_summary(loaded, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SCORECARD_SETTLE_SECONDS", "0")
    good = csv_file(tmp_path, "indicator_values_SD004_2018-02.csv", IV, GOOD_IV)
    assert cli_main(["--database", str(loaded), "load", str(good)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 loaded, 0 rejected, 0 skipped"
    assert cli_main(["--database", str(loaded), "load", str(good)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 loaded, 0 rejected, 1 skipped"


def test_fractions_and_bare_percentages_are_resolved_by_unit(loaded, tmp_path):
    rows = [GOOD_IV[0].replace("88%", "0.88"), GOOD_IV[1], GOOD_IV[2],
            GOOD_IV[3].replace("32.6% (395/1221)", "32.6")]  # fmt: skip
    path = csv_file(tmp_path, "indicator_values_SD004_2018-02.csv", IV, rows)
    load_paths([path], loaded, settle=0)
    with duckdb.connect(str(loaded), read_only=True) as con:
        got = con.execute(
            "select indicator_code, value from raw.indicator_values where reported_in = 'Feb-18' order by 1"
        ).fetchall()
    # FD 3 and CIN 4 are percentages; W 1 (a caseload) and MC 1 (a count) are left alone.
    assert got == [("CIN 4", "32.6%"), ("FD 3", "88%"), ("MC 1", "190"), ("W 1", "17")]


def test_sources_file_is_generated_from_the_contracts():
    committed = (PROJECT_DIR / "models/staging/extracts/_extracts__sources.yml").read_text(encoding="utf-8")
    assert committed == sources_yaml(), "run: .venv/bin/scorecard write-sources"
    doc = yaml.safe_load(committed)
    tables = {t["name"]: [c["name"] for c in t["columns"]] for t in doc["sources"][0]["tables"]}
    assert tables == {
        **{
            c.table: c.column_names + [name for name, _, _ in c.parsed_columns] + [name for name, _ in METADATA_COLUMNS]
            for c in CONTRACTS.values()
        },
        RETRACTIONS_TABLE: [name for name, _, _ in RETRACTION_COLUMNS],
    }


def test_many_files_load_in_one_batch_and_a_refused_file_among_them_changes_nothing(loaded, tmp_path, monkeypatch):
    """Good files in one call share a transaction; a bad one between them is refused alone, a repeat is skipped."""
    landing = tmp_path / "landing"
    landing.mkdir()
    good_feb = csv_file(landing, "indicator_values_SD004_2018-02.csv", IV, GOOD_IV)
    same_again = csv_file(landing, "indicator_values_SD004_2018-02_copy.csv", IV, GOOD_IV)
    bad = csv_file(landing, "indicator_values_SD004_2018-03.csv", IV, [GOOD_IV[0].replace("Feb-18,88%", "Mar-18,88%x")])
    wf = csv_file(landing, "workforce_HRF_2018-02.csv", WF, ["HRF,Feb-18,headcount,120,Feb-18,"])
    before = table_state(loaded)
    inserts = []
    monkeypatch.setattr("scorecard.loader._insert_csv", _counting(inserts))
    results = load_paths([good_feb, same_again, bad, wf], loaded, quarantine=tmp_path / "q", settle=0,
                         raise_on_reject=False)  # fmt: skip
    assert [(r.file.name, r.status, r.rows) for r in results] == [
        ("indicator_values_SD004_2018-02.csv", "loaded", 4),
        ("indicator_values_SD004_2018-02_copy.csv", "skipped", 0),
        ("indicator_values_SD004_2018-03.csv", "rejected", 0),
        ("workforce_HRF_2018-02.csv", "loaded", 1),
    ]
    assert sorted(inserts) == ["indicator_values", "workforce"]  # one bulk insert per raw table, not per file
    after = table_state(loaded)
    assert after["indicator_values"][0] == before["indicator_values"][0] + 4
    assert after["workforce"][0] == before["workforce"][0] + 1
    assert after["budget_outturn"] == before["budget_outturn"]


def test_a_batch_of_files_waits_to_settle_once_and_a_file_still_growing_is_refused_alone(loaded, tmp_path, monkeypatch):
    """The settle wait is paid once per load, not once per file: a month at national size is 612 files."""
    from scorecard import loader

    landing = tmp_path / "landing"
    landing.mkdir()
    files = [csv_file(landing, f"workforce_HRF_2018-{m:02d}.csv", WF, [f"HRF,{mon}-18,headcount,12{m},{mon}-18,"])
             for m, mon in [(2, "Feb"), (3, "Mar"), (4, "Apr")]]  # fmt: skip
    growing = files[1]
    sleeps = []

    def sleep_while_one_file_grows(seconds):
        sleeps.append(seconds)
        with growing.open("a") as fh:
            fh.write("HRF,Mar-18,fte,100,Mar-18,\n")

    monkeypatch.setattr(loader.time, "sleep", sleep_while_one_file_grows)
    before = table_state(loaded)
    results = load_paths(files, loaded, quarantine=tmp_path / "q", settle=0.5, raise_on_reject=False)
    assert sleeps == [0.5]
    assert [(r.file.name, r.status) for r in results] == [
        ("workforce_HRF_2018-02.csv", "loaded"),
        ("workforce_HRF_2018-03.csv", "rejected"),
        ("workforce_HRF_2018-04.csv", "loaded"),
    ]
    assert "still being written" in results[1].problems[0].reason
    assert growing.exists()
    assert table_state(loaded)["workforce"][0] == before["workforce"][0] + 2


def _counting(calls: list[str]):
    from scorecard import loader

    real = loader._insert_csv

    def insert(con, schema, contract, staging):
        calls.append(contract.table)
        return real(con, schema, contract, staging)

    return insert


def test_a_raw_table_from_before_the_typed_columns_is_filled_from_its_text(tmp_path):
    """Upgrading keeps every row: the typed columns are added and read from the printed text by the same grammar."""
    database = tmp_path / "old.duckdb"
    contract = CONTRACTS["indicator_values"]
    old_metadata = [(n, t) for n, t in METADATA_COLUMNS if n != "_content_sha256"]
    # the printed columns of then: the optional ones (direction, quartile ...) came later too
    columns = [f'"{n}" varchar' for n in contract.expected_column_names] + [f'"{n}" {t}' for n, t in old_metadata]
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        con.execute(f"create table raw.indicator_values ({', '.join(columns)})")
        for row, value in enumerate(["92.6%", "1 234", "-"], start=2):
            con.execute(
                "insert into raw.indicator_values values "
                "('SD004', 'FD 3', 'September-17', ?, 'Amber', 'BIB', '90%', '', 'Jan-18', '', "
                "'old.csv', 'abc', '', ?, timestamp '2018-02-01 09:00:00', false)",
                [value, row],
            )
        ensure_raw_tables(con)
        got = con.execute(
            "select value, value__status, value__number, period__month, period__period_type, reported_in__month, "
            "reported_rag__key, target_as_printed__number, _content_sha256 is not null "
            "from raw.indicator_values order by _row_number"
        ).fetchall()
    september, january = date(2017, 9, 1), date(2018, 1, 1)
    assert got == [
        ("92.6%", "reported", Decimal("92.6"), september, "month", january, "amber", Decimal(90), True),
        # what the grammar now refuses is kept, marked unparseable: the build's test names it, retract the file
        ("1 234", "unparseable", None, september, "month", january, "amber", Decimal(90), True),
        ("-", "not_available", None, september, "month", january, "amber", Decimal(90), True),
    ]


def test_a_workforce_table_from_before_quarters_gets_its_period_types(loaded):
    """Staffing periods used to be months only: upgrading adds period__period_type and reads it from the text."""
    with duckdb.connect(str(loaded)) as con:
        con.execute("alter table raw.workforce drop column period__period_type")
        ensure_raw_tables(con)
        got = con.execute(
            "select period__period_type, count(*), min(period__month), max(period__month) from raw.workforce group by 1"
        ).fetchall()
    assert got == [("month", 113, date(2015, 12, 1), date(2017, 5, 1))]  # the sample's HRF staffing figures


def test_a_council_printing_its_budget_in_millions_loads_in_thousands_at_that_precision(tmp_path, monkeypatch):
    """organisations.budget_unit gbp_millions: a bare 18.2 is £18.2m, held as 18,200 £000 printed to the nearest
    £0.1m (decimals -2); (0.3) is -300. An amount with a scale says its own unit, as for every council."""
    import shutil

    reference = tmp_path / "reference"
    shutil.copytree(PROJECT_DIR / "seeds" / "reference", reference)
    organisations = reference / "organisations.csv"
    text = organisations.read_text(encoding="utf-8")
    assert text.count(",gbp_thousands\n") == 1  # HRF prints its budget in £000
    organisations.write_text(text.replace(",gbp_thousands\n", ",gbp_millions\n"), encoding="utf-8")
    monkeypatch.setenv("SCORECARD_REFERENCE_DIR", str(reference))
    database = tmp_path / "w.duckdb"
    path = csv_file(tmp_path, "budget_outturn_HRF_2018-02.csv", BUD,
                    ["HRF,Feb-18,LAC,Looked After Children,18.2,10.30,£10.6m,(0.3),0.25,£640k,"])  # fmt: skip
    assert [r.status for r in load_paths([path], database, settle=0)] == ["loaded"]
    columns = ["gross_budget", "net_budget", "forecast_outturn", "variance", "previous_variance", "movement"]
    with duckdb.connect(str(database), read_only=True) as con:
        got = con.execute(
            f"select {', '.join(f'{c}__number, {c}__decimals' for c in columns)} from raw.budget_outturn"
        ).fetchone()
    assert got == (
        Decimal(18200), -2,  # 18.2 (£m)
        Decimal(10300), -1,  # 10.30 (£m): printed to the nearest £10k
        Decimal(10600), -2,  # £10.6m
        Decimal(-300), -2,  # (0.3) (£m)
        Decimal(250), -1,  # 0.25 (£m)
        Decimal(640), 0,  # £640k: a scale is its own unit
    )  # fmt: skip


def test_a_council_without_a_budget_unit_prints_in_thousands(tmp_path):
    """A blank budget_unit is the column's own unit, £000: the sample's HRF figures read as printed."""
    from scorecard import values as v

    ref = v.Reference.load()
    assert ref.budget_units.get("SD004") is None
    thousands = ref.units["gbp_thousands"]
    figure = v.parse_figure("1,234.5", ref.placeholders, thousands)
    assert (figure.number, figure.decimals) == (Decimal("1234.5"), 1)
    millions = v.parse_figure("18.2", ref.placeholders, thousands, ref.units["gbp_millions"])
    assert (millions.number, millions.decimals) == (Decimal(18200), -2)
    pounds = v.parse_figure("1,234,567", ref.placeholders, thousands, ref.units["gbp"])
    assert (pounds.number, pounds.decimals) == (Decimal("1234.567"), 3)


def test_a_budget_table_from_before_money_decimals_gets_them_from_its_text(tmp_path):
    """Upgrading adds `<money>__decimals` and reads it from the printed text, in the council's budget unit."""
    database = tmp_path / "old.duckdb"
    contract = CONTRACTS["budget_outturn"]
    old_parsed = [(n, t) for n, t, _ in contract.parsed_columns if not n.endswith("__decimals")]
    columns = [(n, "varchar") for n in contract.column_names] + old_parsed + list(METADATA_COLUMNS)
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        con.execute(f"create table raw.budget_outturn ({', '.join(f'{n} {t}' for n, t in columns)})")
        con.execute(
            f"insert into raw.budget_outturn ({', '.join(n for n, _ in columns[:11])}, _file_sha256, _row_number) "
            "values ('HRF', 'Mar-17', 'LAC', 'Looked After Children', '£18.2m', '10,370', '11,801.5', '1,431', "
            "'', '-', '', 'abc', 2)"
        )
        ensure_raw_tables(con)
        got = con.execute(
            "select gross_budget__number, gross_budget__decimals, net_budget__decimals, forecast_outturn__decimals, "
            "variance__number, previous_variance__decimals, movement__status, movement__decimals "
            "from raw.budget_outturn"
        ).fetchone()
    assert got == (Decimal(18200), -2, 0, 1, Decimal(1431), None, "not_available", None)
