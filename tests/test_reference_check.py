"""`scorecard check-reference`: the reference seeds checked before dbt reads them.

Each case copies seeds/reference and dbt_project.yml into a temporary project,
makes one edit and expects one problem naming file, row, column and reason.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from scorecard.reference_check import ReferenceProblem, check_reference, main

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_DIR / "seeds" / "reference"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the reference seeds at tmp/seeds/reference, beside a copy of dbt_project.yml."""
    target = tmp_path / "seeds" / "reference"
    shutil.copytree(SEEDS, target)
    shutil.copy(PROJECT_DIR / "dbt_project.yml", tmp_path / "dbt_project.yml")
    return target


# Edits: each takes the seed folder and changes one thing.


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def replace_bytes(seed: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / f"{seed}.csv"
        data = path.read_bytes()
        assert old in data, (seed, old)
        path.write_bytes(data.replace(old, new, 1))

    return edit


def append_line(seed: str, line: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / f"{seed}.csv"
        data = path.read_bytes()
        assert data.endswith(b"\n")
        path.write_bytes(data + line.encode() + b"\n")

    return edit


def rewrite(seed: str, change: Callable[[list[list[str]]], None]) -> Callable[[Path], None]:
    """Parse the seed, let `change` edit its records (header first), write it back with LF endings."""

    def edit(folder: Path) -> None:
        path = folder / f"{seed}.csv"
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        change(records)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(records)
        path.write_text(out.getvalue(), encoding="utf-8", newline="")

    return edit


def set_cell(seed: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set the value of `column` on CSV line `row` (header = 1)."""

    def change(records: list[list[str]]) -> None:
        records[row - 1][records[0].index(column)] = value

    return rewrite(seed, change)


def rename_column(seed: str, column: str, new: str) -> Callable[[Path], None]:
    def change(records: list[list[str]]) -> None:
        records[0][records[0].index(column)] = new

    return rewrite(seed, change)


def drop_column(seed: str, column: str) -> Callable[[Path], None]:
    def change(records: list[list[str]]) -> None:
        position = records[0].index(column)
        for record in records:
            del record[position]

    return rewrite(seed, change)


def add_column(seed: str, column: str, value: str) -> Callable[[Path], None]:
    def change(records: list[list[str]]) -> None:
        records[0].append(column)
        for record in records[1:]:
            record.append(value)

    return rewrite(seed, change)


def delete_seed(seed: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / f"{seed}.csv").unlink()

    return edit


def crlf_lines(seed: str, count: int) -> Callable[[Path], None]:
    """Give the first `count` lines CRLF endings, leaving the rest LF."""

    def edit(folder: Path) -> None:
        path = folder / f"{seed}.csv"
        lines = _lines(path)
        assert all(line.endswith(b"\n") and not line.endswith(b"\r\n") for line in lines)
        path.write_bytes(b"".join(line[:-1] + b"\r\n" if i < count else line for i, line in enumerate(lines)))

    return edit


def bare_cr_on_line(seed: str, line_no: int) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / f"{seed}.csv"
        lines = _lines(path)
        lines[line_no - 1] = lines[line_no - 1][:-1] + b"\r"
        path.write_bytes(b"".join(lines))

    return edit


def prepend_bom(seed: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / f"{seed}.csv"
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    return edit


@dataclass(frozen=True)
class Case:
    edit: Callable[[Path], None]
    file: str  # seed name
    row: int | None
    column: str | None
    reason: str
    count: int = 1  # problems expected in all


CASES: dict[str, Case] = {
    # 1. bytes
    "mixed line endings": Case(
        crlf_lines("indicators", 6),
        "indicators",
        7,
        None,
        "line endings are mixed: CRLF on line 1, LF on line 7; save the file with one kind",
    ),
    "bare CR": Case(bare_cr_on_line("rag_codes", 3), "rag_codes", 3, None, "line 3 ends with a bare CR"),
    "byte order mark": Case(prepend_bom("units"), "units", 1, None, "byte order mark (BOM)"),
    "invalid UTF-8": Case(
        replace_bytes("indicators", b"Vacancy Rate", b"Vacancy R\xe9te"),
        "indicators",
        2,
        None,
        "not valid UTF-8: byte 0xE9",
    ),
    "NUL byte": Case(replace_bytes("polarity_codes", b"greater", b"gre\x00ater"), "polarity_codes", 5, None, "NUL"),
    # 2. CSV shape
    "ragged row": Case(
        replace_bytes("risk_score_bands", b"moderate,Moderate,4,7,2,", b"moderate,Moderate,4,7,2"),
        "risk_score_bands",
        3,
        None,
        "row has 5 fields, the header has 6",
    ),
    "unclosed quote": Case(
        append_line("workforce_measures", 'extra,"Extra,count,8,x'), "workforce_measures", 9, None, "not valid CSV"
    ),
    "blank header": Case(
        rename_column("risk_score_bands", "notes", ""), "risk_score_bands", 1, None, "header name of column 6 is blank"
    ),
    "header with spaces": Case(
        rename_column("rag_codes", "description", "description "),
        "rag_codes",
        1,
        "description ",
        "header name has leading or trailing spaces",
        count=2,  # and so not a declared column
    ),
    "duplicate header": Case(
        rename_column("risk_score_bands", "band_name", "Band_Code"),
        "risk_score_bands",
        1,
        "Band_Code",
        "duplicate column name (first at column 1)",
        count=2,  # and Band_Code is not declared
    ),
    "missing declared column": Case(
        drop_column("indicators", "owner"),
        "indicators",
        1,
        "owner",
        "declared column missing from the header (dbt_project.yml)",
    ),
    "missing required column": Case(
        drop_column("indicators", "unit"), "indicators", 1, "unit", "required column missing"
    ),
    "undeclared column": Case(
        add_column("rag_codes", "colour", "x"), "rag_codes", 1, "colour", "column not declared in dbt_project.yml"
    ),
    # 3. typed values
    "bad boolean": Case(set_cell("rag_codes", 2, "is_rag", "yes"), "rag_codes", 2, "is_rag", "not a boolean"),
    "bad integer": Case(
        set_cell("risk_score_bands", 3, "sort_order", "2.5"), "risk_score_bands", 3, "sort_order", "not an integer"
    ),
    "integer out of range": Case(
        set_cell("risk_score_bands", 3, "sort_order", "3000000000"),
        "risk_score_bands",
        3,
        "sort_order",
        "out of range for integer",
    ),
    "bad decimal": Case(
        set_cell("indicator_targets", 2, "target_value", "1,234"),
        "indicator_targets",
        2,
        "target_value",
        "not a plain decimal number",
    ),
    "decimal with percent": Case(
        set_cell("indicator_targets", 3, "green_boundary", "17%"),
        "indicator_targets",
        3,
        "green_boundary",
        "not a plain decimal number",
    ),
    "bad date": Case(
        set_cell("indicator_targets", 2, "effective_to", "2018-02-30"),
        "indicator_targets",
        2,
        "effective_to",
        "not a real date",
    ),
    "date not ISO": Case(
        set_cell("indicator_targets", 4, "effective_from", "01/04/2017"),
        "indicator_targets",
        4,
        "effective_from",
        "not an ISO date (YYYY-MM-DD)",
    ),
    "effective_to before effective_from": Case(
        set_cell("indicator_targets", 5, "effective_to", "2017-03-31"),
        "indicator_targets",
        5,
        "effective_from",
        "effective_from 2017-04-01 is after effective_to 2017-03-31",
    ),
    # 4. unique codes
    "duplicate organisation_code": Case(
        append_line("organisations", "SD004,Again,unknown,,,,"),
        "organisations",
        4,
        "organisation_code",
        "duplicate organisation_code (first on row 3)",
    ),
    "duplicate indicator_code": Case(
        append_line("indicators", "W 1,SD004,Again,Workforce,average,monthly,SIB,false,PS,,,360"),
        "indicators",
        47,
        "indicator_code",
        "duplicate indicator_code for organisation_code 'SD004' (first on row 3)",
    ),
    "indicator_code of another council": Case(
        set_cell("indicator_targets", 2, "indicator_code", "CWB 01"),
        "indicator_targets",
        2,
        "indicator_code",
        "unknown indicator_code for organisation_code 'SD004' (not in seeds/reference/indicators.csv)",
    ),
    "tolerance rule without a tolerance": Case(
        append_line("indicator_rules", "SD004,W 1,,target_tolerance_absolute,,previous_period,,0,absolute,"),
        "indicator_rules",
        4,
        "amber_tolerance",
        "rag_rule target_tolerance_absolute needs amber_tolerance",
    ),
    "six-month trend without the months": Case(
        append_line("indicator_rules", "SD004,W 1,,bands,,months_earlier,,0,absolute,"),
        "indicator_rules",
        4,
        "direction_months",
        "direction_basis months_earlier needs direction_months",
    ),
    "unknown direction basis": Case(
        append_line("indicator_rules", "SD004,W 1,,bands,,last_quarter,,0,absolute,"),
        "indicator_rules",
        4,
        "direction_basis",
        "not one of",
    ),
    "unknown arrow meaning": Case(
        append_line("direction_codes", "⇧,upwards,Double arrow"),
        "direction_codes",
        21,
        "direction",
        "not one of",
    ),
    "duplicate measure_code": Case(
        append_line("workforce_measures", "HRF,fte,FTE again,fte,,8,x"),
        "workforce_measures",
        9,
        "measure_code",
        "duplicate measure_code for organisation_code 'HRF' (first on row 2)",
    ),
    "unknown measure organisation": Case(
        append_line("workforce_measures", "XYZ,fte,FTE,fte,,1,x"),
        "workforce_measures",
        9,
        "organisation_code",
        "unknown organisation_code (not in seeds/reference/organisations.csv)",
    ),
    "empty measure organisation": Case(
        set_cell("workforce_measures", 3, "organisation_code", ""),
        "workforce_measures",
        3,
        "organisation_code",
        "empty; a value is required",
    ),
    "bad measure polarity": Case(
        set_cell("workforce_measures", 5, "polarity", "smaller"),
        "workforce_measures",
        5,
        "polarity",
        "not one of BIB, SIB",
    ),
    "duplicate unit": Case(
        append_line("units", "count,Again,0,,true,,99,number,{n},"),
        "units",
        len((PROJECT_DIR / "seeds" / "reference" / "units.csv").read_text().splitlines()) + 1,  # the appended line
        "unit",
        "duplicate unit (first on row 3)",
    ),
    "duplicate printed_rag": Case(
        append_line("rag_codes", "amber,Amber,true,Amber again"),
        "rag_codes",
        14,
        "printed_rag",
        "duplicate printed_rag, ignoring case (first on row 4)",
    ),
    "duplicate printed_polarity ignoring case": Case(
        append_line("polarity_codes", "Bigger Is Better,BIB,Bigger is better"),
        "polarity_codes",
        9,
        "printed_polarity",
        "duplicate printed_polarity, ignoring case (first on row 4)",
    ),
    "duplicate marker ignoring case": Case(
        append_line("value_placeholders", "N/A,exact,not_applicable,Again"),
        "value_placeholders",
        22,
        "marker",
        "duplicate marker for match_type 'exact', ignoring case (first on row 5)",
    ),
    "duplicate service_code": Case(
        append_line("service_hierarchy", "HRF,LAC,Again,SFS,line,40,"),
        "service_hierarchy",
        19,
        "service_code",
        "duplicate service_code for organisation_code 'HRF' (first on row 15)",
    ),
    "duplicate band_code": Case(
        append_line("risk_score_bands", "low,Again,1,3,5,"),
        "risk_score_bands",
        6,
        "band_code",
        "duplicate band_code (first on row 2)",
    ),
    "duplicate target": Case(
        append_line("indicator_targets", "SD004,P1,2017/18,2017-04-01,2018-03-31,25,25%,value,,,,,,"),
        "indicator_targets",
        42,
        "effective_from",
        "duplicate effective_from for organisation_code 'SD004' for indicator_code 'P1' (first on row 2)",
    ),
    "empty code": Case(
        set_cell("workforce_measures", 8, "measure_code", ""),
        "workforce_measures",
        8,
        "measure_code",
        "empty; a value is required",
    ),
    "code with spaces": Case(
        set_cell("indicators", 2, "polarity", "SIB "),
        "indicators",
        2,
        "polarity",
        "code has leading or trailing spaces",
    ),
    "printed_rag not lower case": Case(
        set_cell("rag_codes", 2, "printed_rag", "Red"), "rag_codes", 2, "printed_rag", "must be lower case"
    ),
    # 5. codes known
    "unknown indicator organisation": Case(
        set_cell("indicators", 2, "organisation_code", "XYZ"),
        "indicators",
        2,
        "organisation_code",
        "unknown organisation_code (not in seeds/reference/organisations.csv)",
    ),
    "unknown indicator unit": Case(
        set_cell("indicators", 3, "unit", "percent"),
        "indicators",
        3,
        "unit",
        "unknown unit (not in seeds/reference/units.csv)",
    ),
    "unknown measure unit": Case(
        set_cell("workforce_measures", 2, "unit", "hours"),
        "workforce_measures",
        2,
        "unit",
        "unknown unit (not in seeds/reference/units.csv)",
    ),
    "bad polarity": Case(
        set_cell("indicators", 2, "polarity", "bib"), "indicators", 2, "polarity", "not one of BIB, SIB"
    ),
    "bad frequency": Case(
        set_cell("indicators", 2, "frequency", "weekly"),
        "indicators",
        2,
        "frequency",
        "not one of monthly, monthly_rolling_3m, quarterly, annual",
    ),
    "empty frequency": Case(
        set_cell("indicators", 2, "frequency", ""), "indicators", 2, "frequency", "empty; a value is required"
    ),
    "unknown target organisation": Case(
        set_cell("indicator_targets", 30, "organisation_code", "XYZ"),
        "indicator_targets",
        30,
        "organisation_code",
        "unknown organisation_code (not in seeds/reference/organisations.csv)",
    ),
    "unknown target indicator": Case(
        set_cell("indicator_targets", 2, "indicator_code", "P99"),
        "indicator_targets",
        2,
        "indicator_code",
        "unknown indicator_code for organisation_code 'SD004' (not in seeds/reference/indicators.csv)",
    ),
    "unknown service organisation": Case(
        append_line("service_hierarchy", "XYZ,TOP,Top,,directorate,1,true"),
        "service_hierarchy",
        19,
        "organisation_code",
        "unknown organisation_code (not in seeds/reference/organisations.csv)",
    ),
    "unknown parent service": Case(
        set_cell("service_hierarchy", 4, "parent_service_code", "NOPE"),
        "service_hierarchy",
        4,
        "parent_service_code",
        "unknown parent_service_code (not a service_code of organisation_code 'HRF')",
    ),
    "bad match_type": Case(
        set_cell("value_placeholders", 2, "match_type", "regex"),
        "value_placeholders",
        2,
        "match_type",
        "not one of exact, contains",
    ),
    "empty rag_status": Case(
        set_cell("rag_codes", 2, "rag_status", ""), "rag_codes", 2, "rag_status", "empty; a value is required"
    ),
    "bad polarity code": Case(
        set_cell("polarity_codes", 4, "polarity", "BIGGER"), "polarity_codes", 4, "polarity", "not one of BIB, SIB"
    ),
    "bad threshold_basis": Case(
        set_cell("indicator_targets", 2, "threshold_basis", "percent"),
        "indicator_targets",
        2,
        "threshold_basis",
        "not one of value, percent_of_cohort",
    ),
    "referenced seed missing": Case(
        delete_seed("units"),
        "indicators",
        None,
        "unit",
        "cannot check unit: seeds/reference/units.csv is missing",
        count=4,  # workforce_measures.unit, national_indicators.unit and organisations.budget_unit too
    ),
    "budget_unit not money": Case(
        set_cell("organisations", 2, "budget_unit", "count"),
        "organisations",
        2,
        "budget_unit",
        "not a money unit: seeds/reference/units.csv gives it no pounds_per_unit",
    ),
    "unknown budget_unit": Case(
        set_cell("organisations", 2, "budget_unit", "gbp_billions"),
        "organisations",
        2,
        "budget_unit",
        "unknown budget_unit (not in seeds/reference/units.csv)",
    ),
    "council gss_code not an authority": Case(
        set_cell("organisations", 2, "gss_code", "E06999999"),
        "organisations",
        2,
        "gss_code",
        "unknown gss_code (not in seeds/reference/authorities.csv)",
    ),
    "neighbour not an authority": Case(
        append_line("statistical_neighbours", "E06000015,E06999999,1,2021,test"),
        "statistical_neighbours",
        2,
        "neighbour_gss_code",
        "unknown neighbour_gss_code (not in seeds/reference/authorities.csv)",
    ),
    "two value columns for one national indicator": Case(
        append_line(
            "national_statistics_columns",
            "a_pct,characteristic=Total,assessments_within_45_days_pct,value,,\n"
            "b_pct,characteristic=Total,assessments_within_45_days_pct,value,,",
        ),
        "national_statistics_columns",
        3,
        "role",
        "duplicate",
    ),
    "mapping to an unknown national indicator": Case(
        append_line("national_statistics_columns", "a_pct,,no_such_indicator,value,,"),
        "national_statistics_columns",
        2,
        "national_code",
        "unknown national_code (not in seeds/reference/national_indicators.csv)",
    ),
    "bad mapping role": Case(
        append_line("national_statistics_columns", "a_pct,,assessments_within_45_days_pct,total,,"),
        "national_statistics_columns",
        2,
        "role",
        "not one of value, numerator, denominator",
    ),
    "lines_exhaustive not boolean": Case(
        set_cell("service_hierarchy", 3, "lines_exhaustive", "yes"),
        "service_hierarchy",
        3,
        "lines_exhaustive",
        "not a boolean",
    ),
    # 6. units
    "units min above max": Case(
        set_cell("units", 2, "min_value", "200"),
        "units",
        2,
        "min_value",
        "min_value 200 is greater than max_value 100",
    ),
    "units bad whole_number": Case(set_cell("units", 3, "whole_number", "yes"), "units", 3, "whole_number", "boolean"),
    "units bad min_value": Case(
        set_cell("units", 2, "min_value", "zero"), "units", 2, "min_value", "not a plain decimal number"
    ),
    "units zero pounds_per_unit": Case(
        set_cell("units", 9, "pounds_per_unit", "0"),
        "units",
        9,
        "pounds_per_unit",
        "must be a positive number or empty",
    ),
    "units negative pounds_per_unit": Case(
        set_cell("units", 9, "pounds_per_unit", "-1000"),
        "units",
        9,
        "pounds_per_unit",
        "must be a positive number or empty",
    ),
    "units pounds_per_unit with £": Case(
        set_cell("units", 9, "pounds_per_unit", "£1000"),
        "units",
        9,
        "pounds_per_unit",
        "not a plain decimal number",
    ),
    "risk band min above max": Case(
        set_cell("risk_score_bands", 4, "min_score", "15"),
        "risk_score_bands",
        4,
        "min_score",
        "min_score 15 is greater than max_score 14",
    ),
}


def _empty(folder: Path) -> None:
    (folder / "risk_score_bands.csv").write_bytes(b"")


CASES["empty file"] = Case(_empty, "risk_score_bands", None, None, "file is empty")


@pytest.mark.parametrize("name", list(CASES), ids=lambda name: name.replace(" ", "_"))
def test_one_problem_per_edit(folder: Path, name: str) -> None:
    case = CASES[name]
    case.edit(folder)
    problems = check_reference(folder)
    file = f"seeds/reference/{case.file}.csv"
    matching = [p for p in problems if case.reason in p.reason and p.file == file]
    assert len(matching) == 1, "\n".join(map(str, problems))
    problem = matching[0]
    assert (problem.file, problem.row, problem.column) == (file, case.row, case.column), str(problem)
    assert len(problems) == case.count, "\n".join(map(str, problems))


def test_committed_seeds_pass() -> None:
    assert check_reference(SEEDS) == []


def test_copy_passes(folder: Path) -> None:
    assert check_reference(folder) == []


def test_crlf_everywhere_passes(folder: Path) -> None:
    for path in folder.glob("*.csv"):
        lines = _lines(path)
        path.write_bytes(b"".join(line.rstrip(b"\r\n") + b"\r\n" for line in lines))
    assert check_reference(folder) == []


def test_missing_final_newline_and_blank_lines_pass(folder: Path) -> None:
    units = folder / "units.csv"
    units.write_bytes(units.read_bytes().rstrip(b"\n"))
    rag = folder / "rag_codes.csv"
    rag.write_bytes(rag.read_bytes() + b"\n")
    assert check_reference(folder) == []


def test_absent_seeds_are_skipped(folder: Path) -> None:
    """A seed that is not there is not checked, nor are codes referring from it."""
    for seed in ("workforce_measures", "indicator_targets", "service_hierarchy"):
        (folder / f"{seed}.csv").unlink()
    assert check_reference(folder) == []


def test_another_council_may_use_the_same_measure_code_for_its_own_measure(folder: Path) -> None:
    """Measure codes belong to a council: the key is organisation_code + measure_code."""
    append_line("workforce_measures", "SD004,fte,Social work FTE,fte,BIB,1,Qualified social workers")(folder)
    assert check_reference(folder) == []


def test_same_marker_for_both_match_types_passes(folder: Path) -> None:
    append_line("value_placeholders", "N/A,contains,not_applicable,Also anywhere")(folder)
    assert check_reference(folder) == []


def test_missing_organisations_names_every_referring_column(folder: Path) -> None:
    (folder / "organisations.csv").unlink()
    problems = check_reference(folder)
    assert [(p.file, p.column) for p in problems] == [
        ("seeds/reference/indicator_rules.csv", "organisation_code"),
        ("seeds/reference/indicator_targets.csv", "organisation_code"),
        ("seeds/reference/indicators.csv", "organisation_code"),
        ("seeds/reference/service_hierarchy.csv", "organisation_code"),
        ("seeds/reference/workforce_measures.csv", "organisation_code"),
    ]
    assert all(
        p.reason == "cannot check organisation_code: seeds/reference/organisations.csv is missing" for p in problems
    )


def test_project_file_override(folder: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere.yml"
    (tmp_path / "dbt_project.yml").rename(moved)
    problems = check_reference(folder)
    assert [p.reason for p in problems] == ["cannot check declared columns: the file is missing"]
    assert check_reference(folder, project_file=moved) == []


def test_problem_text() -> None:
    problem = ReferenceProblem("seeds/reference/units.csv", 4, "unit", "x", "duplicate unit (first on row 3)")
    assert (
        str(problem) == "seeds/reference/units.csv, row 4, column 'unit': duplicate unit (first on row 3) (value 'x')"
    )
    assert str(ReferenceProblem("seeds/reference/units.csv", None, None, None, "file is empty")) == (
        "seeds/reference/units.csv: file is empty"
    )
    assert str(ReferenceProblem("f.csv", 2, "c", "a\x00b", "r")) == "f.csv, row 2, column 'c': r (value 'a\\x00b')"


def test_main_reports_problems(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_cell("indicators", 3, "unit", "percent")(folder)
    assert main(folder) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "seeds/reference/indicators.csv, row 3, column 'unit': "
        "unknown unit (not in seeds/reference/units.csv) (value 'percent')"
    ]
    assert out.splitlines() == [f"reference data: 1 problem(s) in {folder}"]


def test_main_ok(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(folder) == 0
    out, err = capsys.readouterr()
    count = len(list(folder.glob("*.csv")))
    assert out.splitlines() == [f"reference data OK: {count} files checked in {folder}"]
    assert err == ""


def test_main_default_folder(folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SCORECARD_REFERENCE_DIR", str(folder))
    assert main() == 0
    assert capsys.readouterr().out.endswith(f"files checked in {folder}\n")
