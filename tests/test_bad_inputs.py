"""Bad inputs, one reason each: every refused file is refused whole with the exact reason and place, and
nothing in raw changes; the inputs that must load write exactly the typed values the grammar reads.

Each refused case starts from good rows (GOOD_IV and one good row per other extract) and changes one
value, so it exercises one reason. A case marked xfail(strict=True) holds the correct expectation for
what looks like a loader bug: it passes once the loader is fixed, and then the mark must go.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest
from openpyxl import Workbook

import scorecard.readers
from scorecard import loader
from scorecard.cli import main as cli_main
from scorecard.loader import LoadError, load_paths, load_sample
from scorecard.personal_data import personal_name
from tests.test_loader import BUD, GOOD_IV, IV, PROG, RISK, WF, table_state, wide_sheet

IV_COLS = IV.split(",")
WF_COLS = WF.split(",")
BUD_COLS = BUD.split(",")
RISK_COLS = RISK.split(",")
PROG_COLS = PROG.split(",")
GOOD = [row.split(",") for row in GOOD_IV]  # FD 3 (percentage), W 1 (average), MC 1 (count), CIN 4 (percentage)
FD3, W1, MC1, CIN4 = 0, 1, 2, 3
IV_NAME = "indicator_values_SD004_2018-02.csv"
WF_NAME = "workforce_HRF_2018-02.csv"
BUD_NAME = "budget_outturn_HRF_2018-02.csv"
RISK_NAME = "risks_HRF_2018-02.csv"
PROG_NAME = "programme_HRF_2018-02.csv"
WF_ROW = ["HRF", "Feb-18", "headcount", "120", "Feb-18", ""]
BUD_ROW = ["HRF", "Feb-18", "LAC", "Looked After Children", "1,200", "1,100", "1,150", "50", "40", "10", ""]
RISK_ROW = [
    "HRF",
    "Feb-18",
    "CR.034",
    "Short breaks",
    "IF/AS: delay THEN: harm",
    "16",
    "12",
    "Monthly review",
    "Head of Service",
    "Jul-14",
    "",
]
PROG_ROW = ["HRF", "Feb-18", "Carers", "G", "Mar-18", "Delivery", "phase", ""]
CALENDAR = "(Apr-10 to Mar-36; calendar_start and calendar_end in dbt_project.yml)"
LIMIT = "has more than 14 digits before the point: the marts hold figures up to 99,999,999,999,999.9999"
IV_EXPECTED = ", ".join(IV_COLS) + (
    "; optional: direction_as_printed, contract_measure_as_printed, national_quartile_as_printed, "
    "national_figure_as_printed, neighbour_figure_as_printed"
)


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture(autouse=True)
def landing_is_tmp(tmp_path, monkeypatch):
    """Files these tests write sit in the landing folder: refused ones are moved to quarantine."""
    monkeypatch.setenv("SCORECARD_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("SCORECARD_SETTLE_SECONDS", "0")
    monkeypatch.delenv("SCORECARD_QUARANTINE_DIR", raising=False)


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("sample") / "w.duckdb"
    load_sample(database)
    return database


@pytest.fixture
def loaded(sample_warehouse, tmp_path) -> Path:
    """A warehouse holding the sample extracts (a copy of one loaded once per module)."""
    database = tmp_path / "w.duckdb"
    shutil.copyfile(sample_warehouse, database)
    return database


def csv_text(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def changed(rows: list[list[str]], cols: list[str], index: int, column: str, text: str) -> list[list[str]]:
    out = [list(r) for r in rows]
    out[index][cols.index(column)] = text
    return out


def csv_case(name: str, header: list[str], rows: list[list[str]]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_text(csv_text(header, rows), encoding="utf-8", newline="")
        return path

    return build


def raw_case(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def iv_case(index: int, column: str, text: str, name: str = IV_NAME, rows=None) -> Callable[[Path], Path]:
    """GOOD_IV with one cell changed."""
    return csv_case(name, IV_COLS, changed(rows or GOOD, IV_COLS, index, column, text))


def iv_optional_case(column: str, text: str) -> Callable[[Path], Path]:
    """GOOD_IV with one of the optional columns (what only some packs print) added, set on FD 3's row."""
    cols = [*IV_COLS, column]
    return csv_case(IV_NAME, cols, changed([[*r, ""] for r in GOOD], cols, FD3, column, text))


def wf_case(column: str, text: str) -> Callable[[Path], Path]:
    return csv_case(WF_NAME, WF_COLS, changed([WF_ROW], WF_COLS, 0, column, text))


def bud_case(column: str, text: str, name: str = BUD_NAME) -> Callable[[Path], Path]:
    return csv_case(name, BUD_COLS, changed([BUD_ROW], BUD_COLS, 0, column, text))


def risk_case(column: str, text: str) -> Callable[[Path], Path]:
    return csv_case(RISK_NAME, RISK_COLS, changed([RISK_ROW], RISK_COLS, 0, column, text))


def prog_case(column: str, text: str) -> Callable[[Path], Path]:
    return csv_case(PROG_NAME, PROG_COLS, changed([PROG_ROW], PROG_COLS, 0, column, text))


def measure(code: str, value: str) -> Callable[[Path], Path]:
    """The good workforce row for another staffing measure and value."""
    row = changed(changed([WF_ROW], WF_COLS, 0, "measure_code", code), WF_COLS, 0, "value", value)
    return csv_case(WF_NAME, WF_COLS, row)


def workbook(name: str, sheets: dict[str, list[list]], hidden=(), cells=None) -> Callable[[Path], Path]:
    """An .xlsx: sheets of rows, some hidden, and cells set afterwards (a formula openpyxl saves without a value)."""

    def build(folder: Path) -> Path:
        book = Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
            if title in hidden:
                sheet.sheet_state = "hidden"
        for (title, ref), value in (cells or {}).items():
            book[title][ref] = value
        path = folder / name
        book.save(path)
        return path

    return build


LONG = [IV_COLS, *GOOD]
IV_XLSX = "indicator_values_SD004_2018-02.xlsx"


def wide_with_header(header: list[str], rows=None) -> list[list]:
    sheet = wide_sheet(rows=rows)
    sheet[4] = header
    return sheet


WIDE_HEADER = ["Indicator Number", "Indicator Title", "Polarity", "Jan-18", "Feb-18", "2017-18 Target", "RAG"]


def xfail(why: str):
    return pytest.mark.xfail(strict=True, reason=why)


# --------------------------------------------------------------------------- refused inputs


class Case(NamedTuple):
    build: Callable[[Path], Path]
    reason: str  # the reason as the loader words it (a substring, or the whole reason when exact)
    column: str | None = None
    row: int | None = None
    sheet: str | None = None
    exact: bool = False
    patch: dict | None = None  # attributes of scorecard.readers set for the case
    bug: str | None = None  # a suspected loader bug: the case holds the correct expectation


def _figure(index: int, text: str, reason: str, **kw) -> Case:
    return Case(iv_case(index, "value", text), reason, "value", index + 2, **kw)


def _money(column: str, text: str, reason: str, **kw) -> Case:
    return Case(bud_case(column, text), reason, column, 2, **kw)


def _score(column: str, text: str, reason: str = "risk score must be a whole number from 1 to 25", **kw) -> Case:
    return Case(risk_case(column, text), reason, column, 2, **kw)


def _period(text: str, reason: str, index: int = FD3) -> Case:
    return Case(iv_case(index, "period", text), reason, "period", index + 2)


SPACE = "space inside a number ({}): write thousands as 1,234 or 1234"
NOT_NUMBER = "not a number or a known placeholder (seeds/reference/value_placeholders.csv)"
MONEY_PERCENT = "not a number: % in a money figure (the column is Money in £000; £18.2m, £640k and £1.2bn"
NOT_MONTH = "not a month (Apr-17, April 2017 or 2017-04)"
NOT_PERIOD = "not a month (Apr-17, 2017-04), quarter (Q3 2016/17) or year (2016/17)"
NOT_QUARTER = "not a quarter (Q1 to Q4 then the financial year, e.g. Q3 2016/17)"
JOINED = "text joined to the number ({})"

FIGURE_CASES = {
    "space between thousands": _figure(MC1, "1 234", SPACE.format("1 234")),
    "no-break space between thousands": _figure(MC1, "1\u00a0234", SPACE.format("1 234")),
    "narrow no-break space between thousands": _figure(MC1, "1\u202f234", SPACE.format("1 234")),
    "thin space between thousands": _figure(MC1, "1\u2009234", SPACE.format("1 234")),
    "figure space between thousands": _figure(MC1, "1\u2007234", SPACE.format("1 234")),
    "space thousands with decimals": _figure(W1, "1 234.5", SPACE.format("1 234.5")),
    "plus then space thousands": _figure(MC1, "+1 234", SPACE.format("+1 234")),
    "exponent 1e3": _figure(MC1, "1e3", "exponent (1e3): write the number in full"),
    "exponent 1E-2": _figure(FD3, "1E-2", "exponent (1E-2): write the number in full"),
    "exponent after a space": _figure(W1, "1.5 e3", "exponent (1.5e3): write the number in full"),
    "decimal comma 12,5": _figure(W1, "12,5", "decimal comma (12,5): write the decimal point as . (e.g. 12.5)"),
    "decimal comma 1,23": _figure(W1, "1,23", "decimal comma (1,23): write the decimal point as . (e.g. 1.23)"),
    "decimal comma 1,00": _figure(W1, "1,00", "decimal comma (1,00): write the decimal point as . (e.g. 1.00)"),
    "european 1.234,5": _figure(W1, "1.234,5", "European number format (1.234,5): write 1234.5, not 1.234,5"),
    "thousands 1,2345": _figure(MC1, "1,2345", "thousands separator , not between groups of three digits (1,2345)"),
    "thousands 1,234,56": _figure(
        MC1, "1,234,56", "thousands separator , not between groups of three digits (1,234,56)"
    ),
    "thousands 1,,234": _figure(MC1, "1,,234", "thousands separator , not between groups of three digits (1,,234)"),
    "dots 1.234.567": _figure(MC1, "1.234.567", "more than one decimal point or separator (1.234.567)"),
    "dots .5.5": _figure(W1, ".5.5", "more than one decimal point or separator (.5.5)"),
    "brackets and minus (-5)": _figure(
        W1, "(-5)", "brackets and a sign together ((-5)): a bracketed figure is already negative"
    ),
    "minus before brackets -(5)": _figure(W1, "-(5)", NOT_NUMBER, exact=True),
    "unicode minus before brackets": _figure(W1, "\u2212(5)", NOT_NUMBER, exact=True),
    "two minus signs --5": _figure(W1, "--5", "two signs (--5)"),
    "plus and minus +-5": _figure(W1, "+-5", "two signs (+-5)"),
    "opening bracket only (5": _figure(W1, "(5", "opening bracket without its closing bracket ((5)"),
    "closing bracket only 5)": _figure(W1, "5)", "closing bracket without an opening bracket (5))"),
    "closing bracket after percent": _figure(FD3, "5%)", "closing bracket without an opening bracket (5%))"),
    "text joined 12months": _figure(MC1, "12months", JOINED.format("12months")),
    "text joined 0x10": _figure(MC1, "0x10", JOINED.format("0x10")),
    "text joined 1.5e": _figure(W1, "1.5e", JOINED.format("1.5e")),
    "twenty digit count": _figure(MC1, "12345678901234567890", "figure " + LIMIT),
    "beyond decimal(18,4)": _figure(W1, "99999999999999999", "figure " + LIMIT),
    "ratio numerator beyond decimal(18,4)": _figure(CIN4, "32.6% (12345678901234567890/1)", "numerator " + LIMIT),
    "ratio numerator bad comma": _figure(
        CIN4, "32.6% (1,2345/2000)", "thousands separator , not between groups of three digits (1,2345)"
    ),
    "ratio numerator with a space": _figure(
        CIN4,
        "50% (1 234/2000)",
        "a ratio that cannot be read (50% (1 234/2000)): write it as (395/1221) or (1,395/2,221)",
    ),
    "pound sign on a percentage": _figure(FD3, "£5", "£ on a figure that is not money (percentage)"),
    "pound sign on an average": _figure(W1, "(£5)", "£ on a figure that is not money (average)"),
    "scale k on a count": _figure(MC1, "5k", "a scale (k) is read only on money; this figure is count"),
    "scale bn on a count": _figure(MC1, "1bn", "a scale (bn) is read only on money; this figure is count"),
    "scale m on a percentage": _figure(FD3, "£1.2m", "a scale (m) is read only on money; this figure is percentage"),
    "scale and percent on a percentage": _figure(
        FD3, "£18.2M%", "a scale (m) is read only on money; this figure is percentage"
    ),
    "percentage 100.5%": _figure(FD3, "100.5%", "percentage outside 0-100"),
    "percentage -0.5%": _figure(FD3, "-0.5%", "percentage outside 0-100"),
    "count 3.5": _figure(MC1, "3.5", "a count must be a whole number"),
    "count minus with a space": _figure(MC1, "- 5", "negative value for a count measure"),
    "half sign": _figure(W1, "\u00bd", NOT_NUMBER, exact=True),
    "formula text in a figure": _figure(FD3, '=HYPERLINK("http://x")', NOT_NUMBER, exact=True),
    "two decimal points 12..5": _figure(
        W1,
        "12..5",
        JOINED.format("12..5"),
    ),
    "underscore joined 1_000": _figure(
        MC1,
        "1_000",
        JOINED.format("1_000"),
    ),
    "slash joined 5/10": _figure(
        FD3,
        "5/10",
        JOINED.format("5/10"),
    ),
    "quote inside a figure": _figure(
        FD3,
        '8"8%',
        JOINED.format('8"8%'),
    ),
}

MONEY_CASES = {
    "percent in money": _money("gross_budget", "92.6%", MONEY_PERCENT),
    "scale and percent in money": _money("net_budget", "£18.2M%", MONEY_PERCENT),
    "excel error #DIV/0! in money": _money("net_budget", "#DIV/0!", "Excel error value #DIV/0!", exact=True),
    "excel error #REF! in money": _money("forecast_outturn", "#REF!", "Excel error value #REF!", exact=True),
    "excel error #N/A in money": _money("variance", "#N/A", "Excel error value #N/A", exact=True),
    "excel error #VALUE! in money": _money("movement", "#VALUE!", "Excel error value #VALUE!", exact=True),
    "n/k in money": _money("previous_variance", "n/k", "not a number: " + NOT_NUMBER, exact=True),
    "suppressed c in money": _money("net_budget", "c", "not a number", exact=True),
    "New in money": _money("movement", "New", "not a number", exact=True),
    "na in money": _money("variance", "na", "not a number", exact=True),
    "text after an amount": _money("gross_budget", "£640k (est)", "text after the amount (£640k (est))"),
    "ratio after an amount": _money("net_budget", "5 (1/2)", "text after the amount (5 (1/2))"),
    "space thousands in money": _money("gross_budget", "1 234", "not a number: " + SPACE.format("1 234")),
    "exponent in money": _money("net_budget", "1e3", "not a number: exponent (1e3): write the number in full"),
    "decimal comma in money": _money("forecast_outturn", "12,5", "not a number: decimal comma (12,5)"),
    "pound before brackets in money": _money("variance", "£(5)", "not a number: " + NOT_NUMBER, exact=True),
    "opening bracket only in money": _money(
        "movement", "(12", "not a number: opening bracket without its closing bracket ((12)"
    ),
    "money beyond decimal(18,4)": _money("gross_budget", "99999999999999999", "not a number: figure " + LIMIT),
    "money scaled beyond decimal(18,4)": _money(
        "gross_budget",
        "£100,000,000bn",
        "not a number: figure is beyond what the marts hold (up to 99,999,999,999,999.9999)",
    ),
    "trailing minus in money": _money(
        "variance",
        "5-",
        "not a number: " + JOINED.format("5-"),
    ),
    "percent in a workforce money measure": Case(
        measure("agency_cost", "5%"),
        "% in a money figure (the column is Money in £000",
        "value",
        2,
    ),
}

SCORE_CASES = {
    "risk score 12.5": _score("score_before_controls", "12.5"),
    "risk score 0": _score("score_after_controls", "0"),
    "risk score 26": _score("score_before_controls", "26"),
    "risk score (5)": _score("score_after_controls", "(5)"),
    "risk score suppressed c": _score("score_before_controls", "c", "not a number", exact=True),
    "risk score exponent": _score("score_after_controls", "1e1", "not a number: exponent (1e1)"),
    "risk score with a scale": _score("score_before_controls", "2k"),
    "risk score with a percent sign": _score("score_after_controls", "5%"),
    "risk score in pounds": _score("score_before_controls", "£5"),
    "risk score with a qualifier": _score("score_after_controls", "5 (est)"),
}

WORKFORCE_CASES = {
    "negative fte in brackets": Case(measure("fte", "(3)"), "negative value for a fte measure", "value", 2),
    "fractional headcount": Case(measure("headcount", "3.5"), "a count must be a whole number", "value", 2),
    "negative headcount in brackets": Case(
        measure("headcount", "(2)"), "negative value for a count measure", "value", 2
    ),
    "turnover 101%": Case(measure("turnover_rate", "101%"), "percentage outside 0-100", "value", 2),
    "pound sign on fte": Case(measure("fte", "£5"), "£ on a figure that is not money (fte)", "value", 2),
    "negative absence days": Case(
        measure("absence_days_per_fte", "-1"), "negative value for a days measure", "value", 2
    ),
    "measure code in capitals": Case(
        measure("FTE", "300"), "unknown code: not in seeds/reference/workforce_measures.csv", "measure_code", 2
    ),
    "workforce period not a quarter": Case(
        wf_case("period", "Q5 2017/18"),
        "not a quarter (Q1 to Q4 then the financial year, e.g. Q3 2016/17)",
        "period",
        2,
    ),
    "workforce measure of another council": Case(
        wf_case("organisation_code", "SD004"),
        "unknown code: not in seeds/reference/workforce_measures.csv for council SD004",
        "measure_code",
        2,
    ),
    "workforce period after the report": Case(
        wf_case("period", "Mar-18"), "period is after the month the file reports (Feb-18)", "period", 2
    ),
    "workforce file name month disagrees": Case(
        csv_case("workforce_HRF_2018-03.csv", WF_COLS, [WF_ROW]),
        "disagrees with the month the file name declares (Mar-18)",
        "reported_in",
        2,
    ),
    "workforce measure blank with spaces": Case(
        wf_case("measure_code", "   "), "required value is empty", "measure_code", 2
    ),
    "workforce duplicate spelt two ways": Case(
        csv_case(
            WF_NAME,
            WF_COLS,
            [
                changed([WF_ROW], WF_COLS, 0, "period", "Jan-18")[0],
                changed([WF_ROW], WF_COLS, 0, "period", "2018-01")[0],
            ],
        ),
        "duplicate organisation_code, period, measure_code, reported_in (first on row 2)",
        None,
        3,
    ),
}

PERIOD_CASES = {
    "period Janu-18": _period("Janu-18", "'Janu' is not a month name (Apr, April, Sept ...)"),
    "period Febuary-18": _period("Febuary-18", "'Febuary' is not a month name (Apr, April, Sept ...)"),
    "period 2017-13": _period("2017-13", "neither a month nor a financial year (2017-13)"),
    "period 2017/19": _period("2017/19", "not a financial year: 19 does not follow 2017 (2017/19)"),
    "period 2017-2019": _period("2017-2019", "not a financial year: 2019 does not follow 2017 (2017-2019)"),
    "period Q5 2016/17": _period("Q5 2016/17", NOT_QUARTER),
    "period Q0 2016/17": _period("Q0 2016/17", NOT_QUARTER),
    "period Q3 16/17": _period("Q3 16/17", NOT_QUARTER),
    "period Q3 2016/18": _period("Q3 2016/18", "not a financial year: 18 does not follow 2016 (Q3 2016/18)"),
    "period Mar-10 before the calendar": _period("Mar-10", f"Mar-10 is outside the calendar {CALENDAR}"),
    "period 13/2017": _period("13/2017", NOT_PERIOD),
    "period 31/01/2018": _period("31/01/2018", NOT_PERIOD),
    "period 2016/17 Q3": _period("2016/17 Q3", NOT_PERIOD),
    "period 2017-00": _period(
        "2017-00",
        "neither a month nor a financial year (2017-00): a month is 01-12; a financial year's second year follows "
        "its first (2017-18)",
    ),
    "period Month 0": _period("Month 0", NOT_PERIOD),
    "period after the report as a quarter": _period(
        "Q4 2017/18", "period is after the month the file reports (Feb-18)"
    ),
    "period blank with whitespace": _period(" \t ", "required value is empty"),
    "plan month 2099-01 after the calendar": Case(
        prog_case("plan_month", "2099-01"), f"Jan-99 is outside the calendar {CALENDAR}", "plan_month", 2
    ),
    "plan month Jan-99 after the calendar": Case(
        prog_case("plan_month", "Jan-99"), f"Jan-99 is outside the calendar {CALENDAR}", "plan_month", 2
    ),
    "plan month Apr-36 after the calendar": Case(
        prog_case("plan_month", "Apr-36"), f"Apr-36 is outside the calendar {CALENDAR}", "plan_month", 2
    ),
    "plan month a financial year": Case(prog_case("plan_month", "2017/18"), NOT_MONTH, "plan_month", 2),
    "plan month 2017-18": Case(
        prog_case("plan_month", "2017-18"), "month 18 does not exist (2017-18)", "plan_month", 2
    ),
    "reported_in a quarter": Case(iv_case(FD3, "reported_in", "Q3 2016/17"), NOT_MONTH, "reported_in", 2),
    "reported_in Jan-99 in every row": Case(
        csv_case("indicator_values_SD004.csv", IV_COLS, [[*r[:8], "Jan-99", ""] for r in GOOD]),
        f"Jan-99 is outside the calendar {CALENDAR}",
        "reported_in",
        2,
    ),
    "report_month a financial year": Case(bud_case("report_month", "2017/18"), NOT_MONTH, "report_month", 2),
    "date_opened Smarch-14": Case(
        risk_case("date_opened", "Smarch-14"), "'Smarch' is not a month name (Apr, April, Sept ...)", "date_opened", 2
    ),
    "date_opened Jan-99": Case(risk_case("date_opened", "Jan-99"), "Jan-99 is not a plausible month", "date_opened", 2),
}

CODE_CASES = {
    "organisation code in lower case": Case(
        iv_case(FD3, "organisation_code", "sd004"),
        "unknown code: not in seeds/reference/organisations.csv",
        "organisation_code",
        2,
    ),
    "indicator code in lower case": Case(
        iv_case(FD3, "indicator_code", "fd 3"),
        "unknown code: not in seeds/reference/indicators.csv",
        "indicator_code",
        2,
    ),
    "indicator code without its space": Case(
        iv_case(MC1, "indicator_code", "MC1"),
        "unknown code: not in seeds/reference/indicators.csv",
        "indicator_code",
        4,
    ),
    "service of another council": Case(
        csv_case(
            "budget_outturn_SD004_2018-02.csv",
            BUD_COLS,
            [changed([BUD_ROW], BUD_COLS, 0, "organisation_code", "SD004")[0]],
        ),
        "unknown code: not in seeds/reference/service_hierarchy.csv",
        "service_code",
        2,
    ),
    "service code in lower case": Case(
        bud_case("service_code", "lac"), "unknown code: not in seeds/reference/service_hierarchy.csv", "service_code", 2
    ),
    "rag Blue": Case(
        iv_case(FD3, "reported_rag", "Blue"), "not a RAG status in seeds/reference/rag_codes.csv", "reported_rag", 2
    ),
    "rag Green/Amber": Case(
        iv_case(W1, "reported_rag", "Green/Amber"),
        "not a RAG status in seeds/reference/rag_codes.csv",
        "reported_rag",
        3,
    ),
    "direction Sideways": Case(
        iv_optional_case("direction_as_printed", "Sideways"),
        "not a direction in seeds/reference/direction_codes.csv",
        "direction_as_printed",
        2,
    ),
    "contract measure maybe": Case(
        iv_optional_case("contract_measure_as_printed", "maybe"),
        "not yes or no",
        "contract_measure_as_printed",
        2,
    ),
    "contract measure x (a tick or a cross?)": Case(
        iv_optional_case("contract_measure_as_printed", "x"),
        "not yes or no",
        "contract_measure_as_printed",
        2,
    ),
    "national quartile 5": Case(
        iv_optional_case("national_quartile_as_printed", "5"),
        "not a quartile (1-4, Q1-Q4 or A-D)",
        "national_quartile_as_printed",
        2,
    ),
    "national figure with a decimal comma": Case(
        iv_optional_case("national_figure_as_printed", "12,5%"),
        "12,5",
        "national_figure_as_printed",
        2,
    ),
    "another council's indicator code": Case(
        iv_case(FD3, "indicator_code", "CWB 01"),
        "unknown code: not in seeds/reference/indicators.csv for council SD004",
        "indicator_code",
        2,
    ),
    "polarity Up is good": Case(
        iv_case(FD3, "polarity_as_printed", "Up is good"),
        "not a polarity in seeds/reference/polarity_codes.csv",
        "polarity_as_printed",
        2,
    ),
    "programme rag Blue": Case(
        prog_case("project_rag", "Blue"), "not a RAG status in seeds/reference/rag_codes.csv", "project_rag", 2
    ),
    "formula text in a code": Case(
        iv_case(FD3, "indicator_code", "@SUM(A1)"),
        "unknown code: not in seeds/reference/indicators.csv",
        "indicator_code",
        2,
    ),
    "required code blank with spaces": Case(
        iv_case(FD3, "organisation_code", "   "), "required value is empty", "organisation_code", 2
    ),
    "risk reference blank with a tab": Case(
        risk_case("risk_reference", "\t"), "required value is empty", "risk_reference", 2
    ),
    "project name blank with spaces": Case(
        prog_case("project_name", "  "), "required value is empty", "project_name", 2
    ),
}

PERSONAL = {
    "nhs number": ("NHS 943 476 5919", "looks like an NHS number (10 digits passing the modulus-11 check)"),
    "e-mail": ("ask duty.team@example.gov.uk", "looks like an e-mail address"),
    "postcode": ("lives at SW1A 1AA", "looks like a UK postcode (a full postcode: outward and inward code)"),
    "date of birth": (
        "DOB 12/03/2011",
        'looks like a date of birth (a full date after "DOB", "date of birth" or "born")',
    ),
    "phone": ("call 07700 900123", "looks like a UK phone number (10-11 digits starting 0 or +44)"),
}
PERSONAL_PLACES = {
    "indicator notes": (lambda text: iv_case(FD3, "notes", text), "notes"),
    "risk controls": (lambda text: risk_case("controls", "Reviewed: " + text), "controls"),
    "programme activity": (lambda text: prog_case("activity", "Delivery " + text), "activity"),
    "budget service name": (lambda text: bud_case("service_name", "Looked After Children " + text), "service_name"),
}
PERSONAL_CASES = {
    f"{kind} in {place}": Case(build(text), "personal data in free text: " + reason, column, 2, exact=True)
    for kind, (text, reason) in PERSONAL.items()
    for place, (build, column) in PERSONAL_PLACES.items()
}
PERSONAL_CASES |= {
    "e-mail in a printed target": Case(
        iv_case(W1, "target_as_printed", "17 (ask a.b@example.org)"),
        "personal data in free text: looks like an e-mail address",
        "target_as_printed",
        3,
        exact=True,
    ),
    "date of birth in a rag methodology": Case(
        iv_case(W1, "rag_methodology_as_printed", "born 3 March 2011"),
        "personal data in free text: looks like a date of birth",
        "rag_methodology_as_printed",
        3,
    ),
    "e-mail in a risk owner": Case(
        risk_case("owner_role", "j.smith@example.gov.uk"),
        "personal data in free text: looks like an e-mail address",
        "owner_role",
        2,
    ),
}

IV_BYTES = csv_text(IV_COLS, GOOD).encode()
CP1252_BYTES = IV_BYTES.replace(b",SIB,17,", b",SIB,\xa317,")  # £ in Windows-1252, a good file
UTF8_BYTES = IV_BYTES.replace(b",SIB,17,", b",SIB,\xc2\xa317,")  # £ in UTF-8, a good file
BAD_81 = CP1252_BYTES.replace(b",88%,", b",88\x81,")
BAD_92 = UTF8_BYTES.replace(b",88%,", b",88\x92,")
BOM_92 = codecs.BOM_UTF8 + IV_BYTES.replace(b",88%,", b",88\x92,")
UTF16_BAD = codecs.BOM_UTF16_LE + IV_BYTES.decode().encode("utf-16-le") + b"\x00\xd8A\x00"
RAGGED = csv_text(IV_COLS, GOOD).encode() + b"SD004,FD 8,Feb-18,18%,,,,,Feb-18,,,\n"
AT_81, AT_92, BOM_AT_92 = BAD_81.index(b"\x81"), BAD_92.index(b"\x92"), BOM_92.index(b"\x92")
BEYOND = "\n".join([IV + ",", *(r + "," for r in GOOD_IV[:3]), GOOD_IV[3] + ",stray"]).encode() + b"\n"

FILE_CASES = {
    "undecodable byte 0x81": Case(
        raw_case(IV_NAME, BAD_81),
        f"not valid UTF-8 or Windows-1252 at byte {AT_81} (0x81): the encoding cannot be told; save it again as UTF-8",
        None,
        2,
        exact=True,
    ),
    "utf-8 with one stray 0x92": Case(
        raw_case(IV_NAME, BAD_92),
        f"not valid UTF-8 at byte {AT_92} (0x92): the file is UTF-8 apart from this byte; save it again as UTF-8",
        None,
        2,
        exact=True,
    ),
    "utf-8 bom then a stray 0x92": Case(
        raw_case(IV_NAME, BOM_92),
        f"not valid UTF-8 at byte {BOM_AT_92} (0x92): the file starts with a UTF-8 byte-order mark "
        "but this byte is not UTF-8",
        None,
        2,
    ),
    "utf-16 bom then not utf-16": Case(raw_case(IV_NAME, UTF16_BAD), "not valid UTF-16-LE at byte", None, 6),
    "nul bytes": Case(
        raw_case(IV_NAME, IV_BYTES.replace(b",190,", b",1\x0090,")),
        "file is not text (it contains NUL bytes)",
        exact=True,
    ),
    "empty file": Case(raw_case(IV_NAME, b""), "file is empty", exact=True),
    "only whitespace": Case(raw_case(IV_NAME, b" \r\n\t\n  \n"), "file is empty", exact=True),
    "bom inside a header name": Case(
        raw_case(IV_NAME, IV_BYTES.replace(b",value,", b",val\xef\xbb\xbfue,", 1)),
        f"unexpected column (expected: {IV_EXPECTED})",
        "val\ufeffue",
        1,
        exact=True,
    ),
    "ragged row with extra cells": Case(raw_case(IV_NAME, RAGGED), "row has 12 cells, header has 10", None, 6),
    "value beyond the last heading": Case(raw_case(IV_NAME, BEYOND), "values beyond the last heading", None, 5),
    "csv named .xlsx": Case(
        raw_case(IV_XLSX, IV_BYTES),
        "not an Excel workbook (.xlsx is a zip file; this file is not): save it as .xlsx",
        exact=True,
    ),
    "csv named .xlsm": Case(
        raw_case("indicator_values_SD004_2018-02.xlsm", IV_BYTES),
        "not an Excel workbook (.xlsx is a zip file; this file is not): save it as .xlsx",
        exact=True,
    ),
    "empty .xlsx": Case(raw_case(IV_XLSX, b""), "file is empty", exact=True),
    "text file named directly": Case(
        raw_case("indicator_values_SD004_2018-02.txt", IV_BYTES), "unsupported file type '.txt': use .csv or .xlsx"
    ),
    "formula without a saved value": Case(
        workbook(IV_XLSX, {"Data": LONG}, cells={("Data", "D3"): "=SUM(1,2)"}),
        "formula in cell D3 has no saved value (=SUM(1,2)): open the workbook in Excel, let it calculate, save it "
        "and land it again",
        "D",
        3,
        "Data",
        exact=True,
    ),
    "hidden sheet holds the only table": Case(
        workbook(IV_XLSX, {"Cover": [["Scorecard"]], "Data": LONG}, hidden=("Data",)),
        f"no table with the indicator_values columns found (expected: {IV_EXPECTED}) "
        "(hidden sheets are skipped: 'Data')",
        exact=True,
    ),
    "sheet over the row limit": Case(
        workbook(IV_XLSX, {"Data": [*LONG, changed(GOOD, IV_COLS, FD3, "indicator_code", "FD 8")[0]]}),
        "sheet has more than 5 rows",
        None,
        6,
        "Data",
        exact=True,
        patch={"MAX_SHEET_ROWS": 5},
    ),
    "encrypted workbook (ole header)": Case(
        raw_case(IV_XLSX, scorecard.readers.OLE_MAGIC + b"\x00" * 504),
        "workbook is encrypted or in the old .xls format: save it as an unprotected .xlsx",
        exact=True,
    ),
    "excel error text in a long sheet": Case(
        workbook(IV_XLSX, {"Data": changed(LONG, IV_COLS, 1, "value", "#DIV/0!")}),
        "Excel error value #DIV/0!",
        "value",
        2,
        "Data",
        exact=True,
    ),
    "workbook with a header and no rows": Case(
        workbook(IV_XLSX, {"Data": [IV_COLS]}), "file has a header but no rows", None, 1, "Data", exact=True
    ),
}


def _truncated(folder: Path) -> Path:
    path = workbook(IV_XLSX, {"Data": LONG})(folder)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


FILE_CASES["truncated workbook"] = Case(
    _truncated,
    "cannot read workbook: BadZipFile: File is not a zip file (it begins like an .xlsx but is damaged or cut short; "
    "land it again)",
    exact=True,
)

STRUCTURE_CASES = {
    "two reports in one budget file": Case(
        csv_case(
            "budget_outturn_HRF.csv", BUD_COLS, [BUD_ROW, changed([BUD_ROW], BUD_COLS, 0, "report_month", "Mar-18")[0]]
        ),
        "a file holds one report: every row must have the same month",
        "report_month",
        None,
        exact=True,
    ),
    "two reports on two sheets": Case(
        workbook(
            "indicator_values_SD004.xlsx",
            {"A": LONG, "B": [IV_COLS, changed(GOOD, IV_COLS, W1, "reported_in", "Mar-18")[W1]]},
        ),
        "a file holds one report: every row must have the same month",
        "reported_in",
        exact=True,
    ),
    "report month disagrees with the file name": Case(
        bud_case("report_month", "Jan-18"),
        "disagrees with the month the file name declares (Feb-18)",
        "report_month",
        2,
        exact=True,
    ),
    "risk report month disagrees with the file name": Case(
        risk_case("reported_in", "Mar-18"),
        "disagrees with the month the file name declares (Feb-18)",
        "reported_in",
        2,
        exact=True,
    ),
    "duplicate key Apr-17 and April 2017": Case(
        csv_case(
            IV_NAME,
            IV_COLS,
            [
                *GOOD,
                changed(GOOD, IV_COLS, FD3, "period", "Apr-17")[FD3],
                changed(GOOD, IV_COLS, FD3, "period", "April 2017")[FD3],
            ],
        ),
        "duplicate organisation_code, indicator_code, period, reported_in (first on row 6)",
        None,
        7,
        exact=True,
    ),
    "duplicate key 2016/17 and 2016-17": Case(
        csv_case(
            IV_NAME,
            IV_COLS,
            [
                *GOOD,
                changed(GOOD, IV_COLS, MC1, "period", "2016/17")[MC1],
                changed(GOOD, IV_COLS, MC1, "period", "2016-17")[MC1],
            ],
        ),
        "duplicate organisation_code, indicator_code, period, reported_in (first on row 6)",
        None,
        7,
        exact=True,
    ),
    "duplicate risk reference": Case(
        csv_case(RISK_NAME, RISK_COLS, [RISK_ROW, changed([RISK_ROW], RISK_COLS, 0, "risk_title", "Other")[0]]),
        "duplicate organisation_code, reported_in, risk_reference (first on row 2)",
        None,
        3,
        exact=True,
    ),
    "duplicate plan month spelt two ways": Case(
        csv_case(PROG_NAME, PROG_COLS, [PROG_ROW, changed([PROG_ROW], PROG_COLS, 0, "plan_month", "2018-03")[0]]),
        "duplicate organisation_code, reported_in, project_name, plan_month (first on row 2)",
        None,
        3,
        exact=True,
    ),
    "duplicate budget service line": Case(
        csv_case(BUD_NAME, BUD_COLS, [BUD_ROW, BUD_ROW]),
        "duplicate organisation_code, report_month, service_code (first on row 2)",
        None,
        3,
        exact=True,
    ),
    "wide month heading Janu-18": Case(
        workbook(IV_XLSX, {"FD": wide_with_header([*WIDE_HEADER[:3], "Janu-18", *WIDE_HEADER[4:]])}),
        "unexpected column in wide layout",
        "Janu-18",
        5,
        "FD",
        exact=True,
    ),
    "wide two headings for one month": Case(
        workbook(IV_XLSX, {"FD": wide_with_header([*WIDE_HEADER[:3], "Feb-18", *WIDE_HEADER[4:]])}),
        "duplicated column",
        "Feb-18",
        5,
        "FD",
        exact=True,
    ),
    "wide row with figures but no code": Case(
        workbook(
            IV_XLSX,
            {
                "FD": wide_sheet(
                    rows=[["FD 3", "x", "BIB", 0.86, 0.88, "90%", "Amber"], [None, "y", "BIB", 0.5, 0.6, "90%", "Red"]]
                )
            },
        ),
        "row has figures but no code",
        "Indicator Number",
        7,
        "FD",
        exact=True,
    ),
    "wide value under no heading": Case(
        workbook(IV_XLSX, {"FD": wide_sheet(rows=[["FD 3", "x", "BIB", 0.86, 0.88, "90%", "Amber", None, "stray"]])}),
        "values under a column with no heading",
        None,
        6,
        "FD",
        exact=True,
    ),
    "wide figure with a decimal comma": Case(
        workbook(IV_XLSX, {"FD": wide_sheet(rows=[["FD 3", "x", "BIB", 0.86, "88,5%", "90%", "Amber"]])}),
        "decimal comma (88,5): write the decimal point as . (e.g. 88.5)",
        "Feb-18",
        6,
        "FD",
    ),
    "wide month before the calendar": Case(
        workbook(IV_XLSX, {"FD": wide_with_header([*WIDE_HEADER[:3], "Mar-10", *WIDE_HEADER[4:]])}),
        f"Mar-10 is outside the calendar {CALENDAR}",
        "Mar-10",
        6,
        "FD",
        exact=True,
    ),
}

REFUSED = {
    **FIGURE_CASES,
    **MONEY_CASES,
    **SCORE_CASES,
    **WORKFORCE_CASES,
    **PERIOD_CASES,
    **CODE_CASES,
    **PERSONAL_CASES,
    **FILE_CASES,
    **STRUCTURE_CASES,
}


def _params(cases: dict[str, Case]):
    return [
        pytest.param(name, id=name.replace(" ", "_"), marks=[xfail(case.bug)] if case.bug else [])
        for name, case in sorted(cases.items())
    ]


def refuse(database: Path, folder: Path, bad: Path) -> tuple[list[dict], str]:
    """Load one file that must be refused; return its rejects report (rows and text). Nothing in raw changes."""
    before = table_state(database)
    quarantine = folder / "quarantine"
    results = load_paths([bad], database, quarantine=quarantine, settle=0, raise_on_reject=False)
    assert [r.status for r in results] == ["rejected"], [(r.status, r.problems) for r in results]
    personal = any("personal data" in p.reason for p in results[0].problems)
    kept = personal_name(bad.name) if personal else bad.name
    assert results[0].report == quarantine / f"{kept}.rejects.csv"
    with (quarantine / f"{kept}.rejects.csv").open(encoding="utf-8", newline="") as fh:
        report = list(csv.DictReader(fh))
    text = (quarantine / f"{kept}.rejects.txt").read_text(encoding="utf-8")
    assert text.startswith(f"{kept} was refused: nothing from it was loaded.")
    assert (quarantine / kept).exists() and not bad.exists()
    assert table_state(database) == before
    return report, text


@pytest.mark.parametrize("case", _params(REFUSED))
def test_bad_input_is_refused_with_its_reason_and_nothing_changes(loaded, tmp_path, monkeypatch, case):
    spec = REFUSED[case]
    for name, value in (spec.patch or {}).items():
        monkeypatch.setattr(scorecard.readers, name, value)
    bad = spec.build(tmp_path)
    report, text = refuse(loaded, tmp_path, bad)
    matching = [r for r in report if (r["reason"] == spec.reason if spec.exact else spec.reason in r["reason"])]
    assert matching, report
    # One reason per case: every problem the file has is this one.
    assert len(matching) == len(report), report
    first = matching[0]
    assert first["file"] == bad.name
    assert first["column"] == (spec.column or "")
    assert first["row"] == ("" if spec.row is None else str(spec.row))
    assert first["sheet"] == (spec.sheet or "")
    assert first["reason"] in text
    if first["reason"].startswith("personal data"):
        assert first["value"] == "(withheld)"


def test_at_least_110_new_refused_cases():
    from tests.test_loader import CSV_CASES, XLSX_CASES

    assert len(REFUSED) >= 110
    assert not set(REFUSED) & (set(CSV_CASES) | set(XLSX_CASES))


# --------------------------------------------------------------------------- inputs that must load


class MustLoad(NamedTuple):
    build: Callable[[Path], Path]
    table: str
    row: int  # the row (as the file numbers it) whose typed values are checked
    expected: dict  # raw column -> the value the loader wrote


MAR = [[("Mar-18" if cell == "Feb-18" else cell) for cell in row] for row in GOOD]  # a report for March 2018
MAR_NAME = "indicator_values_SD004_2018-03.csv"
RATIO = {
    "value__status": "reported",
    "value__number": Decimal("32.6"),
    "value__decimals": 1,
    "value__numerator": Decimal(395),
    "value__denominator": Decimal(1221),
    "value__qualifier": None,
}


def _fig(status, number=None, decimals=0, qualifier=None, numerator=None, denominator=None) -> dict:
    return {
        "value__status": status,
        "value__number": number,
        "value__decimals": decimals,
        "value__numerator": numerator,
        "value__denominator": denominator,
        "value__qualifier": qualifier,
    }


def _value(index: int, text: str, expected: dict) -> MustLoad:
    return MustLoad(iv_case(index, "value", text), "indicator_values", index + 2, expected)


def _loads_money(column: str, text: str, number, status: str = "reported") -> MustLoad:
    return MustLoad(
        bud_case(column, text), "budget_outturn", 2, {f"{column}__status": status, f"{column}__number": number}
    )


def _loads_period(text: str, month: date, period_type: str) -> MustLoad:
    return MustLoad(
        iv_case(FD3, "period", text, name=MAR_NAME, rows=MAR),
        "indicator_values",
        2,
        {"period__month": month, "period__period_type": period_type},
    )


def _loads_target(text: str, number) -> MustLoad:
    return MustLoad(
        iv_case(W1, "target_as_printed", text),
        "indicator_values",
        3,
        {"target_as_printed": text, "target_as_printed__number": number},
    )


def _bytes_case(data: bytes) -> Callable[[Path], Path]:
    return raw_case(IV_NAME, data)


FD3_88 = {"indicator_code__code": "FD 3", "value": "88%", **_fig("reported", Decimal(88))}

MUST_LOAD = {
    "92.6%": _value(FD3, "92.6%", {"value": "92.6%", **_fig("reported", Decimal("92.6"), 1)}),
    "0.926 on a percentage": _value(FD3, "0.926", {"value": "92.6%", **_fig("reported", Decimal("92.6"), 1)}),
    "32.6% (395/1221)": _value(CIN4, "32.6% (395/1221)", RATIO),
    "13 with a footnote marker": _value(MC1, "13 \u00b9", _fig("reported", Decimal(13), 0, "\u00b9")),
    "79% (6m+)": _value(FD3, "79% (6m+)", _fig("reported", Decimal(79), 0, "(6m+)")),
    "dash": _value(FD3, "-", _fig("not_available")),
    "suppressed c": _value(MC1, "c", _fig("suppressed")),
    "New": _value(FD3, "New", _fig("new_indicator")),
    "(1,234) in money": _loads_money("variance", "(1,234)", Decimal(-1234)),
    "+£640K in money": _loads_money("gross_budget", "+£640K", Decimal(640)),
    "£18.2M in money": _loads_money("net_budget", "£18.2M", Decimal(18200)),
    "£1.2bn in money": _loads_money("forecast_outturn", "£1.2bn", Decimal(1200000)),
    "-£5 in money": _loads_money("movement", "-£5", Decimal(-5)),
    "£-5 in money": _loads_money("previous_variance", "£-5", Decimal(-5)),
    "unicode minus in money": _loads_money("variance", "\u22125", Decimal(-5)),
    "5k in money": _loads_money("movement", "5k", Decimal(5)),
    "en dash in money": _loads_money("gross_budget", "\u2013", None, "not_available"),
    "September-17": _loads_period("September-17", date(2017, 9, 1), "month"),
    "Sept-17": _loads_period("Sept-17", date(2017, 9, 1), "month"),
    "Sept-2017": _loads_period("Sept-2017", date(2017, 9, 1), "month"),
    "April 2017": _loads_period("April 2017", date(2017, 4, 1), "month"),
    "2017-04": _loads_period("2017-04", date(2017, 4, 1), "month"),
    "Q3 2016/17": _loads_period("Q3 2016/17", date(2016, 12, 1), "quarter"),
    "q3 2016/17 in lower case": _loads_period("q3 2016/17", date(2016, 12, 1), "quarter"),
    "2017/18": _loads_period("2017/18", date(2018, 3, 1), "financial_year"),
    "2017-18": _loads_period("2017-18", date(2018, 3, 1), "financial_year"),
    "2017/2018": _loads_period("2017/2018", date(2018, 3, 1), "financial_year"),
    "target <180": _loads_target("<180", Decimal(180)),
    "target Primary 88%": _loads_target("Primary 88%", None),
    "target \u2265 90%": _loads_target("\u2265 90%", Decimal(90)),
    "crlf and a bom": MustLoad(
        _bytes_case(codecs.BOM_UTF8 + csv_text(IV_COLS, GOOD, "\r\n").encode()),
        "indicator_values",
        2,
        {"organisation_code": "SD004", "organisation_code__code": "SD004", "notes": None, **FD3_88},
    ),
    "utf-16 with a bom": MustLoad(
        _bytes_case(codecs.BOM_UTF16_LE + csv_text(IV_COLS, GOOD).encode("utf-16-le")), "indicator_values", 2, FD3_88
    ),
    "windows-1252 pound sign": MustLoad(
        _bytes_case(CP1252_BYTES),
        "indicator_values",
        3,
        {"target_as_printed": "£17", "target_as_printed__number": Decimal(17)},
    ),
    "columns in another order": MustLoad(
        csv_case(IV_NAME, IV_COLS[::-1], [r[::-1] for r in GOOD]), "indicator_values", 2, FD3_88
    ),
    "bom before a middle heading": MustLoad(
        _bytes_case(IV_BYTES.replace(b",value,", b",\xef\xbb\xbfvalue,", 1)), "indicator_values", 2, FD3_88
    ),
    "indicator code with a trailing no-break space": MustLoad(
        iv_case(FD3, "indicator_code", "FD 3\u00a0"),
        "indicator_values",
        2,
        {"indicator_code": "FD 3\u00a0", "indicator_code__code": "FD 3"},
    ),
    "date opened before the calendar": MustLoad(
        risk_case("date_opened", "Mar-10"), "risks", 2, {"date_opened__month": date(2010, 3, 1)}
    ),
    "risk score dash": MustLoad(
        risk_case("score_after_controls", "-"),
        "risks",
        2,
        {"score_before_controls__number": 16, "score_after_controls__number": None},
    ),
    "workforce period a quarter": MustLoad(
        wf_case("period", "Q3 2017/18"),
        "workforce",
        2,
        {"period__month": date(2017, 12, 1), "period__period_type": "quarter"},
    ),
    "workforce period a financial year": MustLoad(
        wf_case("period", "2016/17"),
        "workforce",
        2,
        {"period__month": date(2017, 3, 1), "period__period_type": "financial_year"},
    ),
    "fractional fte": MustLoad(
        measure("fte", "3.5"), "workforce", 2, {"value__number": Decimal("3.5"), "value__decimals": 1}
    ),
    "£1.2m on a money measure": MustLoad(
        measure("agency_cost", "£1.2m"), "workforce", 2, {"value__status": "reported", "value__number": Decimal(1200)}
    ),
    "plan month Mar-36 at the end of the calendar": MustLoad(
        prog_case("plan_month", "Mar-36"), "programme", 2, {"plan_month__month": date(2036, 3, 1)}
    ),
}


def load_ok(database: Path, path: Path, rows: int | None = None):
    results = load_paths([path], database, settle=0, raise_on_reject=False)
    assert [(r.status, r.problems) for r in results] == [("loaded", [])]
    if rows is not None:
        assert results[0].rows == rows
    return results[0]


def raw_values(database: Path, table: str, source: str, row: int, columns: list[str]) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            f"select {', '.join(columns)} from raw.{table} where _source_file = ? and _row_number = ?", [source, row]
        ).fetchall()


@pytest.mark.parametrize("case", sorted(MUST_LOAD), ids=lambda c: c.replace(" ", "_"))
def test_good_input_loads_and_writes_what_the_grammar_reads(loaded, tmp_path, case):
    spec = MUST_LOAD[case]
    path = spec.build(tmp_path)
    before = table_state(loaded)[spec.table][0]
    result = load_ok(loaded, path)
    assert table_state(loaded)[spec.table][0] == before + result.rows
    got = raw_values(loaded, spec.table, path.name, spec.row, list(spec.expected))
    assert got == [tuple(spec.expected.values())]


def test_at_least_25_must_load_cases():
    assert len(MUST_LOAD) >= 25


# --------------------------------------------------------------------------- content idempotence


def _long_workbook(folder: Path, name: str) -> Path:
    """The same figures re-saved as a workbook: percentages as numbers formatted 0%, counts as numbers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(IV_COLS)
    for row in GOOD:
        cells: list = list(row)
        cells[IV_COLS.index("value")] = {"88%": 0.88, "17": 17, "190": 190}.get(row[3], row[3])
        cells = [c if c != "" else None for c in cells]
        sheet.append(cells)
    sheet["D2"].number_format = "0%"
    path = folder / name
    book.save(path)
    return path


def test_the_same_figures_saved_differently_are_skipped_and_a_changed_figure_loads(loaded, tmp_path):
    first = tmp_path / IV_NAME
    first.write_text(csv_text(IV_COLS, GOOD), encoding="utf-8", newline="")
    load_ok(loaded, first, rows=4)
    after_first = table_state(loaded)
    variants = {
        "crlf": ("indicator_values_SD004_2018-02_crlf.csv", csv_text(IV_COLS, GOOD, "\r\n").encode()),
        "bom": ("indicator_values_SD004_2018-02_bom.csv", codecs.BOM_UTF8 + csv_text(IV_COLS, GOOD).encode()),
        "order": ("indicator_values_SD004_2018-02_order.csv", csv_text(IV_COLS, GOOD[::-1]).encode()),
        "fraction": (
            "indicator_values_SD004_2018-02_fraction.csv",
            csv_text(IV_COLS, changed(GOOD, IV_COLS, FD3, "value", "0.88")).encode(),
        ),
    }
    paths = []
    for name, data in variants.values():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    paths.append(_long_workbook(tmp_path, "indicator_values_SD004_2018-02_resaved.xlsx"))
    results = load_paths(paths, loaded, settle=0, raise_on_reject=False)
    assert [(r.file.name, r.status, r.messages) for r in results] == [
        (p.name, "skipped", [f"same figures as {IV_NAME}, already loaded: nothing new"]) for p in paths
    ]
    assert table_state(loaded) == after_first
    assert all(p.exists() for p in paths)

    restated = tmp_path / "indicator_values_SD004_2018-02_restated.csv"
    restated.write_text(csv_text(IV_COLS, changed(GOOD, IV_COLS, MC1, "value", "191")), encoding="utf-8", newline="")
    load_ok(loaded, restated, rows=4)
    after = table_state(loaded)
    assert after["indicator_values"][0] == after_first["indicator_values"][0] + 4
    assert raw_values(loaded, "indicator_values", restated.name, 4, ["value__number"]) == [(Decimal(191),)]


# --------------------------------------------------------------------------- csv injection

INJECTIONS = {
    "equals formula in a figure": (FD3, "value", '=HYPERLINK("http://x")'),
    "at formula in a code": (FD3, "indicator_code", "@SUM(A1)"),
    "plus in a figure": (MC1, "value", "+1 234"),
    "minus in a figure": (W1, "value", "-(5)"),
    "equals in an organisation code": (FD3, "organisation_code", "=1+1"),
}


@pytest.mark.parametrize("case", sorted(INJECTIONS), ids=lambda c: c.replace(" ", "_"))
def test_rejects_csv_does_not_run_a_formula_but_the_text_report_shows_it(loaded, tmp_path, case):
    index, column, value = INJECTIONS[case]
    report, text = refuse(loaded, tmp_path, iv_case(index, column, value)(tmp_path))
    assert [(r["row"], r["column"], r["value"]) for r in report] == [(str(index + 2), column, "'" + value)]
    assert f"column {column!r}: " in text
    assert f"(value {value!r})" in text


# --------------------------------------------------------------------------- safe commands


def _bad_iv(folder: Path, name: str = IV_NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return iv_case(MC1, "value", "1e3", name=name)(folder)


def test_refused_file_outside_the_landing_folder_stays_where_it_is(loaded, tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("SCORECARD_LANDING_DIR", str(landing))
    bad = _bad_iv(tmp_path / "elsewhere").resolve()
    data = bad.read_bytes()
    before = table_state(loaded)
    results = load_paths([bad], loaded, settle=0, raise_on_reject=False)
    assert [r.status for r in results] == ["rejected"]
    assert bad.read_bytes() == data
    quarantine = landing / "quarantine"
    assert results[0].report == quarantine / f"{IV_NAME}.rejects.csv"
    assert sorted(p.name for p in quarantine.iterdir()) == [f"{IV_NAME}.rejects.csv", f"{IV_NAME}.rejects.txt"]
    assert "exponent (1e3): write the number in full" in (quarantine / f"{IV_NAME}.rejects.txt").read_text()
    assert table_state(loaded) == before


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_dry_run_writes_nothing_at_all(tmp_path, capsys):
    bad = _bad_iv(tmp_path)
    good = csv_case("workforce_HRF_2018-02.csv", WF_COLS, [WF_ROW])(tmp_path)
    database = tmp_path / "warehouse" / "w.duckdb"
    before = _tree(tmp_path)
    code = cli_main(["--database", str(database), "load", "--dry-run", str(bad), str(good)])
    out = capsys.readouterr().out
    assert code == 1
    assert not database.parent.exists()
    assert not (tmp_path / "quarantine").exists()
    assert _tree(tmp_path) == before
    assert "exponent (1e3): write the number in full" in out
    assert out.splitlines()[-1] == "0 loaded, 1 rejected, 0 skipped, 1 valid (dry run)"


def test_dry_run_against_a_warehouse_leaves_its_file_unchanged(loaded, tmp_path, capsys):
    bad = _bad_iv(tmp_path)
    digest = hashlib.sha256(loaded.read_bytes()).hexdigest()
    before = _tree(tmp_path)
    assert cli_main(["--database", str(loaded), "load", "--dry-run", str(bad)]) == 1
    assert hashlib.sha256(loaded.read_bytes()).hexdigest() == digest
    assert _tree(tmp_path) == before
    assert capsys.readouterr().out.splitlines()[-1] == "0 loaded, 1 rejected, 0 skipped"


def test_an_empty_folder_says_no_extract_files_found(loaded, tmp_path, capsys):
    empty = tmp_path / "drop"
    empty.mkdir()
    assert cli_main(["--database", str(loaded), "load", str(empty)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "no extract files found (.csv, .xlsx) in the paths given: nothing to load",
        "0 loaded, 0 rejected, 0 skipped",
    ]


def test_a_folder_of_only_other_files_says_no_extract_files_found(loaded, tmp_path, capsys):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "readme.txt").write_text("notes", encoding="utf-8")
    assert cli_main(["--database", str(loaded), "load", str(folder)]) == 0
    assert "no extract files found (.csv, .xlsx) in the paths given: nothing to load" in capsys.readouterr().out


def test_other_files_subfolders_and_links_out_are_ignored_with_their_reason(loaded, tmp_path, capsys):
    folder = tmp_path / "drop"
    folder.mkdir()
    good = csv_case(WF_NAME, WF_COLS, [WF_ROW])(folder)
    (folder / "readme.txt").write_text("notes", encoding="utf-8")
    (folder / "old").mkdir()
    outside = csv_case(
        "workforce_HRF_2018-01.csv", WF_COLS, [changed([WF_ROW], WF_COLS, 0, "reported_in", "Jan-18")[0]]
    )(tmp_path)
    (folder / "workforce_HRF_2018-01.csv").symlink_to(outside)
    results = load_paths([folder], loaded, settle=0, raise_on_reject=False)
    assert sorted((r.file.name, r.status, r.messages) for r in results) == [
        ("old", "ignored", ["a subfolder: not read (name its files or move them up)"]),
        ("readme.txt", "ignored", ["not an extract file (.csv, .xlsx, .xlsm): not read"]),
        ("workforce_HRF_2018-01.csv", "ignored", ["a link to a place outside the folder: not followed"]),
        (WF_NAME, "loaded", []),
    ]
    assert good.exists() and outside.exists()
    code = cli_main(["--database", str(loaded), "load", str(folder)])
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "ignored  unknown                 0 rows  readme.txt (not an extract file (.csv, .xlsx, .xlsm): not read)"
        in out
    )
    assert out.splitlines()[-1] == "0 loaded, 0 rejected, 1 skipped, 3 ignored"


def test_a_path_that_does_not_exist_exits_1(loaded, tmp_path, capsys):
    missing = tmp_path / "nowhere" / IV_NAME
    assert cli_main(["--database", str(loaded), "load", str(missing)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"missing  unknown                 0 rows  {IV_NAME} (no such file or folder)",
        "no extract files found (.csv, .xlsx) in the paths given: nothing to load",
        "0 loaded, 0 rejected, 0 skipped, 1 not found",
    ]


LONG_NAME = "indicator_values_SD004_2018-02_" + "x" * 215 + ".csv"  # 250 characters


def test_a_250_character_name_gets_a_shortened_rejects_report(loaded, tmp_path):
    assert len(LONG_NAME) == 250
    bad = _bad_iv(tmp_path, LONG_NAME)
    results = load_paths([bad], loaded, settle=0, raise_on_reject=False)
    assert [r.status for r in results] == ["rejected"]
    digest = hashlib.sha256(LONG_NAME.encode()).hexdigest()[:12]
    short = f"{LONG_NAME[:140]}...{digest}.csv"
    report = tmp_path / "quarantine" / f"{short}.rejects.csv"
    assert results[0].report == report
    assert report.with_suffix(".txt").read_text(encoding="utf-8").startswith(f"{short} was refused")
    assert (tmp_path / "quarantine" / short).exists() and not bad.exists()


def test_a_250_character_name_refused_for_personal_data_is_quarantined(loaded, tmp_path):
    bad = iv_case(FD3, "notes", "DOB 12/03/2011", name=LONG_NAME)(tmp_path)
    results = load_paths([bad], loaded, settle=0, raise_on_reject=False)
    assert [r.status for r in results] == ["rejected"]
    assert not bad.exists()


def test_a_250_character_name_refused_twice_is_quarantined_twice(loaded, tmp_path):
    _bad_iv(tmp_path, LONG_NAME)
    load_paths([tmp_path / LONG_NAME], loaded, settle=0, raise_on_reject=False)
    again = _bad_iv(tmp_path, LONG_NAME)
    results = load_paths([again], loaded, settle=0, raise_on_reject=False)
    assert [r.status for r in results] == ["rejected"]
    assert not again.exists()


def test_a_busy_warehouse_exits_3_with_one_line_and_loads_nothing(loaded, tmp_path, monkeypatch, capsys):
    good = csv_case(WF_NAME, WF_COLS, [WF_ROW])(tmp_path)
    before = table_state(loaded)
    script = f"import duckdb, time; c = duckdb.connect({str(loaded)!r}); print('ok', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ok"
        monkeypatch.setenv("SCORECARD_LOCK_WAIT_SECONDS", "1")
        code = cli_main(["--database", str(loaded), "load", str(good)])
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    captured = capsys.readouterr()
    assert code == 3
    assert "Traceback" not in captured.err + captured.out
    # The wait is announced, then the load ends with one line saying why.
    assert captured.err.splitlines() == [
        "waiting up to 1 s for the warehouse: another process (a build?) is using it",
        f"scorecard load: {loaded}: the warehouse is in use by another process (a build is running?); "
        "nothing was loaded: try again when it has finished",
    ]
    assert captured.out == ""
    assert good.exists()
    assert table_state(loaded) == before


def test_a_full_disk_is_one_line_and_changes_nothing(loaded, tmp_path, monkeypatch, capsys):
    def full(*args, **kwargs):
        raise duckdb.IOException("Could not write file: No space left on device")

    monkeypatch.setattr(loader, "_insert_csv", full)
    good = csv_case(WF_NAME, WF_COLS, [WF_ROW])(tmp_path)
    before = table_state(loaded)
    with pytest.raises(LoadError) as raised:
        load_paths([good], loaded, settle=0, raise_on_reject=False)
    message = str(raised.value)
    assert message == (
        "could not write to the warehouse: Could not write file: No space left on device (is the disk full?); "
        "nothing from 1 checked file(s) was loaded, and earlier loads are unchanged"
    )
    assert table_state(loaded) == before
    assert good.exists()
    capsys.readouterr()
    assert cli_main(["--database", str(loaded), "load", str(good)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"scorecard load: {message}"]
    assert table_state(loaded) == before
