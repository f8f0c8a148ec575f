"""Check extract files and load them into append-only raw tables in DuckDB.

A file is checked whole before anything is written: its columns against the
extract's contract, every value against the column's kind and the reference
seeds, the grain for duplicates, and every row's period against the month the
file declares. A file with any problem is refused whole: nothing is loaded, the
file moves to the quarantine folder beside a rejects report (CSV and text) that
names file, sheet, row, column, value and reason. A file whose content is
already loaded is skipped. Checked files are written in batches, each batch in
one transaction, so a failure never leaves part of a file loaded. Raw tables
are append-only: a restated figure is a new row, and the marts choose the
latest version.

A national statistics file (the DfE's published layout) is a pair: the data
CSV and its `<stem>.meta.csv` beside it, read, checked, hashed and quarantined
together (scorecard.readers.read_national_statistics); the metadata file is
never loaded on its own. Its rows have no council and no report month.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import re
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from scorecard import values as v
from scorecard.contracts import (
    CONTRACTS,
    METADATA_COLUMNS,
    NATIONAL_CONTRACT,
    NATIONAL_METADATA_SUFFIX,
    RETRACTION_COLUMNS,
    RETRACTIONS_TABLE,
    Column,
    ExtractContract,
)
from scorecard.personal_data import find_personal_data, personal_name, purge_expired, restrict_to_owner, retention_days
from scorecard.postgres import POSTGRES_ERRORS, PostgresError, pg_type
from scorecard.postgres import Connection as PostgresConnection
from scorecard.readers import (
    FileProblem,
    Row,
    Table,
    data_file_of,
    find_tables,
    is_metadata_file,
    metadata_path,
    read_grids,
    read_national_statistics,
)
from scorecard.settings import (
    SAMPLE_DATA_DIR,
    landing_dir,
    lock_wait_seconds,
    quarantine_dir,
    raw_schema,
    settle_seconds,
    spark_raw_dir,
    warehouse_path,
    warehouse_target,
)
from scorecard.spark import Connection as SparkConnection
from scorecard.spark import SparkRawError

EXTRACT_SUFFIXES = (".csv", ".xlsx", ".xlsm")
_LINE_BREAKS = re.compile(r"\r\n?")
# Checked files are written in batches of about this many rows, one transaction per batch.
BATCH_ROWS = 200_000


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        value = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{', '.join(where)}: {self.reason}{value}"


class ExtractError(ValueError):
    """A file that breaks its extract contract; `problems` lists every problem found."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path, self.problems = path, problems
        first = problems[0]
        self.file, self.row, self.column, self.reason = path, first.row, first.column, first.reason
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"{path}: {str(first).split(': ', 1)[1]}{more}")


@dataclass
class LoadResult:
    file: Path
    extract: str
    # 'loaded', 'skipped', 'valid' (dry run), 'rejected', 'missing' (no such path) or 'ignored' (not an extract
    # file, a subfolder, a link leading out); 'pending' while its batch is written
    status: str
    rows: int = 0
    sha256: str = ""
    messages: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    report: Path | None = None
    content_sha256: str = ""


# --------------------------------------------------------------------------- schema


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, schema: str | None = None) -> None:
    """Create the raw schema, one table per extract contract and the retractions table if missing.

    A raw table from before the loader wrote typed columns gets them added and
    filled from its text by the same grammar (a value the grammar now refuses is
    kept with status 'unparseable', which fails the build: retract that file).
    """
    schema = schema or raw_schema()
    if _on_spark(con):  # its raw tables are the Parquet folders, made as the connection opens
        return
    con.execute(f'create schema if not exists "{schema}"')
    for contract in CONTRACTS.values():
        columns = _raw_columns(contract)
        cols = ", ".join(f'"{name}" {_sql_type(con, dtype)}' for name, dtype in columns)
        con.execute(f'create table if not exists "{schema}"."{contract.table}" ({cols})')
        existing = {r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, contract.table]).fetchall()}  # fmt: skip
        missing = [(name, dtype) for name, dtype in columns if name not in existing]
        if missing and _on_postgres(con):
            names = ", ".join(name for name, _ in missing)
            raise LoadError(
                f'raw table "{schema}"."{contract.table}" lacks the columns {names}: a raw table from '
                "before typed columns cannot be filled on PostgreSQL; load its files again into a new one"
            )
        if missing:
            for name, dtype in missing:
                con.execute(f'alter table "{schema}"."{contract.table}" add column "{name}" {dtype}')
            _backfill(con, schema, contract)
    cols = ", ".join(f'"{name}" {_sql_type(con, dtype)}' for name, dtype, _ in RETRACTION_COLUMNS)
    con.execute(f'create table if not exists "{schema}"."{RETRACTIONS_TABLE}" ({cols})')


def _backfill(con, schema: str, contract: ExtractContract) -> None:
    """Fill the typed columns and content hashes of rows loaded before they existed, from their text."""
    names = contract.column_names
    quoted = ", ".join(f'"{n}"' for n in names)
    rows = con.execute(f'select rowid, _file_sha256, {quoted} from "{schema}"."{contract.table}"').fetchall()
    if not rows:
        return
    ref = v.Reference.load()
    by_file: dict[str, list[tuple]] = {}
    for _, sha, *texts in rows:
        by_file.setdefault(sha, []).append(tuple(t or "" for t in texts))
    content = {sha: hashlib.sha256(repr((contract.name, sorted(r))).encode()).hexdigest() for sha, r in by_file.items()}
    parsed_cols = [name for name, _, _ in contract.parsed_columns]
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "backfill.csv"
        with staging.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
            for rowid, sha, *texts in rows:
                vals = dict(zip(names, (t or "" for t in texts), strict=True))
                typed: list = []
                for col in contract.columns:
                    width = len([1 for n in parsed_cols if n.startswith(col.name + "__")])
                    try:
                        typed += read_value(contract, col, vals[col.name], vals, ref)
                    except v.Unreadable:
                        typed += (
                            ["unparseable", *[None] * (width - 1)]
                            if col.kind in ("figure", "money", "statistic")
                            else ([None] * width)
                        )
                writer.writerow([rowid, content[sha], *map(_sql_text, typed)])
        types = {n: d for n, d, _ in contract.parsed_columns}
        columns = ["rid", "content", *parsed_cols]
        spec = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
        sets = ", ".join(
            ['"_content_sha256" = b.content'] + [f'"{c}" = {_typed(f"b.{c}", types[c])}' for c in parsed_cols]
        )
        con.execute(
            f'update "{schema}"."{contract.table}" as t set {sets} '
            "from read_csv(?, header = false, all_varchar = true, "
            f"auto_detect = false, quote = '\"', escape = '\"', columns = {{{spec}}}) as b "
            "where t.rowid = cast(b.rid as bigint)",
            [str(staging)],
        )


def contract_for(path: Path) -> ExtractContract:
    """The contract a file belongs to, from its name: `<extract>[_anything].<csv|xlsx>`.

    A metadata file (`*.meta.csv`) belongs to the data file beside it and is never an extract on its own.
    """
    if is_metadata_file(path):
        raise ExtractError(path, [Problem(path.name, None, None, None, None,
                                          f"a metadata file ({NATIONAL_METADATA_SUFFIX}) is not an extract on its "
                                          f"own: load its data file {data_file_of(path).name}")])  # fmt: skip
    stem = path.stem.lower()
    for name in sorted(CONTRACTS, key=len, reverse=True):
        if stem == name or stem.startswith((name + "_", name + "-")):
            return CONTRACTS[name]
    known = ", ".join(sorted(CONTRACTS))
    raise ExtractError(path, [Problem(path.name, None, None, None, None,
                                      f"file name does not name an extract type ({known})")])  # fmt: skip


# --------------------------------------------------------------------------- checks

_SEED_OF = {
    "organisations": "organisations",
    "indicators": "indicators",
    "workforce_measures": "workforce_measures",
    "services": "service_hierarchy",
    "authorities": "authorities",
    "time_identifiers": "national_time_identifiers",
    "pack_sections": "pack_sections",
}
# Codes that belong to a council: checked as (organisation_code, code) pairs, so two
# councils may both use CP 1 for different indicators.
COUNCIL_CODES = ("indicators", "services", "workforce_measures")


def _unit_of(contract: ExtractContract, col: Column, vals: dict[str, str], ref: v.Reference) -> v.Unit | None:
    """The unit a figure is in: the column's own (money), or its indicator's or staffing measure's."""
    if col.unit:
        name = col.unit
    elif contract.name == "indicator_values":
        name = ref.indicator_units.get(
            (vals.get("organisation_code", "").strip(), vals.get("indicator_code", "").strip())
        )
    elif contract.name == "workforce":
        name = ref.measure_units.get((vals.get("organisation_code", "").strip(), vals.get("measure_code", "").strip()))
    else:
        return None
    return ref.units.get(name) if name else None


def _printed_unit(col: Column, vals: dict[str, str], ref: v.Reference) -> v.Unit | None:
    """The unit a money amount without a scale is printed in: the council's budget_unit, if it names one."""
    if col.kind != "money":
        return None
    name = ref.budget_units.get(vals.get("organisation_code", "").strip())
    return ref.units.get(name) if name else None


def _in_bounds(fig: v.Figure, unit: v.Unit | None, col: Column) -> None:
    """Refuse a number its unit or column cannot hold (seeds/reference/units.csv; the contract's minimum)."""
    number = fig.number
    if unit is not None:
        low, high = unit.min_value, unit.max_value
        if low is not None and high is not None and not low <= number <= high:
            raise v.Unreadable(f"{unit.name} outside {low:f}-{high:f}".replace(".0000", ""))
        if low is not None and number < low:
            raise v.Unreadable(
                f"negative value for a {unit.name} measure" if low == 0 else f"below {low} ({unit.name})"
            )
        if high is not None and number > high:
            raise v.Unreadable(f"above {high} ({unit.name})")
        if unit.whole_number and number != number.to_integral_value():
            raise v.Unreadable(f"a {unit.name} must be a whole number")
    if col.min_value is not None and number < col.min_value:
        raise v.Unreadable(f"below the minimum {col.min_value:g}")
    if fig.numerator is not None and fig.denominator is not None and fig.numerator > fig.denominator:
        raise v.Unreadable("numerator above denominator")


def read_value(contract: ExtractContract, col: Column, text: str, vals: dict[str, str], ref: v.Reference) -> list:
    """What the grammar reads from one printed value: the typed values for `col`'s parsed columns.

    Raises Unreadable with the reason when the value is refused. This is the only
    place a printed value becomes a typed one: the loader's checks and the raw
    columns staging reads both come from it.
    """
    stripped = text.strip()
    kind = col.kind
    if kind == "code":
        return [stripped or None]
    if kind in ("rag", "polarity", "direction"):
        return [stripped.lower() or None]
    if kind == "flag":
        return [v.read_flag(stripped)]
    if kind == "quartile":
        return [v.read_quartile(stripped)]
    if kind == "target":
        return [v.parse_target(stripped)]
    if kind == "choice":
        if stripped and stripped not in col.choices:
            exactly = "as published" if contract.name == NATIONAL_CONTRACT else "exactly as written"
            raise v.Unreadable(f"not one of {', '.join(col.choices)} ({exactly})")
        return []
    if kind == "places":
        return [v.read_places(stripped)]
    if kind == "time_period":
        if not stripped:
            return [None]
        end_year = v.read_time_period(stripped, ref.time_identifiers.get(vals.get("time_identifier", "").strip()))
        if end_year > v.calendar_range()[1].year:
            raise v.Unreadable(f"{stripped} ends after the calendar (calendar_end in dbt_project.yml)")
        return [end_year]
    if kind == "statistic":
        stat = v.read_statistic(stripped, ref.statistic_symbols)
        return [stat.status, stat.number, stat.decimals]
    if kind in ("period", "month"):
        if not stripped:
            return [None, None] if kind == "period" else [None]
        month, period_type = v.read_period(stripped) if kind == "period" else (v.read_month(stripped), "month")
        if col.in_calendar:
            v.in_calendar(month)
        elif not date(1900, 1, 1) <= month <= v.calendar_range()[1]:
            raise v.Unreadable(f"{v.month_label(month)} is not a plausible month")
        return [month, period_type] if kind == "period" else [month]
    if kind in ("figure", "money", "score"):
        unit = _unit_of(contract, col, vals, ref)
        fig = v.parse_figure(stripped, ref.placeholders, unit, _printed_unit(col, vals, ref))
        if fig.status == "unparseable":
            raise v.Unreadable(fig.reason if kind == "figure" else f"not a number: {fig.reason}")
        if kind in ("money", "score") and fig.status not in ("reported", "blank", "not_available"):
            raise v.Unreadable("not a number")
        if fig.number is not None:
            if kind == "money" and (fig.qualifier or fig.numerator is not None):
                raise v.Unreadable(f"text after the amount ({stripped}): put it in the notes column")
            plain = not (fig.percent_sign or fig.currency or fig.scale or fig.qualifier or fig.numerator is not None)
            if kind == "score" and (not plain or fig.number != int(fig.number) or not 1 <= fig.number <= 25):
                raise v.Unreadable("risk score must be a whole number from 1 to 25")
            _in_bounds(fig, unit, col)
        if kind == "score":
            return [int(fig.number) if fig.number is not None else None]
        if kind == "money":
            return [fig.status, fig.number, fig.decimals if fig.number is not None else None]
        return [fig.status, fig.number, fig.decimals, fig.numerator, fig.denominator,
                fig.qualifier if fig.number is not None else None]  # fmt: skip
    return []


def _check_rows(path: Path, contract: ExtractContract, tables: list[Table]) -> tuple[list[Problem], list[list]]:
    """Every problem in the file's rows, and (when there are none) each row's typed values in table order."""
    problems: list[Problem] = []
    parsed_rows: list[list] = []
    ref = v.Reference.load()
    codes = ref.codes
    rags, polarities = ref.rag_codes, ref.polarity_codes
    declared_month = v.file_month(path)
    declared_column = contract.report_month_column or ""
    if declared_column not in contract.column_names:
        declared_month = None  # no report month in the rows (national statistics): nothing to compare
    free_text = [c.name for c in contract.columns if c.kind in ("text", "target")]
    report_months: set = set()
    seen_keys: dict[tuple, int] = {}
    reported: set[Problem] = set()
    personal: dict[str, str | None] = {}  # a text is checked once, however many rows repeat it

    def add(row: Row, column: str | None, value: str | None, reason: str) -> None:
        source = row.sources.get(column or "", column)
        problem = Problem(path.name, row.sheet, row.row_number, source, value, reason)
        if problem not in reported:  # a melted row's geography is every indicator's: one problem, once
            reported.add(problem)
            problems.append(problem)

    for table in tables:
        for row in table.rows:
            vals = row.values
            parsed: list = []
            for col in contract.columns:
                text = vals.get(col.name, "")
                stripped = text.strip()
                if not stripped and col.required:
                    add(row, col.name, text, "required value is empty")
                try:
                    parsed.extend(read_value(contract, col, text, vals, ref))
                except v.Unreadable as exc:
                    add(row, col.name, text, exc.reason)
                    continue
                if not stripped:
                    continue
                council = vals.get("organisation_code", "").strip()
                # a commentary's subject_code is an indicator or a section key, as its subject_kind says
                lookup = col.lookup_for(vals) if col.kind == "code" else None
                if lookup in COUNCIL_CODES and council not in codes["organisations"]:
                    continue  # the council code is refused already; its codes cannot be checked against it
                if lookup:
                    key = (council, stripped) if lookup in COUNCIL_CODES else stripped
                    if key not in codes[lookup]:
                        where = f"seeds/reference/{_SEED_OF[lookup]}.csv"
                        if lookup in COUNCIL_CODES:
                            where += f" for council {council}"
                        add(row, col.name, text, f"unknown code: not in {where}")
                elif col.kind == "rag" and stripped.lower() not in rags:
                    add(row, col.name, text, "not a RAG status in seeds/reference/rag_codes.csv")
                elif col.kind == "polarity" and stripped.lower() not in polarities:
                    add(row, col.name, text, "not a polarity in seeds/reference/polarity_codes.csv")
                elif col.kind == "direction" and stripped.lower() not in ref.direction_codes:
                    add(row, col.name, text, "not a direction in seeds/reference/direction_codes.csv")
            for name in free_text:
                text = vals.get(name, "")
                if text not in personal:
                    personal[text] = find_personal_data(text)
                if personal[text]:
                    add(row, name, "(withheld)", f"personal data in free text: {personal[text]}")
            if contract.name == NATIONAL_CONTRACT:
                _check_geography(row, add)
            parsed_rows.append(parsed)
            declared = v.parse_month(vals.get(declared_column, "")) if declared_column else None
            if declared:
                report_months.add(declared)
                if declared_month and declared != declared_month:
                    add(
                        row,
                        declared_column,
                        vals.get(declared_column),
                        f"disagrees with the month the file name declares ({v.month_label(declared_month)})",
                    )
                period = v.parse_period(vals.get("period", "")) if "period" in vals else None
                if period and period[0] > declared:
                    add(row, "period", vals.get("period"),
                        f"period is after the month the file reports ({v.month_label(declared)})")  # fmt: skip
            key = tuple(vals.get(c, "").strip() for c in contract.grain)
            if all(k or c in contract.grain_may_be_blank for c, k in zip(contract.grain, key, strict=True)):
                norm_key = tuple(_normal_key(c, k, contract) for c, k in zip(contract.grain, key, strict=True))
                if norm_key in seen_keys:
                    # national statistics: one problem per repeated data row, not one per indicator column
                    per_row = contract.name == NATIONAL_CONTRACT
                    shown = " / ".join(k for c, k in zip(contract.grain, key, strict=True)
                                       if k and not (per_row and c == "indicator"))  # fmt: skip
                    add(row, None, shown,
                        f"duplicate {', '.join(contract.grain)} (first on row {seen_keys[norm_key]})")  # fmt: skip
                else:
                    seen_keys[norm_key] = row.row_number
    if len(report_months) > 1:
        months = ", ".join(sorted(v.month_label(m) for m in report_months))
        problems.append(Problem(path.name, None, None, declared_column, months,
                                "a file holds one report: every row must have the same month"))  # fmt: skip
    return problems, parsed_rows


# Which geography columns a national statistics row needs filled (by geographic level), and which
# it must leave blank: a figure for England or a region never carries a local authority's code.
_LEVEL_NEEDS = {"Regional": ("region_code", "region_name"), "Local authority": ("new_la_code",)}
_LEVEL_BLANK = {
    "National": ("region_code", "region_name", "new_la_code", "old_la_code", "la_name"),
    "Regional": ("new_la_code", "old_la_code", "la_name"),
}


def _check_geography(row: Row, add: Callable[[Row, str | None, str | None, str], None]) -> None:
    """A national statistics row's geography columns against its geographic level."""
    level = row.values.get("geographic_level", "").strip()
    for name in _LEVEL_NEEDS.get(level, ()):
        if not row.values.get(name, "").strip():
            add(row, name, row.values.get(name, ""), f"required on a {level} row")
    for name in _LEVEL_BLANK.get(level, ()):
        if row.values.get(name, "").strip():
            add(row, name, row.values.get(name), f"must be blank on a {level} row (it is not about one "
                f"{'region or ' if level == 'National' else ''}local authority)")  # fmt: skip


def _normal_key(column: str, text: str, contract: ExtractContract):
    if column in ("period", "reported_in", "report_month", "plan_month"):
        parsed = v.parse_period(text)
        if not parsed:
            return text
        # A staffing month and the quarter or year ending in it are different figures (the workforce
        # mart keys on the period's type); an indicator has one figure per period month.
        return parsed if column == "period" and contract.name == "workforce" else parsed[0]
    return text


def _canonical(contract: ExtractContract, row: Row, ref: v.Reference) -> list[str]:
    """Row values in contract order; percentages written without % become `92.6%`, and a line break inside a
    value (commentary) is held as one newline, however the file was saved (CRLF, CR or LF)."""
    vals = row.values
    if contract.name in ("indicator_values", "workforce") and vals.get("value", "").strip():
        unit = _unit_of(contract, contract.columns[contract.column_names.index("value")], vals, ref)
        if unit is not None and unit.name == "percentage":
            vals = {**vals, "value": v.normalise_percentage(vals["value"], ref.placeholders)}
    out = [vals.get(c, "") for c in contract.column_names]
    return [_LINE_BREAKS.sub("\n", text) if "\r" in text else text for text in out]


def _content_sha256(contract: ExtractContract, tables: list[Table], ref: v.Reference) -> str:
    """A hash of the figures a file holds, whatever its bytes: line endings, a BOM or a re-saved workbook
    leave it unchanged; a changed figure changes it."""
    rows = sorted(tuple(_canonical(contract, row, ref)) for table in tables for row in table.rows)
    return hashlib.sha256(repr((contract.name, rows)).encode()).hexdigest()


# --------------------------------------------------------------------------- loading


class LoadError(RuntimeError):
    """A load that could not run or write at all (warehouse busy, disk full): one line, nothing changed."""


def _on_postgres(con) -> bool:
    """True for the PostgreSQL warehouse's connection (scorecard/postgres.py), false for DuckDB's."""
    return getattr(con, "dialect", "duckdb") == "postgres"


def _on_spark(con) -> bool:
    """True for the Spark warehouse's raw Parquet location (scorecard/spark.py)."""
    return getattr(con, "dialect", "duckdb") == "spark"


def raw_tables() -> dict[str, list[tuple[str, str]]]:
    """Every raw table the loader writes, with its columns: one per extract, and the retractions."""
    tables = {c.table: _raw_columns(c) for c in CONTRACTS.values()}
    tables[RETRACTIONS_TABLE] = [(name, dtype) for name, dtype, _ in RETRACTION_COLUMNS]
    return tables


def _spark_connection(write: bool, wait: float = 0) -> SparkConnection:
    try:
        return SparkConnection(spark_raw_dir(), raw_schema(), raw_tables(), write=write, wait=wait)
    except (SparkRawError, OSError) as exc:
        raise LoadError(str(exc)) from None


def _sql_type(con, dtype: str) -> str:
    """A raw column type as the connection's engine spells it."""
    return pg_type(dtype) if _on_postgres(con) else dtype


def connect_for_reading(database: Path):
    """Open the warehouse read-only: the DuckDB file, PostgreSQL, or Spark's raw Parquet (SCORECARD_TARGET)."""
    if warehouse_target() == "postgres":
        return _postgres_connection()
    if warehouse_target() == "spark":
        return _spark_connection(write=False)
    return duckdb.connect(str(database), read_only=True)


def warehouse_exists(database: Path) -> bool:
    """Whether there is a warehouse to read: the DuckDB file or Spark's raw folder exists, or it is PostgreSQL."""
    if warehouse_target() == "spark":
        return spark_raw_dir().exists()
    return warehouse_target() == "postgres" or Path(database).exists()


def _postgres_connection():
    try:
        return PostgresConnection()
    except PostgresError as exc:
        raise LoadError(str(exc)) from None


def connect_for_writing(database: Path, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the working warehouse for writing; wait while another process (a build) holds it, then refuse.

    With SCORECARD_TARGET=postgres, the PostgreSQL warehouse instead (scorecard/postgres.py): the
    server serialises writers itself, so there is nothing to wait for here. With
    SCORECARD_TARGET=spark, the raw Parquet location (scorecard/spark.py), locked for one writer.

    DuckDB allows one writing process. A build or another load holding the file
    is waited for up to `wait` seconds (SCORECARD_LOCK_WAIT_SECONDS), then the
    call ends with a LoadError saying so; nothing is written.
    """
    if warehouse_target() == "postgres":
        return _postgres_connection()
    wait = lock_wait_seconds() if wait is None else wait
    if warehouse_target() == "spark":
        return _spark_connection(write=True, wait=wait)
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            return duckdb.connect(str(database))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise LoadError(f"{database}: cannot open the warehouse: {str(exc).splitlines()[0]}") from None
            if time.monotonic() >= deadline:
                raise LoadError(
                    f"{database}: the warehouse is in use by another process (a build is running?); "
                    "nothing was loaded: try again when it has finished"
                ) from None
            if not told:
                print(f"waiting up to {wait:g} s for the warehouse: another process (a build?) is using it",
                      file=sys.stderr)  # fmt: skip
                told = True
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))


def _unsettled(files: list[Path], seconds: float) -> dict[Path, Problem]:
    """Files whose size changes within `seconds` (still being written): one wait for the whole batch."""
    if seconds <= 0 or not files:
        return {}
    # a data file's metadata file is watched with it (national statistics)
    watched = {f: f for f in files}
    watched.update({meta: f for f in files if (meta := _metadata_of(f))})
    before = {w: w.stat().st_size for w in watched if w.exists()}
    time.sleep(seconds)
    problems = {}
    for w, size in before.items():
        after = w.stat().st_size if w.exists() else -1
        if after != size and watched[w] not in problems:
            what = "file" if w == watched[w] else f"its metadata file {w.name}"
            reason = f"{what} is still being written (size changed from {size} to {after} bytes)"
            problems[watched[w]] = Problem(watched[w].name, None, None, None, None, reason)
    return problems


def check_file(path: Path) -> tuple[ExtractContract, list[Table], list[Problem], list[list]]:
    """Read and check a file: its tables, every problem found (empty when loadable) and each row's typed values.

    Never raises for a bad file: anything that stops it being read is a problem of that file.
    """
    contract = contract_for(path)
    try:
        if contract.name == NATIONAL_CONTRACT:
            tables = read_national_statistics(path, contract)
        else:
            tables = find_tables(read_grids(path), contract)
    except FileProblem as exc:
        found = getattr(exc, "problems", [exc])
        return contract, [], [Problem(p.file or path.name, p.sheet, p.row, p.column, p.value, p.reason)
                              for p in found], []  # fmt: skip
    except (OSError, UnicodeError, ValueError, KeyError, IndexError, zipfile.BadZipFile) as exc:
        reason = f"cannot read file: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return contract, [], [Problem(path.name, None, None, None, None, reason)], []
    if not any(t.rows for t in tables):
        return contract, tables, [Problem(path.name, tables[0].sheet, tables[0].header_row, None, None,
                                          "file has a header but no rows")], []  # fmt: skip
    problems, parsed = _check_rows(path, contract, tables)
    return contract, tables, problems, parsed


def _short_name(name: str) -> str:
    """A name the file system takes with room for the report suffixes: a long one is cut, with a hash to stay unique.

    Its extension is kept, so a quarantined file still opens in the program it was made with.
    """
    if len(name.encode()) <= 180:
        return name
    suffix = Path(name).suffix[:10]
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"{name.encode()[:140].decode(errors='ignore')}...{digest}{suffix}"


def _neutralised(value: str) -> str:
    """A value for a CSV report that a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


def write_rejects_report(path: Path, problems: list[Problem], folder: Path) -> Path:
    """Write `<file>.rejects.csv` and `<file>.rejects.txt` into `folder`; return the CSV's path."""
    folder.mkdir(parents=True, exist_ok=True)
    base = _short_name(path.name)
    report = folder / f"{base}.rejects.csv"
    with report.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "sheet", "row", "column", "value", "reason"])
        for p in problems:
            fields = (p.file, p.sheet or "", p.row or "", p.column or "", p.value or "", p.reason)
            writer.writerow([_neutralised(str(x)) for x in fields])
    lines = [
        f"{path.name} was refused: nothing from it was loaded.",
        f"Fix the {len(problems)} problem(s) below and land the corrected file again.",
        "",
        *(f"- {p}" for p in problems),
    ]
    (folder / f"{base}.rejects.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def _is_personal(problems: list[Problem]) -> bool:
    return any("personal" in p.reason for p in problems)


def _quarantine(path: Path, problems: list[Problem], folder: Path, move: bool) -> Path:
    """Write the rejects report; move the file beside it when it sits in the landing folder.

    Files refused for personal data are named `<name>.personal.<suffix>`, readable by
    the owner only, and deleted after the retention period (purge_expired).
    """
    personal = _is_personal(problems)
    named = path.with_name(_short_name(personal_name(path.name) if personal else path.name))
    report = write_rejects_report(named, problems, folder)
    if personal:
        for written in (report, report.with_suffix(".txt")):
            restrict_to_owner(written)
    if move:
        target = folder / named.name
        if target.exists():
            stamped = f"{named.stem}.{datetime.now(UTC):%Y%m%dT%H%M%S%f}{named.suffix}"
            target = folder / _short_name(stamped)
        shutil.move(str(path), target)
        if personal:
            restrict_to_owner(target)
        meta = _metadata_of(path)
        if meta:
            # a national statistics file's metadata goes with it: the pair is landed again, corrected
            beside = folder / (target.stem + NATIONAL_METADATA_SUFFIX)
            shutil.move(str(meta), beside)
            if personal:
                restrict_to_owner(beside)
    return report


def _sql_text(value) -> str:
    """A typed value as the text the bulk insert casts back (empty is null)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _write_batch(con, batch: list[LoadResult], checked: dict[Path, tuple[list[Table], list[list]]],
                 is_sample: bool) -> None:  # fmt: skip
    """Insert the rows of checked files in one transaction: one bulk insert per raw table.

    Every file in the batch was checked whole first, so the batch either commits
    whole or (on a database error) rolls back whole, and earlier loads are untouched.
    A failure (a full disk) is a LoadError naming its cause.
    """
    if not batch:
        return
    schema = raw_schema()
    loaded_at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    ref = v.Reference.load()
    by_contract: dict[str, list[LoadResult]] = {}
    for result in batch:
        by_contract.setdefault(result.extract, []).append(result)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            con.execute("begin transaction")
            for name, results in by_contract.items():
                contract = CONTRACTS[name]
                staging = Path(tmp) / f"{name}.csv"
                with staging.open("w", newline="", encoding="utf-8") as fh:
                    writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
                    for result in results:
                        tables, parsed = checked[result.file]
                        rows = (row for table in tables for row in table.rows)
                        sheets = (table.sheet for table in tables for _ in table.rows)
                        for row, sheet, typed in zip(rows, sheets, parsed, strict=True):
                            writer.writerow([*_canonical(contract, row, ref), *map(_sql_text, typed),
                                             result.file.name, result.sha256, result.content_sha256,
                                             sheet or "", row.row_number, loaded_at, is_sample])  # fmt: skip
                _insert_csv(con, schema, contract, staging)
            con.execute("commit")
        if _on_postgres(con):  # fresh statistics, so dbt's models on these rows are planned on real row counts
            for name in by_contract:
                con.execute(f'analyze "{schema}"."{CONTRACTS[name].table}"')
            con.commit()
    except (OSError, duckdb.Error, SparkRawError, *POSTGRES_ERRORS) as exc:
        cause = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        with contextlib.suppress(duckdb.Error, *POSTGRES_ERRORS):
            con.execute("rollback")
        full = "space" in cause.lower() or getattr(exc, "errno", None) == errno.ENOSPC
        hint = " (is the disk full?)" if full else ""
        raise LoadError(
            f"could not write to the warehouse: {cause}{hint}; nothing from "
            f"{len(batch)} checked file(s) was loaded, and earlier loads are unchanged"
        ) from None
    for result in batch:
        result.status = "loaded"


def _typed(column: str, dtype: str) -> str:
    """SQL reading a text column of a staging CSV back as its raw type (empty text is null)."""
    return f"nullif({column}, '')" if dtype == "varchar" else f"cast(nullif({column}, '') as {dtype})"


def _raw_columns(contract: ExtractContract) -> list[tuple[str, str]]:
    """Every raw column in order: the printed text, what the loader read from it, the load metadata."""
    return ([(name, "varchar") for name in contract.column_names]
            + [(name, dtype) for name, dtype, _ in contract.parsed_columns] + list(METADATA_COLUMNS))  # fmt: skip


def _insert_csv(con, schema: str, contract: ExtractContract, staging: Path) -> None:
    columns = _raw_columns(contract)
    names = ", ".join(f'"{c}"' for c, _ in columns)
    parsed = {name for name, _, _ in contract.parsed_columns}
    if _on_postgres(con):
        con.copy_csv(schema, contract.table, columns, staging, parsed)
        return
    casts = ", ".join(
        _typed(f'"column{i:03d}"', dtype) if name in parsed or dtype != "varchar" else f'"column{i:03d}"'
        for i, (name, dtype) in enumerate(columns)
    )
    con.execute(
        f'insert into "{schema}"."{contract.table}" ({names}) select {casts} from read_csv(?, header = false, '
        "all_varchar = true, quote = '\"', escape = '\"', delim = ',', strict_mode = true, "
        "null_padding = false, auto_detect = false, "
        f"columns = {{{', '.join(repr(f'column{i:03d}') + ': ' + repr('VARCHAR') for i in range(len(columns)))}}})",
        [str(staging)],
    )


@dataclass
class Loaded:
    """What the warehouse already holds, per extract: file hashes, content hashes and retracted files."""

    files: dict[str, set[str]]
    contents: dict[str, dict[str, str]]  # content hash -> a file name holding it
    retracted: dict[str, tuple[str, str]]  # file hash -> (reason, when)


def _loaded(con) -> Loaded:
    """Read once per load, not once per file."""
    schema = raw_schema()
    retracted = {
        sha: (reason, str(when))
        for sha, reason, when in con.execute(
            f'select file_sha256, reason, retracted_at from "{schema}"."{RETRACTIONS_TABLE}"'
        ).fetchall()
    }
    files, contents = {}, {}
    for name, c in CONTRACTS.items():
        rows = con.execute(
            f'select distinct _file_sha256, _content_sha256, _source_file from "{schema}"."{c.table}"'
        ).fetchall()
        files[name] = {sha for sha, _, _ in rows}
        contents[name] = {content: file for sha, content, file in rows if content and sha not in retracted}
    return Loaded(files, contents, retracted)


def _refused(path: Path, extract: str, problems: list[Problem], folder: Path, move: bool, report: bool = True,
             sha256: str = "") -> LoadResult:  # fmt: skip
    written = _quarantine(path, problems, folder, move) if report else None
    return LoadResult(path, extract, "rejected", 0, sha256, problems=problems, report=written)


def _prepare(
    path: Path,
    loaded: Loaded,
    *,
    is_sample: bool,
    dry_run: bool,
    quarantine: Path | None,
    unsettled: Problem | None,
) -> tuple[LoadResult, tuple[list[Table], list[list]]]:
    """Check one file; the result is 'rejected', 'skipped', 'valid' (dry run) or 'pending' (to be written).

    A dry run writes nothing at all: no rejects report, no move. A file outside the
    landing folder is read in place and never moved; its rejects report still goes
    to the quarantine folder.
    """
    path = Path(path)
    folder = quarantine or quarantine_dir()
    move = not dry_run and not is_sample and _inside(path, landing_dir())
    try:
        contract = contract_for(path)
    except ExtractError as exc:
        return _refused(path, "unknown", exc.problems, folder, move, report=not dry_run), ([], [])
    if unsettled:
        # Not moved: whoever is writing it still has it open. It is checked again when it settles.
        report = None if dry_run else write_rejects_report(path, [unsettled], folder)
        return LoadResult(path, contract.name, "rejected", problems=[unsettled], report=report), ([], [])
    try:
        sha256 = _file_sha256(path, contract)
    except OSError as exc:
        problem = Problem(path.name, None, None, None, None, f"cannot read file: {exc.strerror or exc}")
        return LoadResult(path, contract.name, "rejected", problems=[problem]), ([], [])
    if sha256 in loaded.retracted:
        reason, when = loaded.retracted[sha256]
        message = f"this file was retracted on {when[:16]} ({reason}): not loaded again; land a corrected file"
        return LoadResult(path, contract.name, "skipped", 0, sha256, [message]), ([], [])
    if sha256 in loaded.files[contract.name]:
        return LoadResult(path, contract.name, "skipped", 0, sha256, ["identical file already loaded"]), ([], [])
    contract, tables, problems, parsed = check_file(path)
    if problems:
        return _refused(path, contract.name, problems, folder, move, not dry_run, sha256), ([], [])
    content = _content_sha256(contract, tables, v.Reference.load())
    if content in loaded.contents[contract.name]:
        earlier = loaded.contents[contract.name][content]
        message = f"same figures as {earlier}, already loaded: nothing new"
        return LoadResult(path, contract.name, "skipped", 0, sha256, [message]), ([], [])
    rows = sum(len(t.rows) for t in tables)
    if dry_run:
        return LoadResult(path, contract.name, "valid", rows, sha256, ["dry run: nothing loaded"]), ([], [])
    result = LoadResult(path, contract.name, "pending", rows, sha256)
    result.content_sha256 = content
    return result, (tables, parsed)


def _file_sha256(path: Path, contract: ExtractContract) -> str:
    """SHA-256 of a file; of a national statistics file, of its bytes then its metadata file's (if there is one):
    the pair is what is loaded, so a corrected metadata file beside the same data is not taken for a repeat."""
    digest = hashlib.sha256(path.read_bytes())
    meta = _metadata_of(path)
    if contract.name == NATIONAL_CONTRACT and meta:
        digest.update(meta.read_bytes())
    return digest.hexdigest()


def _metadata_of(path: Path) -> Path | None:
    """The metadata file beside a national statistics data file, if it is there."""
    try:
        national = contract_for(path).name == NATIONAL_CONTRACT
    except ExtractError:
        return None
    meta = metadata_path(path)
    return meta if national and path.suffix.lower() == ".csv" and meta.is_file() else None


def _prepare_alone(path: Path, loaded: Loaded, **options) -> tuple[LoadResult, tuple[list[Table], list[list]]]:
    """_prepare, with anything the file system refuses (a name too long, no permission) a refusal of this file only."""
    try:
        return _prepare(path, loaded, **options)
    except OSError as exc:
        why = f"cannot read or quarantine the file: {exc.strerror or exc}"
        problem = Problem(path.name, None, None, None, None, why)
        return LoadResult(path, "unknown", "rejected", problems=[problem]), ([], [])


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def list_extract_files(paths: Iterable[Path]) -> tuple[list[Path], list[LoadResult]]:
    """Files named directly, and the extract files in named folders (not their subfolders or quarantine).

    The second list reports what is not loaded and why: a path that does not exist
    (status 'missing'), and in a folder, files that are not .csv/.xlsx, subfolders
    and links that lead outside the folder (status 'ignored').
    """
    files: list[Path] = []
    notes: list[LoadResult] = []
    for p in map(Path, paths):
        try:
            is_dir, exists = p.is_dir(), p.exists()
        except OSError as exc:  # a name too long for the file system, say
            notes.append(LoadResult(p, "unknown", "missing", messages=[f"cannot use this path: {exc.strerror}"]))
            continue
        if not exists:
            notes.append(LoadResult(p, "unknown", "missing", messages=["no such file or folder"]))
        elif is_dir:
            for f in sorted(p.iterdir()):
                why = None
                if f.is_symlink() and not _inside(f, p):
                    why = "a link to a place outside the folder: not followed"
                elif f.is_dir():
                    if f.resolve() != quarantine_dir().resolve() and f.name != "quarantine":
                        why = "a subfolder: not read (name its files or move them up)"
                elif is_metadata_file(f):
                    notes.append(_metadata_note(f))
                elif f.suffix.lower() in EXTRACT_SUFFIXES:
                    files.append(f)
                elif not f.name.startswith("."):
                    why = f"not an extract file ({', '.join(EXTRACT_SUFFIXES)}): not read"
                if why:
                    notes.append(LoadResult(f, "unknown", "ignored", messages=[why]))
        elif is_metadata_file(p):
            notes.append(_metadata_note(p))
        else:
            files.append(p)
    return files, notes


def _metadata_note(path: Path) -> LoadResult:
    """A metadata file is read with its data file, never alone: say which, or that it has none."""
    data = data_file_of(path)
    try:
        extract = contract_for(data).name
    except ExtractError:
        extract = "unknown"
    if data.is_file():
        return LoadResult(path, extract, "ignored", messages=[f"metadata of {data.name}"])
    return LoadResult(path, extract, "ignored", messages=[f"metadata of {data.name}, which is not here: not read"])


def extract_files(paths: Iterable[Path]) -> list[Path]:
    """The extract files named or in named folders (see list_extract_files for what is left out and why)."""
    return list_extract_files(paths)[0]


def load_paths(
    paths: Iterable[Path],
    database: Path | None = None,
    *,
    is_sample: bool = False,
    dry_run: bool = False,
    quarantine: Path | None = None,
    settle: float | None = None,
    raise_on_reject: bool = True,
    progress: Callable[[int, int, Path], None] | None = None,
) -> list[LoadResult]:
    """Load files (or every extract file in folders), each whole or not at all.

    Each file is checked whole first; the checked files are then written in
    batches of about BATCH_ROWS rows, one transaction and one bulk insert per
    raw table each, so a month of several hundred small files loads in seconds.
    Each file stands alone: a refused file is quarantined with its report and
    the others go ahead.

    With raise_on_reject (the default for callers that load one known-good file
    set) the first refused file raises ExtractError; the CLI and the
    orchestration pass False and read each result's status instead. A load that
    cannot write at all (warehouse busy, disk full) raises LoadError.
    """
    database = Path(database or warehouse_path())
    files, notes = list_extract_files(paths)
    unsettled = _unsettled(files, settle_seconds() if settle is None else settle)
    folder = quarantine or quarantine_dir()
    if not dry_run and folder.exists():
        purge_expired(folder, retention_days())
    results: list[LoadResult] = list(notes)
    if dry_run and not warehouse_exists(database):
        loaded = Loaded({n: set() for n in CONTRACTS}, {n: {} for n in CONTRACTS}, {})
        for f in files:
            results.append(_prepare_alone(f, loaded, is_sample=is_sample, dry_run=True, quarantine=quarantine,
                                    unsettled=unsettled.get(f))[0])  # fmt: skip
        return results
    database.parent.mkdir(parents=True, exist_ok=True)
    con = connect_for_reading(database) if dry_run else connect_for_writing(database)
    with con:
        if not dry_run:
            ensure_raw_tables(con)
        loaded = _loaded(con)
        batch: list[LoadResult] = []
        checked: dict[Path, tuple[list[Table], list[list]]] = {}
        batch_rows = 0
        for i, f in enumerate(files, start=1):
            if progress:
                progress(i, len(files), f)
            result, tables = _prepare_alone(
                f, loaded, is_sample=is_sample, dry_run=dry_run, quarantine=quarantine, unsettled=unsettled.get(f)
            )

            results.append(result)
            if result.status == "pending":
                loaded.files[result.extract].add(result.sha256)  # the same content twice in one call loads once
                loaded.contents[result.extract][result.content_sha256] = result.file.name
                batch.append(result)
                checked[result.file] = tables
                batch_rows += result.rows
            if batch_rows >= BATCH_ROWS or (result.status == "rejected" and raise_on_reject):
                _write_batch(con, batch, checked, is_sample)
                batch, checked, batch_rows = [], {}, 0
            if result.status == "rejected" and raise_on_reject:
                raise ExtractError(f, result.problems)
        _write_batch(con, batch, checked, is_sample)
    return results


def load_sample(database: Path | None = None) -> list[LoadResult]:
    """Load the bundled sample extracts (flagged as sample rows). They are never quarantined."""
    return load_paths([SAMPLE_DATA_DIR], database, is_sample=True, settle=0, quarantine=Path(tempfile.gettempdir()))


# --------------------------------------------------------------------------- retraction


@dataclass
class Retraction:
    file_sha256: str
    source_file: str
    extract: str
    row_count: int
    already: bool = False


def retract(target: str, reason: str, database: Path | None = None) -> Retraction:
    """Retract a loaded file, by name or SHA-256 (or its first 8+ characters): append a retraction.

    History is never deleted: the file's rows stay in raw and every build leaves
    them out. Raises LoadError with a one-line reason when nothing or more than
    one load matches, or the reason is empty.
    """
    if not reason or not reason.strip():
        raise LoadError('a retraction needs a reason: --reason "..."')
    database = Path(database or warehouse_path())
    if not warehouse_exists(database):
        raise LoadError(f"{database}: no warehouse here: nothing has been loaded")
    schema = raw_schema()
    needle = target.strip()
    with connect_for_writing(database) as con:
        ensure_raw_tables(con)
        matches = []
        for name, c in CONTRACTS.items():
            # national statistics report for no council and no month: those stay null in the retraction
            month = f"max({c.report_month_column}__month)" if c.report_month_column else "cast(null as date)"
            council = "min(organisation_code__code)" if "organisation_code" in c.column_names else "null"
            matches += [
                (sha, file, name, n, org, reported)
                for sha, file, n, org, reported in con.execute(
                    f"select _file_sha256, min(_source_file), count(*), {council}, "
                    f'{month} from "{schema}"."{c.table}" '
                    "where _source_file = ? or (length(?) >= 8 and _file_sha256 like ? || '%') group by 1",
                    [Path(needle).name, needle.lower(), needle.lower()],
                ).fetchall()
            ]
        if not matches:
            raise LoadError(f"no loaded file is named or hashed {needle!r} (see `scorecard loads`)")
        if len(matches) > 1:
            listed = ", ".join(f"{m[0][:12]} ({m[1]})" for m in matches)
            raise LoadError(f"{len(matches)} loads match {needle!r}: give the SHA-256 of the one to retract: {listed}")
        sha, file, extract, rows, organisation, reported_in = matches[0]
        done = con.execute(f'select count(*) from "{schema}"."{RETRACTIONS_TABLE}" where file_sha256 = ?', [sha])
        if done.fetchone()[0]:
            return Retraction(sha, file, extract, rows, already=True)
        con.execute(
            f'insert into "{schema}"."{RETRACTIONS_TABLE}" values (?, ?, ?, ?, ?, ?, ?, ?)',
            [sha, file, extract, organisation, reported_in, rows, reason.strip(),
             datetime.now(UTC).replace(tzinfo=None)],
        )  # fmt: skip
    return Retraction(sha, file, extract, rows)


def loads(database: Path | None = None) -> list[tuple]:
    """Every load: (loaded_at, extract, file, sha256, rows, retracted reason or None), newest first."""
    database = Path(database or warehouse_path())
    if not warehouse_exists(database):
        return []
    schema = raw_schema()
    with connect_for_reading(database) as con:
        out = []
        for name, c in CONTRACTS.items():
            out += con.execute(
                f"select max(r._loaded_at), ?, min(r._source_file), r._file_sha256, count(*), "
                f'min(x.reason) from "{schema}"."{c.table}" as r left join "{schema}"."{RETRACTIONS_TABLE}" '
                "as x on x.file_sha256 = r._file_sha256 where not r._is_sample group by r._file_sha256",
                [name],
            ).fetchall()
    return sorted(out, key=lambda r: (r[0], r[2]), reverse=True)
