"""The commentary extract: narrative text a named role wrote about one indicator or one section of a pack.

A good file loads with its text exactly as written (commas, quotes, line breaks, £ and %); each refusal is
one line naming file, row, column, value and reason, and leaves raw unchanged; the same commentary saved with
other line endings is not loaded twice; a retraction is recorded with the file's council and month; and,
built with dbt, fct_commentary shows the latest version of each subject's text with its version count.

The fixture (tests/fixtures/commentary/) is made-up test data: the shipped packs carry no commentary.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from scorecard.contracts import CONTRACTS
from scorecard.loader import load_paths, retract
from tests.conftest import NO_UNIT_TESTS, PROJECT_DIR, run_dbt
from tests.test_loader import table_state

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "commentary" / "commentary_SD004_2018-01.csv"
NAME = FIXTURE.name
GOOD = FIXTURE.read_text(encoding="utf-8")
FD3_TEXT = (
    "Test commentary: contacts actioned within 1 working day rose to 92.6%, above the 90% target.\n"
    'The "front door" rota change in December helped.'
)
BUDGET_TEXT = (
    "Test commentary: a forecast overspend of £1.2m (3% of net budget), mainly placements; £640k is agency staffing."
)
CP10_ROW = "SD004,indicator,CP 10,Jan-18,Service Manager,Test commentary: two plans passed two years this month"


@pytest.fixture(autouse=True)
def landing_is_tmp(tmp_path, monkeypatch):
    """Files these tests write sit in the landing folder: refused ones are moved to quarantine."""
    monkeypatch.setenv("SCORECARD_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("SCORECARD_SETTLE_SECONDS", "0")
    monkeypatch.delenv("SCORECARD_QUARANTINE_DIR", raising=False)


def land(folder: Path, text: str, name: str = NAME, newline: str = "\n") -> Path:
    path = folder / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def test_the_contract_is_the_documented_one():
    contract = CONTRACTS["commentary"]
    assert contract.column_names == [
        "organisation_code", "subject_kind", "subject_code", "period", "author_role", "commentary",
    ]  # fmt: skip
    assert contract.grain == ("organisation_code", "subject_kind", "subject_code", "period")
    assert [c.name for c in contract.columns if c.required] == contract.column_names
    # the allowed section keys are reference data, not literals
    sections = (PROJECT_DIR / "seeds" / "reference" / "pack_sections.csv").read_text(encoding="utf-8")
    assert sections.splitlines()[0] == "section_key,title,sort_order"
    assert [line.split(",")[0] for line in sections.splitlines()[1:]] == [
        "scorecard", "budget", "workforce", "risks", "programme", "data_quality",
    ]  # fmt: skip


def test_a_good_file_loads_its_text_exactly_as_written(tmp_path):
    database = tmp_path / "w.duckdb"
    [result] = load_paths([land(tmp_path, GOOD)], database, raise_on_reject=False)
    assert (result.status, result.extract, result.rows) == ("loaded", "commentary", 4)
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select _row_number, organisation_code__code, subject_kind, subject_code__code, period, period__month, "
            "author_role, commentary from raw.commentary order by _row_number"
        ).fetchall()
    january = date(2018, 1, 1)
    assert rows == [
        (3, "SD004", "section", "scorecard", "Jan-18", january, "Head of Performance",
         "Test commentary: 28 of 35 indicators are Green, 5 Amber and 2 Red."),
        # a quoted value over two lines is one row, numbered by the line it starts on
        (4, "SD004", "indicator", "FD 3", "Jan-18", january, "Head of Service", FD3_TEXT),
        (6, "SD004", "section", "budget", "2018-01", january, "Head of Finance", BUDGET_TEXT),
        (7, "SD004", "indicator", "CP 10", "Jan-18", january, "Service Manager",
         "Test commentary: two plans passed two years this month and are being reviewed."),
    ]  # fmt: skip


def test_a_workbook_loads_like_the_csv_and_holds_the_same_commentary(tmp_path):
    """The same rows in a workbook (a title row, then the table): the same text, so nothing new after the CSV."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Commentary"
    for row in csv.reader(io.StringIO(GOOD, newline="")):
        sheet.append(row)
    path = tmp_path / "commentary_SD004_2018-01.xlsx"
    book.save(path)
    database = tmp_path / "w.duckdb"
    [workbook] = load_paths([path], database, raise_on_reject=False)
    assert (workbook.status, workbook.rows) == ("loaded", 4)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select commentary from raw.commentary where subject_code__code = 'FD 3'").fetchall() == [
            (FD3_TEXT,)
        ]
    [again] = load_paths([land(tmp_path, GOOD)], database, raise_on_reject=False)
    assert again.messages == ["same figures as commentary_SD004_2018-01.xlsx, already loaded: nothing new"]


def test_the_same_commentary_saved_with_crlf_line_endings_is_not_loaded_again(tmp_path):
    database = tmp_path / "w.duckdb"
    load_paths([land(tmp_path, GOOD)], database)
    crlf = land(tmp_path, GOOD, "commentary_SD004_2018-01_resaved.csv", newline="\r\n")
    [again] = load_paths([crlf], database, raise_on_reject=False)
    assert (again.status, again.messages) == ("skipped", [f"same figures as {NAME}, already loaded: nothing new"])


def _one_changed(old: str, new: str) -> str:
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


REFUSED = {
    "unknown subject kind": (
        _one_changed("SD004,section,scorecard", "SD004,topic,scorecard"),
        f"{NAME}, row 3, column 'subject_kind': not one of indicator, section (exactly as written) (value 'topic')",
    ),
    "subject kind in capitals": (
        _one_changed("SD004,section,budget", "SD004,Section,budget"),
        f"{NAME}, row 6, column 'subject_kind': not one of indicator, section (exactly as written) (value 'Section')",
    ),
    "unknown section key": (
        _one_changed("section,budget", "section,finance"),
        f"{NAME}, row 6, column 'subject_code': unknown code: not in seeds/reference/pack_sections.csv "
        "(value 'finance')",
    ),
    "a section key given as an indicator": (
        _one_changed("section,budget", "indicator,budget"),
        f"{NAME}, row 6, column 'subject_code': unknown code: not in seeds/reference/indicators.csv for council "
        "SD004 (value 'budget')",
    ),
    "another council's indicator": (
        _one_changed("indicator,CP 10", "indicator,CWB 01"),
        f"{NAME}, row 7, column 'subject_code': unknown code: not in seeds/reference/indicators.csv for council "
        "SD004 (value 'CWB 01')",
    ),
    "unknown organisation": (
        _one_changed("SD004,indicator,CP 10", "SDX,indicator,CP 10"),
        f"{NAME}, row 7, column 'organisation_code': unknown code: not in seeds/reference/organisations.csv "
        "(value 'SDX')",
    ),
    "empty commentary": (
        _one_changed(CP10_ROW + " and are being reviewed.", "SD004,indicator,CP 10,Jan-18,Service Manager,"),
        f"{NAME}, row 7, column 'commentary': required value is empty",
    ),
    "blank commentary": (
        _one_changed(CP10_ROW + " and are being reviewed.", 'SD004,indicator,CP 10,Jan-18,Service Manager,"   "'),
        f"{NAME}, row 7, column 'commentary': required value is empty (value '   ')",
    ),
    "no author role": (
        _one_changed(",Service Manager,", ",,"),
        f"{NAME}, row 7, column 'author_role': required value is empty",
    ),
    "duplicate subject and month, the month written another way": (
        GOOD + "SD004,section,scorecard,2018-01,Director,Test commentary: the same subject again.\n",
        f"{NAME}, row 8: duplicate organisation_code, subject_kind, subject_code, period (first on row 3) "
        "(value 'SD004 / section / scorecard / 2018-01')",
    ),
    "a quarter for a month": (
        _one_changed("CP 10,Jan-18", "CP 10,Q4 2017/18"),
        f"{NAME}, row 7, column 'period': not a month (Apr-17, April 2017 or 2017-04) (value 'Q4 2017/18')",
    ),
    "a misspelt month": (
        _one_changed("CP 10,Jan-18", "CP 10,Janu-18"),
        f"{NAME}, row 7, column 'period': 'Janu' is not a month name (Apr, April, Sept ...) (value 'Janu-18')",
    ),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_each_refusal_is_one_line_naming_file_row_column_and_value(case, tmp_path):
    text, expected = REFUSED[case]
    database = tmp_path / "w.duckdb"
    load_paths([land(tmp_path, GOOD, "commentary_SD004_2018-01_earlier.csv")], database)
    before = table_state(database)
    [result] = load_paths([land(tmp_path, text)], database, raise_on_reject=False)
    assert result.status == "rejected"
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    [problem] = result.problems
    assert str(problem) == expected
    # the rejects report says the same, and nothing of the file reached raw
    report = (tmp_path / "quarantine" / f"{NAME}.rejects.txt").read_text(encoding="utf-8")
    assert f"- {problem}" in report.splitlines()
    assert (tmp_path / "quarantine" / NAME).exists()
    assert table_state(database) == before


def test_a_row_for_another_month_than_the_file_names_is_refused(tmp_path):
    text = _one_changed("CP 10,Jan-18", "CP 10,Feb-18")
    [result] = load_paths([land(tmp_path, text)], tmp_path / "w.duckdb", raise_on_reject=False)
    assert [str(p) for p in result.problems] == [
        f"{NAME}, row 7, column 'period': disagrees with the month the file name declares (Jan-18) (value 'Feb-18')",
        f"{NAME}, column 'period': a file holds one report: every row must have the same month "
        "(value 'Feb-18, Jan-18')",
    ]


@pytest.mark.parametrize(
    ("old", "new", "column", "kind"),
    [
        ("are being reviewed.", "are being reviewed: ask team.lead@example.org.", "commentary",
         "looks like an e-mail address"),
        ("are being reviewed.", "are being reviewed; one child born 12/03/2011 moved.", "commentary",
         'looks like a date of birth (a full date after "DOB", "date of birth" or "born")'),
        ("Service Manager", "Service Manager 01632 960001", "author_role",
         "looks like a UK phone number (10-11 digits starting 0 or +44)"),
    ],
)  # fmt: skip
def test_personal_data_in_the_text_or_the_role_is_refused_and_withheld(old, new, column, kind, tmp_path):
    [result] = load_paths([land(tmp_path, _one_changed(old, new))], tmp_path / "w.duckdb", raise_on_reject=False)
    assert [str(p) for p in result.problems] == [
        f"{NAME}, row 7, column '{column}': personal data in free text: {kind} (value '(withheld)')"
    ]
    assert (tmp_path / "quarantine" / "commentary_SD004_2018-01.personal.csv").exists()


def test_a_retraction_records_the_files_council_and_month_and_the_file_is_not_loaded_again(tmp_path):
    database = tmp_path / "w.duckdb"
    [loaded] = load_paths([land(tmp_path, GOOD)], database)
    done = retract(NAME, "sent before it was signed off", database)
    assert (done.extract, done.row_count, done.already) == ("commentary", 4, False)
    with duckdb.connect(str(database), read_only=True) as con:
        recorded = con.execute("select extract, organisation_code, reported_in, row_count from raw.retractions")
        assert recorded.fetchall() == [("commentary", "SD004", date(2018, 1, 1), 4)]
        assert con.execute("select count(*) from raw.commentary").fetchone() == (4,)  # history is kept
    [again] = load_paths([land(tmp_path, GOOD)], database, raise_on_reject=False)
    assert again.status == "skipped" and again.sha256 == loaded.sha256
    assert "retracted" in again.messages[0]


# --------------------------------------------------------------------------- through dbt


def _fct_commentary(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select subject_kind, subject_code, subject_title, period_month, author_role, commentary, version_count, "
            "source_file from marts.fct_commentary order by subject_kind, subject_code"
        ).fetchall()


@pytest.mark.slow
def test_a_build_shows_the_latest_text_in_fct_commentary_and_a_retraction_restores_the_earlier_one(tmp_path):
    database, landing = tmp_path / "w.duckdb", tmp_path / "landing"
    landing.mkdir()
    shutil.copyfile(FIXTURE, landing / NAME)
    restated = "commentary_SD004_2018-01_restated.csv"
    land(landing, _one_changed(BUDGET_TEXT, "Test commentary: restated, the overspend is now £1.1m."), restated)
    first = load_paths([landing / NAME], database)
    second = load_paths([landing / restated], database)
    assert [r.status for r in first + second] == ["loaded", "loaded"]
    # the mart, what it and its data tests read (dim_organisation, dim_indicator, the retractions), and only the
    # tests whose every parent is built; its dbt unit tests run in `make test-fast`
    select = ["--select", "+fct_commentary", "+dim_organisation", "+dim_indicator", "stg_extracts__retractions",
              "--indirect-selection", "cautious", *NO_UNIT_TESTS]  # fmt: skip
    build = run_dbt(["build", *select], database, tmp_path)
    assert build.returncode == 0, build.stdout[-3000:]
    january = date(2018, 1, 1)
    assert _fct_commentary(database) == [
        ("indicator", "CP 10", "Number of current Child Protection Plans lasting 2 years or more", january,
         "Service Manager", "Test commentary: two plans passed two years this month and are being reviewed.", 2,
         restated),
        ("indicator", "FD 3", "Percentage of completed contacts received in the month which were actioned within 1 "
         "working day", january, "Head of Service", FD3_TEXT, 2, restated),
        ("section", "budget", "Budget monitoring", january, "Head of Finance",
         "Test commentary: restated, the overspend is now £1.1m.", 2, restated),
        ("section", "scorecard", "Performance scorecard", january, "Head of Performance",
         "Test commentary: 28 of 35 indicators are Green, 5 Amber and 2 Red.", 2, restated),
    ]  # fmt: skip
    retract(restated, "restated in error", database)
    build = run_dbt(["build", *select], database, tmp_path)
    assert build.returncode == 0, build.stdout[-3000:]
    rows = _fct_commentary(database)
    assert [(r[1], r[5], r[6], r[7]) for r in rows if r[1] == "budget"] == [("budget", BUDGET_TEXT, 1, NAME)]
    assert {r[7] for r in rows} == {NAME}
