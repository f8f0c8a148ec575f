"""One grammar, proved: what the loader accepts always builds and reads to the values it checked.

Hypothesis generates printed figures and periods, valid and invalid: grammar
productions (signs, brackets, £, grouped digits, decimals, scales, %, ratios,
qualifiers, placeholders; months, quarters, financial years) and the near misses
councils really send (spaces or dots between thousands, decimal commas,
exponents, double signs, misspelt months, impossible months, years outside the
calendar), and arbitrary text.

- Fast properties run on hundreds of examples: the grammar never raises, a
  number it reads is exact to 4 places within decimal(18, 4), and the loader's
  verdict on a value is the grammar's.
- The end-to-end property lands each generated value as a file of its own,
  builds the warehouse with dbt and checks that the build passes, that every
  accepted file's figure reached the marts with the number, status and month the
  loader read, and that every refused file left no trace.
"""

from __future__ import annotations

import calendar
import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard import values as v
from scorecard.contracts import CONTRACTS
from scorecard.loader import load_paths, read_value
from tests.conftest import NO_UNIT_TESTS, run_dbt

IV = CONTRACTS["indicator_values"]
VALUE = IV.columns[IV.column_names.index("value")]
PERIOD = IV.columns[IV.column_names.index("period")]
# SD004 indicators of each unit the grammar treats differently.
INDICATORS = {"FD 3": "percentage", "CP 10": "count", "W 1": "average", "AD 7": "days"}
MONTH_WORDS = (
    [m for m in calendar.month_abbr if m] + [m for m in calendar.month_name if m] + ["Sept", "Janu", "Sepember"]
)

# ------------------------------------------------------------------ strategies


@st.composite
def number_bodies(draw) -> str:
    """Digits as printed: plain, grouped with `,` or with a wrong separator, with or without decimals."""
    whole = draw(st.integers(0, 10**16))
    separator = draw(st.sampled_from(["", "", ",", ",", " ", "\u00a0", ".", "'"]))
    body = f"{whole:,}".replace(",", separator) if separator else str(whole)
    if draw(st.booleans()):
        point = draw(st.sampled_from([".", ".", ".", ","]))
        body += point + str(draw(st.integers(0, 99999)))
    if draw(st.integers(0, 9)) == 0:
        body += draw(st.sampled_from(["e3", "E-2", "e+1"]))
    return body


@st.composite
def printed_figures(draw) -> str:
    """A printed figure from the grammar's parts, often a near miss of it."""
    sign = draw(st.sampled_from(["", "", "", "-", "+", "\u2212", "(", "(-", "--"]))
    currency = draw(st.sampled_from(["", "", "", "£"]))
    body = draw(number_bodies())
    scale = draw(st.sampled_from(["", "", "", "", "k", "K", "m", "M", "bn"]))
    percent = draw(st.sampled_from(["", "", "%"]))
    close = ")" if sign.startswith("(") and draw(st.integers(0, 4)) else ""
    tail = draw(st.sampled_from(["", "", "", " ¹", " (6m+)", " (395/1221)", " (1,395/1,221)", "***", "x", " 12"]))
    return f"{sign}{currency}{body}{scale}{percent}{close}{tail}"


figures = st.one_of(
    printed_figures(),
    st.sampled_from(["-", "\u2013", "New", "NA", "c", "[x]", "<5", "*", "tbc", "", "  ", "Under development", "n.k."]),
    st.text(max_size=8),
)


@st.composite
def printed_periods(draw) -> str:
    kind = draw(st.sampled_from(["month", "month", "iso", "year", "quarter", "text"]))
    year = draw(st.integers(1995, 2045))
    if kind == "month":
        word = draw(st.sampled_from(MONTH_WORDS))
        shown = draw(st.sampled_from([f"{year % 100:02d}", str(year)]))
        return f"{word}{draw(st.sampled_from(['-', ' ', '']))}{shown}"
    if kind == "iso":
        return f"{year}-{draw(st.integers(0, 14)):02d}"
    if kind == "year":
        end = (year + draw(st.sampled_from([1, 1, 1, 2, 0]))) % 100
        return f"{year}{draw(st.sampled_from(['/', '-']))}{end:02d}"
    if kind == "quarter":
        return f"Q{draw(st.integers(0, 5))} {year}/{(year + draw(st.sampled_from([1, 1, 2]))) % 100:02d}"
    return draw(st.text(max_size=10))


# ------------------------------------------------------------------ fast properties

REF = v.Reference.load()


def loader_reads(text: str, unit_of: str = "FD 3") -> list | str:
    """What the loader's own check reads from a value: typed values, or the reason it refuses."""
    vals = {"organisation_code": "SD004", "indicator_code": unit_of, "value": text}  # SD004's indicators
    try:
        return read_value(IV, VALUE, text, vals, REF)
    except v.Unreadable as exc:
        return exc.reason


@settings(max_examples=600, deadline=None)
@given(text=figures, code=st.sampled_from(sorted(INDICATORS)))
def test_a_figure_is_read_exactly_or_refused_with_a_reason(text, code):
    unit = REF.units[INDICATORS[code]]
    fig = v.parse_figure(text, REF.placeholders, unit)  # never raises
    read = loader_reads(text, code)
    if fig.status == "unparseable":
        assert isinstance(read, str) and read == fig.reason and read
        return
    if isinstance(read, str):  # accepted by the grammar, refused by the unit's bounds: a reason, never a number
        assert read.startswith(("negative", "percentage outside", "a count", "numerator above", "below", "above"))
        return
    status, number = read[0], read[1]
    assert status == fig.status
    if number is None:
        assert status != "reported"
        return
    assert isinstance(number, Decimal) and number == fig.number
    assert abs(number) < v.NUMBER_LIMIT and number == round(number, v.NUMBER_PLACES)
    # what the loader writes is what DuckDB's decimal(18, 4) column holds, digit for digit
    held = duckdb.sql(f"select cast('{number:f}' as decimal(18, 4)) as n").fetchone()[0]
    assert held == number


@settings(max_examples=600, deadline=None)
@given(text=printed_periods())
def test_a_period_is_read_to_a_calendar_month_or_refused_with_a_reason(text):
    vals = {"period": text}
    try:
        month, period_type = read_value(IV, PERIOD, text, vals, REF)
    except v.Unreadable as exc:
        assert exc.reason
        parsed = v.parse_period(text)
        first, last = v.calendar_range()
        assert parsed is None or not first <= parsed[0] <= last
        assert parsed is None or "outside the calendar" in exc.reason
        return
    if not text.strip():  # blank: the loader refuses it as a required value, not as a period
        assert (month, period_type) == (None, None)
        return
    first, last = v.calendar_range()
    assert first <= month <= last and month.day == 1
    assert (month, period_type) == v.parse_period(text)


# ------------------------------------------------------------------ end to end

HEADER = ",".join(IV.expected_column_names)  # the optional columns (arrow, quartile ...) are left out
REPORTED = "Mar-36"  # the calendar's last month: every period in the calendar is on or before it


def write_case(folder: Path, i: int, code: str, period: str, value: str) -> Path:
    path = folder / f"indicator_values_SD004_2036-03_case{i:03d}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(IV.expected_column_names)
        writer.writerow(["SD004", code, period, value, "", "", "", "", REPORTED, ""])
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory, warehouse) -> Path:
    """A copy of the sample warehouse, already built, to land generated files into."""
    return warehouse


SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


@pytest.mark.slow  # builds the sample warehouse: left out of `make test-fast`
@settings(max_examples=3, deadline=None, suppress_health_check=SLOW)
@given(
    cases=st.lists(st.tuples(st.sampled_from(sorted(INDICATORS)), printed_periods(), figures), min_size=30, max_size=45)
)
def test_what_the_loader_accepts_builds_and_reaches_the_marts_as_read(cases, built, tmp_path_factory):
    work = tmp_path_factory.mktemp("property")
    database = work / "warehouse.duckdb"
    shutil.copyfile(built, database)
    landing = work / "landing"
    landing.mkdir()
    expected: dict[tuple[str, date], tuple] = {}
    refused: list[Path] = []
    files = []
    # one case known to load and one known to be refused, so neither half of the property is empty
    cases = [("W 1", "September-17", "17.5 ¹"), ("CP 10", "Janu-18", "1 234"), *cases]
    for i, (code, period, value) in enumerate(cases):
        files.append((write_case(landing, i, code, period, value), code, period, value))
    results = {
        r.file.name: r
        for r in load_paths(
            [f for f, *_ in files], database, settle=0, raise_on_reject=False, quarantine=work / "quarantine"
        )
    }
    for path, code, period, value in files:
        result = results[path.name]
        parsed_period = v.parse_period(period.strip())
        accepted_by_grammar = (
            parsed_period is not None
            and v.calendar_range()[0] <= parsed_period[0] <= v.calendar_range()[1]
            and not isinstance(loader_reads(value, code), str)
        )
        if result.status == "skipped":  # the same figures as an earlier case: nothing new
            continue
        assert (result.status == "loaded") == accepted_by_grammar, (period, value, result.problems)
        if result.status != "loaded":
            refused.append(path)
            continue
        key = (code, parsed_period[0])
        status, number = loader_reads(value, code)[:2]
        # two files of one load for the same month: the file whose name sorts last is the latest version
        expected[key] = (status, number, parsed_period[1])
    assert ("W 1", date(2017, 9, 1)) in expected and refused
    build = run_dbt(["build", "--select", "source:extracts+", *NO_UNIT_TESTS], database, work)
    assert build.returncode == 0, build.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as con:
        for (code, month), (status, number, period_type) in expected.items():
            row = con.execute(
                "select value_status, value, period_type from marts.fct_indicator_period "
                "where organisation_code = 'SD004' and indicator_code = ? and period_month = ?",
                [code, month],
            ).fetchone()
            assert row == (status, number, period_type), (code, month)
        names = [p.name for p in refused]
        if names:
            leaked = con.execute(
                f"select count(*) from raw.indicator_values where _source_file in ({', '.join('?' for _ in names)})",
                names,
            ).fetchone()[0]
            assert leaked == 0
