"""National statistics: the DfE's open-data CSV and its .meta.csv, unpivoted into raw.national_statistics.

The fixture (tests/fixtures/national_statistics, described in its README) loads and the raw rows hold
what the grammar read: suppressed for c, not_available for x, never a number for a symbol, the year a
period ends in. A malformed variant is refused whole, naming file, row, column (the published heading)
and reason, and nothing is loaded; the same file again is skipped; a load is retracted.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard import values as v
from scorecard.cli import main as cli_main
from scorecard.contracts import CONTRACTS
from scorecard.loader import ExtractError, contract_for, list_extract_files, load_paths
from scorecard.personal_data import personal_name

PROJECT_DIR = Path(__file__).resolve().parent.parent
FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "national_statistics"
DATA = "national_statistics_fixture.csv"
META = "national_statistics_fixture.meta.csv"
INDICATORS = ["assess_45_pct", "assess_45_num", "assess_45_den", "cla_rate", "cla_count", "child_pop"]
RAW_COLUMNS = [
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
    "region_name", "new_la_code", "old_la_code", "la_name", "filters", "indicator", "value", "indicator_unit",
    "indicator_dp", "time_period__end_year", "time_identifier__code", "new_la_code__code", "indicator__code",
    "value__status", "value__number", "value__decimals", "indicator_dp__number", "_source_file", "_file_sha256",
    "_content_sha256", "_sheet", "_row_number", "_loaded_at", "_is_sample",
]  # fmt: skip
GRAIN = "duplicate time_period, time_identifier, geographic_level, region_code, new_la_code, filters, indicator"
SYMBOLS = v.statistic_symbols()


@pytest.fixture(autouse=True)
def landing_is_tmp(tmp_path, monkeypatch):
    """Files these tests write sit in the landing folder: refused ones are moved to its quarantine."""
    monkeypatch.setenv("SCORECARD_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("SCORECARD_SETTLE_SECONDS", "0")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def text_of(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


Edit = Callable[[list[list[str]]], list[list[str]]]


def land(folder: Path, data: Edit | None = None, meta: Edit | None = None, *, name: str = DATA,
         with_meta: bool = True) -> Path:  # fmt: skip
    """The fixture pair written into `folder` (as `name` and its .meta.csv), each file edited as given."""
    path = folder / name
    rows = rows_of((FIXTURE / DATA).read_text(encoding="utf-8"))
    path.write_text(text_of(data(rows) if data else rows), encoding="utf-8")
    if with_meta:
        described = rows_of((FIXTURE / META).read_text(encoding="utf-8"))
        path.with_name(path.stem + ".meta.csv").write_text(text_of(meta(described) if meta else described),
                                                           encoding="utf-8")  # fmt: skip
    return path


def cell(line: int, column: str, text: str) -> Edit:
    """Set one cell of the data file: `line` as the file numbers it (the header is 1)."""

    def edit(rows):
        rows[line - 1][rows[0].index(column)] = text
        return rows

    return edit


def raw(database: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def figure(database: Path, line: int, indicator: str) -> tuple:
    return raw(database, "select value, value__status, value__number, value__decimals from raw.national_statistics "
               "where _row_number = ? and indicator = ?", [line, indicator])[0]  # fmt: skip


# --------------------------------------------------------------------------- the fixture loads


def test_the_fixture_loads_and_raw_holds_what_the_grammar_read(tmp_path):
    database = tmp_path / "w.duckdb"
    path = land(tmp_path)
    [result] = load_paths([path], database, raise_on_reject=False)
    assert (result.status, result.extract, result.rows) == ("loaded", "national_statistics", 126)  # 21 rows x 6
    assert [r[0] for r in raw(database, "describe raw.national_statistics")] == RAW_COLUMNS
    assert [name for name, _ in _raw_names()] == RAW_COLUMNS

    # Rutland 2022 (line 19): the assessment figures are suppressed: c, never a number
    assert figure(database, 19, "assess_45_pct") == ("c", "suppressed", None, None)
    assert figure(database, 19, "assess_45_den") == ("c", "suppressed", None, None)
    # Torbay 2020 (line 10): looked-after figures not available: x
    assert figure(database, 10, "cla_rate") == ("x", "not_available", None, None)
    assert figure(database, 10, "child_pop") == ("25100", "reported", Decimal("25100"), 0)
    # Rutland 2020 (line 8): no assessment within 45 days is a reported zero, not a missing figure
    assert figure(database, 8, "assess_45_num") == ("0", "reported", Decimal("0"), 0)
    assert figure(database, 8, "assess_45_pct") == ("0.0", "reported", Decimal("0"), 1)
    # Derby and Leicester 2022 (lines 15, 16) tie on 85.0% with different denominators
    assert figure(database, 15, "assess_45_pct") == ("85.0", "reported", Decimal("85"), 1)
    assert figure(database, 16, "assess_45_pct") == ("85.0", "reported", Decimal("85"), 1)
    assert figure(database, 16, "assess_45_den") == ("3400", "reported", Decimal("3400"), 0)
    # a symbol never has a number; every other figure is reported
    statuses = raw(database, "select value__status, count(*), count(value__number) from raw.national_statistics "
                   "group by all order by 1")  # fmt: skip
    assert statuses == [("not_available", 2, 0), ("reported", 121, 121), ("suppressed", 3, 0)]

    # geography, period, filters and metadata as read, for one row of each level
    got = raw(database, "select geographic_level, region_code, new_la_code__code, old_la_code, la_name, filters, "
              "time_period, time_period__end_year, time_identifier__code, indicator__code, indicator_unit, "
              "indicator_dp__number, _sheet from raw.national_statistics "
              "where indicator = 'assess_45_pct' and _row_number in (2, 13, 17) order by _row_number")  # fmt: skip
    assert got == [
        ("National", None, None, None, None, "characteristic=Total", "2020", 2020, "Reporting year", "assess_45_pct",
         "%", 1, None),
        ("Regional", "E12000004", None, None, None, "characteristic=Total", "2022", 2022, "Reporting year",
         "assess_45_pct", "%", 1, None),
        ("Local authority", "E12000004", "E06000061", "940", "North Northamptonshire", "characteristic=Total",
         "2022", 2022, "Reporting year", "assess_45_pct", "%", 1, None),
    ]  # fmt: skip
    # Northamptonshire reports for the year ending March 2020, its two successors for March 2022
    authorities = raw(database, "select time_period__end_year, count(distinct new_la_code__code), "
                      "list(distinct new_la_code__code order by new_la_code__code) filter (where new_la_code__code "
                      "like 'E%000021' or new_la_code__code in ('E06000061', 'E06000062')) "
                      "from raw.national_statistics group by 1 order by 1")  # fmt: skip
    assert authorities == [(2020, 7, ["E10000021"]), (2022, 8, ["E06000061", "E06000062"])]
    units = raw(database, "select indicator, any_value(indicator_unit), any_value(indicator_dp__number) "
                "from raw.national_statistics group by 1 order by 1")  # fmt: skip
    assert units == [("assess_45_den", None, 0), ("assess_45_num", None, 0), ("assess_45_pct", "%", 1),
                     ("child_pop", None, 0), ("cla_count", None, 0), ("cla_rate", None, 0)]  # fmt: skip


def _raw_names():
    from scorecard.loader import _raw_columns

    return _raw_columns(CONTRACTS["national_statistics"])


def test_a_file_without_filter_columns_or_optional_geography_loads(tmp_path):
    """No filter column: filters is empty (null in raw). country_name and old_la_code may be left out. A file name
    with a month in it declares no report month here (the contract has none)."""

    def drop(*names):
        def edit(rows):
            keep = [i for i, h in enumerate(rows[0]) if h not in names]
            return [[r[i] for i in keep] for r in rows]

        return edit

    database = tmp_path / "w.duckdb"
    path = land(tmp_path, drop("characteristic", "country_name", "old_la_code"),
                lambda rows: [r for r in rows if r[0] != "characteristic"],
                name="national_statistics_cla_2022-03.csv")  # fmt: skip
    assert [r.status for r in load_paths([path], database)] == ["loaded"]
    assert raw(database, "select count(*), count(filters), count(country_name), count(old_la_code) "
               "from raw.national_statistics") == [(126, 0, 0, 0)]  # fmt: skip


# --------------------------------------------------------------------------- refused whole


def drop_column(name: str) -> Edit:
    return lambda rows: [[c for h, c in zip(rows[0], r, strict=True) if h != name] for r in rows]


def add_column(name: str, text: str) -> Edit:
    return lambda rows: [[*rows[0], name]] + [[*r, text] for r in rows[1:]]


def both(*edits: Edit) -> Edit:
    def edit(rows):
        for e in edits:
            rows = e(rows)
        return rows

    return edit


def meta_row(name: str, column: str, text: str) -> Edit:
    def edit(rows):
        row = next(r for r in rows if r[0] == name)
        row[rows[0].index(column)] = text
        return rows

    return edit


LA = "must be blank on a National row (it is not about one region or local authority)"
CASES = {
    # a figure as councils print it, not as the published layout does
    "thousands separator": (dict(data=cell(5, "cla_count", "1,234")),
                            (DATA, 5, "cla_count", "1,234",
                             "a thousands separator: the published layout prints plain numbers")),
    "per cent sign": (dict(data=cell(4, "assess_45_pct", "88.2%")),
                      (DATA, 4, "assess_45_pct", "88.2%",
                       "a per cent sign (the unit is in the metadata file): the published layout prints plain "
                       "numbers")),
    "not a DfE symbol": (dict(data=cell(20, "assess_45_pct", "n/a")),
                         (DATA, 20, "assess_45_pct", "n/a",
                          "not a number or a symbol of seeds/reference/national_statistics_symbols.csv")),
    "years not consecutive": (dict(data=both(cell(21, "time_period", "202325"),
                                             cell(21, "time_identifier", "Financial year"))),
                              (DATA, 21, "time_period", "202325",
                               "not two consecutive years: 25 does not follow 2023 (write 202324)")),
    "two years for a one-year identifier": (dict(data=cell(21, "time_period", "202122")),
                                            (DATA, 21, "time_period", "202122",
                                             "a yyyyyy period, but the time identifier's period_format is yyyy "
                                             "(seeds/reference/national_time_identifiers.csv)")),
    "period after the calendar": (dict(data=cell(9, "time_period", "2099")),
                                  (DATA, 9, "time_period", "2099",
                                   "2099 ends after the calendar (calendar_end in dbt_project.yml)")),
    "time identifier in other case": (dict(data=cell(3, "time_identifier", "reporting year")),
                                      (DATA, 3, "time_identifier", "reporting year",
                                       "unknown code: not in seeds/reference/national_time_identifiers.csv")),
    "unknown geographic level": (dict(data=cell(16, "geographic_level", "Local authority district")),
                                 (DATA, 16, "geographic_level", "Local authority district",
                                  "not one of National, Regional, Local authority (as published)")),
    "unknown GSS code": (dict(data=cell(5, "new_la_code", "E06000999")),
                         (DATA, 5, "new_la_code", "E06000999",
                          "unknown code: not in seeds/reference/authorities.csv")),
    "authority without its code": (dict(data=cell(6, "new_la_code", "")),
                                   (DATA, 6, "new_la_code", None, "required on a Local authority row")),
    "region without its code": (dict(data=cell(13, "region_code", "")),
                                (DATA, 13, "region_code", None, "required on a Regional row")),
    "England with an authority's code": (dict(data=cell(12, "new_la_code", "E06000015")),
                                         (DATA, 12, "new_la_code", "E06000015", LA)),
    "duplicate row": (dict(data=lambda rows: [*rows, list(rows[4])]),
                      (DATA, 23, None, "2020 / Reporting year / Local authority / E12000004 / E06000015 / "
                       "characteristic=Total", f"{GRAIN} (first on row 5)")),
    # the pair of files
    "undescribed column": (dict(data=add_column("cla_rate_2019_method", "1")),
                           (DATA, 1, "cla_rate_2019_method", None, "column not described in the metadata file")),
    "missing geography column": (dict(data=drop_column("la_name")), (DATA, 1, "la_name", None, "missing column")),
    "no metadata file": (dict(with_meta=False), (DATA, None, None, None,
                                                 "no metadata file national_statistics_fixture.meta.csv beside it")),
    "metadata describes a missing column": (dict(meta=lambda rows: [*rows, ["cla_rate_old", "Indicator", "Old", "",
                                                                            "", "0", "", ""]]),
                                            (META, 9, "col_name", "cla_rate_old",
                                             "column described in the metadata file is not in the data file")),
    "col_type neither Filter nor Indicator": (dict(meta=meta_row("cla_rate", "col_type", "Measure")),
                                              (META, 6, "col_type", "Measure", "col_type is not Filter or Indicator")),
    "indicator_dp not whole": (dict(meta=meta_row("assess_45_pct", "indicator_dp", "1.5")),
                               (META, 3, "indicator_dp", "1.5",
                                "not a whole number of decimal places from 0 to 10")),
    "indicator_dp over 10": (dict(meta=meta_row("assess_45_pct", "indicator_dp", "11")),
                             (META, 3, "indicator_dp", "11", "not a whole number of decimal places from 0 to 10")),
    "metadata without indicator_dp": (dict(meta=drop_column("indicator_dp")),
                                      (META, 1, "indicator_dp", None, "missing column in the metadata file (it needs "
                                       "col_name, col_type, label, indicator_unit, indicator_dp)")),
    "personal identifier heading": (dict(data=add_column("child_name", ""), meta=lambda rows: [*rows,
                                        ["child_name", "Filter", "Name", "", "", "", "", ""]]),
                                    (DATA, 1, "child_name", None, "column looks like a personal identifier; the "
                                     "warehouse holds aggregate figures only")),
}  # fmt: skip


@pytest.mark.parametrize(("edits", "expected"), list(CASES.values()), ids=list(CASES))
def test_a_malformed_file_is_refused_whole_with_its_reason(tmp_path, edits, expected):
    database = tmp_path / "w.duckdb"
    path = land(tmp_path, **edits)
    [result] = load_paths([path], database, raise_on_reject=False)
    assert result.status == "rejected"
    # one problem per issue: a figure's geography is every indicator's, reported once
    assert [(p.file, p.row, p.column, p.value or None, p.reason) for p in result.problems] == [expected]
    # nothing loaded; the pair quarantined together beside its rejects report
    assert raw(database, "select count(*) from raw.national_statistics") == [(0,)]
    quarantine = tmp_path / "quarantine"
    named = personal_name(DATA) if "personal" in expected[4] else DATA
    pair = [named] + ([named.removesuffix(".csv") + ".meta.csv"] if edits.get("with_meta", True) else [])
    assert sorted(p.name for p in quarantine.iterdir()) == sorted([*pair, f"{named}.rejects.csv",
                                                                   f"{named}.rejects.txt"])  # fmt: skip
    assert not path.exists() and not path.with_name(META).exists()
    with (quarantine / f"{named}.rejects.csv").open(encoding="utf-8", newline="") as fh:
        [reported] = list(csv.DictReader(fh))
    assert (reported["file"], reported["column"], reported["reason"]) == (expected[0], expected[2] or "", expected[4])


def test_every_problem_in_the_pair_is_reported_at_once(tmp_path):
    database = tmp_path / "w.duckdb"
    path = land(tmp_path, add_column("extra", "1"), meta_row("cla_rate", "col_type", "Measure"))
    [result] = load_paths([path], database, raise_on_reject=False)
    assert [(p.file, p.row, p.column, p.reason) for p in result.problems] == [
        (META, 6, "col_type", "col_type is not Filter or Indicator"),
        (DATA, 1, "extra", "column not described in the metadata file"),
    ]
    bad_values = land(tmp_path, both(cell(5, "cla_count", "1,234"), cell(20, "assess_45_pct", "n/a"),
                                     cell(20, "cla_rate", "95.97.1")))  # fmt: skip
    [result] = load_paths([bad_values], database, raise_on_reject=False)
    assert [(p.row, p.column, p.reason) for p in result.problems] == [
        (5, "cla_count", "a thousands separator: the published layout prints plain numbers"),
        (20, "assess_45_pct", "not a number or a symbol of seeds/reference/national_statistics_symbols.csv"),
        (20, "cla_rate", "more than one decimal point: the published layout prints plain numbers"),
    ]


def test_a_workbook_is_refused_the_layout_is_csv(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "national_statistics_fixture.xlsx"
    workbook = Workbook()
    for row in rows_of((FIXTURE / DATA).read_text(encoding="utf-8")):
        workbook.active.append(row)
    workbook.save(path)
    (tmp_path / "national_statistics_fixture.meta.csv").write_text((FIXTURE / META).read_text(encoding="utf-8"))
    [result] = load_paths([path], tmp_path / "w.duckdb", raise_on_reject=False)
    assert result.status == "rejected"
    assert [p.reason for p in result.problems] == [
        ".xlsx is not read for national_statistics: the layout is read as the DfE publishes it, a .csv beside "
        "its .meta.csv file"
    ]


# --------------------------------------------------------------------------- metadata files, repeats, retraction


def test_a_metadata_file_is_never_an_extract_on_its_own(tmp_path, capsys):
    land(tmp_path)
    orphan = tmp_path / "national_statistics_old.meta.csv"
    orphan.write_text((FIXTURE / META).read_text(encoding="utf-8"), encoding="utf-8")
    files, notes = list_extract_files([tmp_path, tmp_path / META])
    assert [f.name for f in files] == [DATA]
    assert [(n.file.name, n.status, n.messages) for n in notes] == [
        (META, "ignored", [f"metadata of {DATA}"]),
        ("national_statistics_old.meta.csv", "ignored",
         ["metadata of national_statistics_old.csv, which is not here: not read"]),
        (META, "ignored", [f"metadata of {DATA}"]),
    ]  # fmt: skip
    with pytest.raises(ExtractError, match="is not an extract on its own: load its data file national_statistics_fix"):
        contract_for(tmp_path / META)
    assert contract_for(tmp_path / "National_Statistics_cla_2023.csv").name == "national_statistics"
    assert cli_main(["--database", str(tmp_path / "w.duckdb"), "load", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "1 loaded, 0 rejected, 0 skipped, 2 ignored"
    assert f"loaded   national_statistics     126 rows  {DATA}" in out


def test_the_same_file_loaded_twice_is_skipped_and_a_corrected_metadata_file_loads(tmp_path):
    database = tmp_path / "w.duckdb"
    path = land(tmp_path)
    assert [r.status for r in load_paths([path], database)] == ["loaded"]
    again = load_paths([path], database)
    assert [(r.status, r.messages) for r in again] == [("skipped", ["identical file already loaded"])]
    # the same figures saved again (Windows line endings, another name): the same content is not loaded twice
    copy = land(tmp_path, name="national_statistics_fixture_copy.csv")
    copy.write_bytes(copy.read_bytes().replace(b"\n", b"\r\n"))
    assert [(r.status, r.messages) for r in load_paths([copy], database)] == [
        ("skipped", [f"same figures as {DATA}, already loaded: nothing new"])
    ]
    assert raw(database, "select count(*) from raw.national_statistics") == [(126,)]
    # the same data beside a corrected metadata file is a new load: the pair is what is loaded
    land(tmp_path, meta=meta_row("cla_rate", "indicator_dp", "1"))
    assert [r.status for r in load_paths([path], database)] == ["loaded"]
    assert raw(database, "select _row_number, indicator_dp__number from raw.national_statistics "
               "where indicator = 'cla_rate' and _row_number = 2 order by 2") == [(2, 0), (2, 1)]  # fmt: skip


def test_a_load_is_retracted_with_no_council_or_month(tmp_path, capsys):
    database = tmp_path / "w.duckdb"
    path = land(tmp_path)
    assert [r.status for r in load_paths([path], database)] == ["loaded"]
    code = cli_main(["--database", str(database), "retract", DATA, "--reason", "published figures revised"])
    assert code == 0
    assert f"{DATA} (" in capsys.readouterr().out
    retraction = raw(database, "select source_file, extract, organisation_code, reported_in, row_count, reason "
                     "from raw.retractions")  # fmt: skip
    assert retraction == [(DATA, "national_statistics", None, None, 126, "published figures revised")]
    assert cli_main(["--database", str(database), "loads"]) == 0
    listed = capsys.readouterr().out
    assert f"national_statistics     126 rows  {DATA}  RETRACTED: published figures revised" in listed
    [again] = load_paths([path], database)
    assert again.status == "skipped" and "was retracted" in again.messages[0]
    assert raw(database, "select count(*) from raw.national_statistics") == [(126,)]  # history kept


def test_a_metadata_file_still_being_written_holds_its_data_file_back(tmp_path):
    database = tmp_path / "w.duckdb"
    path = land(tmp_path)
    meta = tmp_path / META

    def keep_writing():
        for _ in range(10):
            with meta.open("a", encoding="utf-8") as fh:  # a metadata file still being copied in
                fh.write(" ")
            time.sleep(0.02)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    [result] = load_paths([path], database, settle=0.1, raise_on_reject=False)
    writer.join()
    assert result.status == "rejected"
    assert result.problems[0].reason.startswith(f"its metadata file {META} is still being written")
    assert path.exists() and meta.exists()  # not moved: it is checked again when it settles


# --------------------------------------------------------------------------- the grammar


@pytest.mark.parametrize(
    ("text", "status", "number", "decimals"),
    [
        ("82.3", "reported", "82.3", 1),
        ("-1.5", "reported", "-1.5", 1),
        ("1200", "reported", "1200", 0),
        (" 0 ", "reported", "0", 0),
        ("-0", "reported", "0", 0),
        ("007", "reported", "7", 0),
        ("12.345678", "reported", "12.3457", 4),  # held to 4 places, as every figure
        ("99999999999999.9999", "reported", "99999999999999.9999", 4),
        ("", "blank", None, None),
        ("   ", "blank", None, None),
        ("c", "suppressed", None, None),
        ("[C]", "suppressed", None, None),
        (" low ", "rounds_to_zero", None, None),
        ("x", "not_available", None, None),
        (":", "not_available", None, None),
        ("..", "not_available", None, None),
        ("z", "not_applicable", None, None),
        (".", "not_applicable", None, None),
        ("u", "low_reliability", None, None),
    ],
)
def test_read_statistic_reads_plain_numbers_and_symbols(text, status, number, decimals):
    got = v.read_statistic(text, SYMBOLS)
    assert (got.status, got.number, got.decimals) == (status, None if number is None else Decimal(number), decimals)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,234", "a thousands separator: the published layout prints plain numbers"),
        ("12,5", "a decimal comma: the published layout prints plain numbers with a decimal point (e.g. 12.5)"),
        ("£1200", "a pound sign (the unit is in the metadata file): the published layout prints plain numbers"),
        ("(5)", "brackets (a negative is printed with a leading -): the published layout prints plain numbers"),
        ("+5", "a plus sign: the published layout prints plain numbers"),
        ("\u22125", "a minus sign that is not - (U+2212): the published layout prints plain numbers"),
        ("1 234", "a space inside the number: the published layout prints plain numbers"),
        ("1e3", "an exponent: the published layout prints plain numbers in full"),
        (".5", "no digit before the decimal point: the published layout prints plain numbers (0.5, not .5)"),
        ("5.", "a decimal point with no digits after it: the published layout prints plain numbers"),
        ("12*", "text beside the number: the published layout prints plain numbers (a figure not given is a "
                "symbol of national_statistics_symbols.csv)"),
        ("#N/A", "an Excel error value: the published layout prints a number or a symbol (c, x, z ...)"),
        ("n/a", "not a number or a symbol of seeds/reference/national_statistics_symbols.csv"),
        ("-", "not a number or a symbol of seeds/reference/national_statistics_symbols.csv"),
        ("100000000000000", "more than 14 digits before the point: the marts hold figures up to "
                            "99,999,999,999,999.9999"),
        ("0.00001", "a figure that is not zero but rounds to 0 at 4 decimal places: the warehouse holds figures to "
                    "4 places (the published layout prints low)"),
    ],
)  # fmt: skip
def test_read_statistic_refuses_what_the_layout_does_not_print(text, reason):
    with pytest.raises(v.Unreadable) as refused:
        v.read_statistic(text, SYMBOLS)
    assert refused.value.reason == reason


@given(st.integers(min_value=0, max_value=4), st.data())
def test_a_plain_number_reads_back_exactly(places, data):
    """Any number the marts hold (14 digits before the point, up to 4 after), written plainly, reads back exactly."""
    limit = 10 ** (v.NUMBER_DIGITS + places)
    number = Decimal(data.draw(st.integers(min_value=-limit + 1, max_value=limit - 1))).scaleb(-places)
    text = format(number, "f")
    got = v.read_statistic(text, SYMBOLS)
    assert (got.status, got.number, got.decimals) == ("reported", number, places)


@given(st.sampled_from(sorted(SYMBOLS)), st.sampled_from(["", " ", "\t"]), st.booleans())
def test_a_symbol_never_reads_as_a_number(symbol, space, upper):
    text = f"{space}{symbol.upper() if upper else symbol}{space}"
    got = v.read_statistic(text, SYMBOLS)
    assert got.status == SYMBOLS[symbol] and got.status != "reported"
    assert got.number is None and got.decimals is None


@given(st.text(max_size=12))
def test_only_a_plain_number_reads_as_one(text):
    try:
        got = v.read_statistic(text, SYMBOLS)
    except v.Unreadable:
        return
    if got.status == "reported":
        assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text.strip())
    else:
        assert got.number is None


@pytest.mark.parametrize(
    ("text", "period_format", "end_year"),
    [("2023", "yyyy", 2023), ("202324", "yyyyyy", 2024), ("199900", None, 2000), ("2020", None, 2020)],
)
def test_a_time_period_reads_to_the_year_it_ends_in(text, period_format, end_year):
    assert v.read_time_period(text, period_format) == end_year


@pytest.mark.parametrize(
    ("text", "period_format", "reason"),
    [
        ("202325", None, "not two consecutive years: 25 does not follow 2023 (write 202324)"),
        ("2023/24", None, "not a time period: a year (2023) or two consecutive years (202324)"),
        ("23", None, "not a time period: a year (2023) or two consecutive years (202324)"),
        ("2023", "yyyyyy", "a yyyy period, but the time identifier's period_format is yyyyyy "
                           "(seeds/reference/national_time_identifiers.csv)"),
        ("0999", None, "999 is not a plausible year"),
    ],
)  # fmt: skip
def test_a_time_period_that_is_not_one_is_refused(text, period_format, reason):
    with pytest.raises(v.Unreadable) as refused:
        v.read_time_period(text, period_format)
    assert refused.value.reason == reason


# --------------------------------------------------------------------------- the synthetic national files


def test_the_synthetic_national_files_load_through_the_loader(tmp_path, monkeypatch):
    from scorecard.synth import council_gss_codes, generate

    out = tmp_path / "synth"
    summary = generate(out, councils=2, months=12, seed=11)
    monkeypatch.setenv("SCORECARD_REFERENCE_DIR", str(out / "seeds" / "reference"))
    national = out / "landing" / "national"
    assert summary.national_files == 10
    assert sorted(p.name for p in national.iterdir())[:2] == [
        "national_statistics_synthetic_2017.csv", "national_statistics_synthetic_2017.meta.csv"]  # fmt: skip
    first = (national / "national_statistics_synthetic_2020.csv").read_bytes()
    generate(tmp_path / "again", councils=2, months=12, seed=11)
    again = tmp_path / "again" / "landing" / "national" / "national_statistics_synthetic_2020.csv"
    assert again.read_bytes() == first
    # two years' files: the year before and after Northamptonshire was replaced (31 March 2021)
    picked = [national / "national_statistics_synthetic_2021.csv", national / "national_statistics_synthetic_2022.csv"]
    database = tmp_path / "w.duckdb"
    results = load_paths(picked, database)
    assert [r.status for r in results] == ["loaded", "loaded"]
    got = raw(database, "select time_period__end_year, count(distinct new_la_code) filter (where geographic_level = "
              "'Local authority'), count(distinct region_code) filter (where geographic_level = 'Regional'), "
              "count(*) filter (where new_la_code = 'E10000021'), count(*) filter (where new_la_code = 'E06000061'), "
              "count(*) filter (where value__status = 'suppressed') > 0, count(*) filter (where value = 'x') > 0 "
              "from raw.national_statistics group by 1 order by 1")  # fmt: skip
    per_row = sum(1 for _ in next(csv.reader(picked[0].open(encoding="utf-8")))) - 10  # indicator columns
    assert [g[:3] for g in got] == [(2021, 151, 9), (2022, 152, 9)]
    assert [g[3:5] for g in got] == [(per_row, 0), (0, per_row)]
    assert all(g[5] and g[6] for g in got)
    with (out / "seeds" / "reference" / "organisations.csv").open(encoding="utf-8") as fh:
        given = {r["organisation_code"]: r["gss_code"] for r in csv.DictReader(fh)}
    assert {code: gss for code, gss in given.items() if re.fullmatch(r"S[0-9]{3}", code)} == {
        "S001": "E06000001", "S002": "E06000002"}  # fmt: skip
    assert council_gss_codes(2) == ["E06000001", "E06000002"]
    with (out / "seeds" / "reference" / "statistical_neighbours.csv").open(encoding="utf-8") as fh:
        neighbours = list(csv.DictReader(fh))
    assert len(neighbours) == 153 * 10 and {r["neighbour_rank"] for r in neighbours} == {str(i) for i in range(1, 11)}
    with (out / "seeds" / "reference" / "national_statistics_columns.csv").open(encoding="utf-8") as fh:
        mapping = list(csv.DictReader(fh))
    columns = set(next(csv.reader(picked[0].open(encoding="utf-8")))[10:])
    assert {r["indicator_column"] for r in mapping} == columns
    assert {r["filters"] for r in mapping} == {"characteristic=Total"}
    assert {(r["national_code"], r["role"]) for r in mapping if r["indicator_column"] == "cla_rate"} == {
        ("cla_rate_per_10000", "value")}  # fmt: skip
