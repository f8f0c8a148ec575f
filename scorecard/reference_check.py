"""Checks of the reference seeds before dbt (or the loader) reads them.

A hand-edited seed with mixed line endings, a duplicate code or an unknown
unit otherwise fails deep inside dbt (DuckDB's "Error when sniffing file", a
failing relationships test) long after the edit. `check_reference` reads every
`*.csv` in the folder and returns one problem per fault, naming the file, the
CSV line (header = 1), the column, the value and the reason:

1. bytes: not empty, UTF-8 without a byte order mark, no NUL bytes, one kind of
   line ending (all LF or all CRLF, no bare CR);
2. shape: every row has the header's number of fields; header names are
   present, unique and match the columns declared for the seed in
   dbt_project.yml (`+column_types`);
3. typed values per the declared types (boolean, integer, decimal, date);
4. unique, non-empty codes;
5. codes known to the seed they refer to;
6. units: minimum not above maximum, pounds_per_unit positive; a council's budget_unit a money unit.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from scorecard.settings import reference_dir

_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(r"\r\n|\r|\n")
_LINE_END_BYTES = re.compile(rb"\r\n|\r|\n")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:([0-9]+)(?:\.[0-9]*)?|\.[0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TYPE = re.compile(r"\s*([a-z_][a-z0-9_ ]*?)\s*(?:\(\s*([0-9]+)\s*(?:,\s*([0-9]+)\s*)?\))?\s*")
_INTEGER_BITS = {
    "tinyint": 8,
    "int1": 8,
    "smallint": 16,
    "int2": 16,
    "short": 16,
    "integer": 32,
    "int": 32,
    "int4": 32,
    "int32": 32,
    "signed": 32,
    "bigint": 64,
    "int8": 64,
    "int64": 64,
    "long": 64,
}
_DECIMAL_TYPES = {"decimal", "numeric"}
_FLOAT_TYPES = {"double", "float", "float4", "float8", "real", "double precision"}
_BOOLEAN_TYPES = {"boolean", "bool", "logical"}

# Columns the checks below (or the loader, scorecard.values) read, with the type they are read
# as when dbt_project.yml declares none for them (units.csv has no +column_types block). A seed
# lacking one of these is reported, as a missing declared column is.
_REQUIRED_COLUMNS: dict[str, dict[str, str]] = {
    "organisations": {"organisation_code": "varchar"},
    "indicators": {
        "indicator_code": "varchar",
        "organisation_code": "varchar",
        "unit": "varchar",
        "frequency": "varchar",
        "polarity": "varchar",
    },
    "indicator_targets": {
        "organisation_code": "varchar",
        "indicator_code": "varchar",
        "effective_from": "date",
        "effective_to": "date",
        "threshold_basis": "varchar",
    },
    "workforce_measures": {
        "organisation_code": "varchar",
        "measure_code": "varchar",
        "measure_name": "varchar",
        "unit": "varchar",
        "polarity": "varchar",
    },
    "units": {
        "unit": "varchar",
        "min_value": "double",
        "max_value": "double",
        "whole_number": "boolean",
        "pounds_per_unit": "double",
        "sort_order": "integer",
    },
    "rag_codes": {"printed_rag": "varchar", "rag_status": "varchar"},
    "polarity_codes": {"printed_polarity": "varchar", "polarity": "varchar"},
    "value_placeholders": {"marker": "varchar", "match_type": "varchar", "value_status": "varchar"},
    "service_hierarchy": {"organisation_code": "varchar", "service_code": "varchar", "parent_service_code": "varchar"},
    "risk_score_bands": {"band_code": "varchar", "min_score": "integer", "max_score": "integer"},
    # what the loader reads to check national statistics files (scorecard.values)
    "authorities": {"gss_code": "varchar", "former_gss_codes": "varchar"},
    "national_statistics_symbols": {"symbol": "varchar", "value_status": "varchar"},
    "national_time_identifiers": {"time_identifier": "varchar", "period_format": "varchar"},
}

# Free-text columns the seeds carry that neither dbt_project.yml declares nor _reference__seeds.yml
# documents (dbt infers them as text). Documenting a column in _reference__seeds.yml allows it
# too; any other column is reported as not declared (a typo, or a column dbt would type by guess).
_TEXT_COLUMNS: dict[str, set[str]] = {
    "organisations": {"organisation_name", "organisation_type", "notes"},
    "indicators": {"indicator_title", "service_area"},
    "polarity_codes": {"description"},
    "rag_codes": {"description"},
    "value_placeholders": {"description"},
    "risk_score_bands": {"notes"},
    "workforce_measures": {"description"},
    "service_hierarchy": {"service_name"},
    "units": {"description"},
}


@dataclass(frozen=True)
class _Key:
    """A unique code: `column` unique within each combination of `scope` columns."""

    seed: str
    column: str
    scope: tuple[str, ...] = ()
    ignore_case: bool = False
    # Key columns that may be blank (a rule row for every indicator or every year).
    may_be_empty: tuple[str, ...] = ()


_KEYS = (
    _Key("organisations", "organisation_code"),
    _Key("indicators", "indicator_code", ("organisation_code",)),
    _Key("national_indicators", "national_code"),
    _Key(
        "indicator_rules",
        "financial_year",
        ("organisation_code", "indicator_code"),
        may_be_empty=("indicator_code", "financial_year"),
    ),
    _Key("direction_codes", "printed_direction", ignore_case=True),
    _Key("workforce_measures", "measure_code", ("organisation_code",)),
    _Key("units", "unit"),
    _Key("rag_codes", "printed_rag", ignore_case=True),
    _Key("polarity_codes", "printed_polarity", ignore_case=True),
    _Key("value_placeholders", "marker", ("match_type",), ignore_case=True),
    _Key("service_hierarchy", "service_code", ("organisation_code",)),
    _Key("risk_score_bands", "band_code"),
    _Key("indicator_targets", "effective_from", ("organisation_code", "indicator_code")),
    _Key("authorities", "gss_code"),
    # the loader matches symbols ignoring case, and time identifiers as published
    _Key("national_statistics_symbols", "symbol", ignore_case=True),
    _Key("national_time_identifiers", "time_identifier"),
    _Key("statistical_neighbours", "neighbour_gss_code", ("gss_code", "model_year")),
    # one column per role of a national indicator, for the rows with given filter values
    _Key("national_statistics_columns", "role", ("national_code", "filters"), may_be_empty=("filters",)),
)


@dataclass(frozen=True)
class _Foreign:
    """`seed.column` must be a `target.target_column` (or empty, if `may_be_empty`)."""

    seed: str
    column: str
    target: str
    target_column: str
    may_be_empty: bool = False
    # Columns that must match too: codes belong to a council, so (organisation_code, code).
    scope: tuple[str, ...] = ()


_FOREIGN = (
    _Foreign("indicators", "organisation_code", "organisations", "organisation_code"),
    _Foreign("indicators", "national_code", "national_indicators", "national_code", may_be_empty=True),
    _Foreign("national_indicators", "unit", "units", "unit"),
    _Foreign("indicator_rules", "organisation_code", "organisations", "organisation_code"),
    _Foreign(
        "indicator_rules",
        "indicator_code",
        "indicators",
        "indicator_code",
        may_be_empty=True,
        scope=("organisation_code",),
    ),
    _Foreign("indicators", "unit", "units", "unit"),
    _Foreign("workforce_measures", "organisation_code", "organisations", "organisation_code"),
    _Foreign("workforce_measures", "unit", "units", "unit"),
    _Foreign("indicator_targets", "organisation_code", "organisations", "organisation_code"),
    _Foreign("indicator_targets", "indicator_code", "indicators", "indicator_code", scope=("organisation_code",)),
    _Foreign("service_hierarchy", "organisation_code", "organisations", "organisation_code"),
    _Foreign("organisations", "budget_unit", "units", "unit", may_be_empty=True),
    _Foreign("organisations", "gss_code", "authorities", "gss_code", may_be_empty=True),
    _Foreign("statistical_neighbours", "gss_code", "authorities", "gss_code"),
    _Foreign("statistical_neighbours", "neighbour_gss_code", "authorities", "gss_code"),
    _Foreign("national_statistics_columns", "national_code", "national_indicators", "national_code"),
)

# (seed, column): (allowed values, may be empty)
_ALLOWED: dict[tuple[str, str], tuple[tuple[str, ...], bool]] = {
    ("indicators", "polarity"): (("BIB", "SIB"), True),
    ("indicators", "frequency"): (("monthly", "monthly_rolling_3m", "quarterly", "annual"), False),
    ("workforce_measures", "polarity"): (("BIB", "SIB"), True),  # blank: a neutral measure (headcount)
    ("value_placeholders", "match_type"): (("exact", "contains"), False),
    ("polarity_codes", "polarity"): (("BIB", "SIB"), False),
    ("indicator_targets", "threshold_basis"): (("value", "percent_of_cohort"), False),
    ("indicator_rules", "rag_rule"): (
        ("bands", "target_only", "target_tolerance_absolute", "target_tolerance_relative"),
        False,
    ),
    ("indicator_rules", "direction_basis"): (
        ("previous_period", "same_period_last_year", "months_earlier", "previous_year_outturn"),
        False,
    ),
    ("indicator_rules", "level_band_kind"): (("absolute", "relative"), True),
    ("direction_codes", "direction"): (("up", "down", "level"), False),
    ("national_indicators", "polarity"): (("BIB", "SIB"), True),
    ("national_time_identifiers", "period_format"): (("yyyy", "yyyyyy"), False),
    ("national_indicators", "interval_method"): (("wilson", "byar", "none"), False),
    ("national_statistics_columns", "role"): (("value", "numerator", "denominator"), False),
}

# Columns whose values must not be empty (besides keys, foreign codes and allowed values above).
_NOT_EMPTY = {("rag_codes", "rag_status"), ("national_statistics_symbols", "value_status")}

# Columns compared as codes: surrounding spaces make them silently differ from the code.
_CODE_COLUMNS = (
    {(k.seed, c) for k in _KEYS for c in (k.column, *k.scope)}
    | {(f.seed, f.column) for f in _FOREIGN}
    | set(_ALLOWED)
    | _NOT_EMPTY
    | {("service_hierarchy", "parent_service_code")}
)

# (seed, lower column, upper column): lower <= upper when both are set.
_ORDERED = (
    ("units", "min_value", "max_value"),
    ("risk_score_bands", "min_score", "max_score"),
    ("indicator_targets", "effective_from", "effective_to"),
)


@dataclass(frozen=True)
class ReferenceProblem:
    """One fault in a reference seed: file, CSV line (header = 1), column, value and reason."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{_printable(self.column)}'")
        text = f"{', '.join(where)}: {self.reason}"
        if self.value is not None:
            text += f" (value '{_printable(self.value)}')"
        return text


def _printable(text: str) -> str:
    """Control characters, a BOM and the like shown escaped, so the line stays one readable line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@dataclass
class _Seed:
    """One seed file as read: its header and its rows, each with its CSV line number."""

    name: str
    display: str
    header: list[str] | None = None  # None when the file could not be read as CSV
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # rows of the header's width
    all_rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # also ragged ones (for code lists)
    types: dict[str, str] = field(default_factory=dict)
    bad: set[tuple[int, str]] = field(default_factory=set)  # (row, column) already reported

    def has(self, column: str) -> bool:
        return self.header is not None and column in self.header


class _Problems(list):
    def add(self, seed: _Seed | str, row: int | None, column: str | None, value: str | None, reason: str) -> None:
        display = seed.display if isinstance(seed, _Seed) else seed
        self.append(ReferenceProblem(display, row, column, value, reason))
        if isinstance(seed, _Seed) and row is not None and column is not None:
            seed.bad.add((row, column))


def _display(path: Path, folder: Path) -> str:
    """The path relative to the folder's grandparent (the project), else the file's name."""
    try:
        return path.resolve().relative_to(folder.resolve().parent.parent).as_posix()
    except ValueError:
        return path.name


def check_reference(folder: Path, *, project_file: Path | None = None) -> list[ReferenceProblem]:
    """Every problem in the reference seeds (`*.csv`) in `folder`; empty when they are fit for dbt."""
    folder = Path(folder)
    problems = _Problems()
    if not folder.is_dir():
        problems.add(str(folder), None, None, None, "reference folder does not exist")
        return list(problems)
    paths = sorted(folder.glob("*.csv"))
    if not paths:
        problems.add(_display(folder, folder), None, None, None, "no seed files (*.csv) in the folder")
        return list(problems)

    project_file = folder.parent.parent / "dbt_project.yml" if project_file is None else Path(project_file)
    declared = _declared_types(project_file, folder, problems)
    documented, not_null = _documented_columns(folder, problems)

    seeds: dict[str, _Seed] = {}
    for path in paths:
        seed = _Seed(path.stem, _display(path, folder))
        seeds[seed.name] = seed
        text = _read_text(path, seed, problems)
        if text is not None:
            _read_csv(text, seed, problems)
        if seed.header is None:
            continue
        _check_columns(seed, declared, documented, problems)
        _check_types(seed, problems)
    for seed in seeds.values():
        if seed.header is not None:
            _check_values(seed, not_null.get(seed.name, set()), problems)
    _check_keys(seeds, problems)
    _check_foreign(seeds, folder, problems)
    _check_order(seeds, problems)

    order = {seed.display: i for i, seed in enumerate(seeds.values())}
    positions = {
        seed.display: {c: i for i, c in reversed(list(enumerate(seed.header or [])))} for seed in seeds.values()
    }

    def position(problem: ReferenceProblem) -> tuple[int, int, int]:
        column = positions.get(problem.file, {}).get(problem.column or "", -1)
        return order.get(problem.file, -1), problem.row or 0, column

    return sorted(problems, key=position)


# 1. bytes -----------------------------------------------------------------------------------


def _line_at(data: bytes, offset: int) -> int:
    return len(_LINE_END_BYTES.findall(data, 0, offset)) + 1


def _read_text(path: Path, seed: _Seed, problems: _Problems) -> str | None:
    """The file's text, or None (and a problem) when it cannot be read as CSV at all."""
    data = path.read_bytes()
    if not data.strip():
        problems.add(seed, None, None, None, "file is empty (dbt needs at least a header row)")
        return None
    if data.startswith(_BOM):
        problems.add(
            seed,
            1,
            None,
            None,
            "file starts with a byte order mark (BOM), which the loader reads as part of the first column's "
            "name; save the file as UTF-8 without BOM",
        )
        data = data[len(_BOM) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        problems.add(
            seed,
            _line_at(data, nul),
            None,
            None,
            "file contains a NUL byte (binary, or saved as UTF-16); save it as UTF-8 text",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(
            seed,
            _line_at(data, exc.start),
            None,
            None,
            f"not valid UTF-8: byte 0x{data[exc.start]:02X} (saved in another encoding?); save the file as UTF-8",
        )
        return None
    _check_line_endings(text, seed, problems)
    return text


def _check_line_endings(text: str, seed: _Seed, problems: _Problems) -> None:
    first: tuple[str, int] | None = None
    mixed = bare_cr = False
    for line, match in enumerate(_LINE_END.finditer(text), start=1):
        ending = match.group()
        if ending == "\r":
            if not bare_cr:
                problems.add(
                    seed,
                    line,
                    None,
                    None,
                    f"line {line} ends with a bare CR (old Mac line ending); save the file with LF or CRLF endings",
                )
                bare_cr = True
            continue
        kind = "CRLF" if ending == "\r\n" else "LF"
        if first is None:
            first = (kind, line)
        elif kind != first[0] and not mixed:
            problems.add(
                seed,
                line,
                None,
                None,
                f"line endings are mixed: {first[0]} on line {first[1]}, {kind} on line {line}; "
                "save the file with one kind",
            )
            mixed = True
        if mixed and bare_cr:
            break


# 2. CSV shape -------------------------------------------------------------------------------


def _read_csv(text: str, seed: _Seed, problems: _Problems) -> None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for record in reader:
            records.append((previous + 1, record))
            previous = reader.line_num
    except csv.Error as exc:
        problems.add(seed, reader.line_num, None, None, f"not valid CSV: {exc} (an unclosed or stray quote?)")
        return
    if not records or not records[0][1]:
        problems.add(seed, 1, None, None, "the header row is blank; line 1 must name the columns")
        return
    header = records[0][1]
    seed.header = header
    first_at: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name.strip():
            problems.add(seed, 1, None, name, f"the header name of column {position} is blank")
            continue
        if name != name.strip():
            problems.add(seed, 1, name, None, "header name has leading or trailing spaces")
        folded = name.lower()
        if folded in first_at:
            problems.add(seed, 1, name, None, f"duplicate column name (first at column {first_at[folded]})")
        else:
            first_at[folded] = position
    width = len(header)
    for line, record in records[1:]:
        if not record:
            continue  # a blank line: dbt and the loader both skip it
        values = {}
        for name, value in zip(header, record, strict=False):
            values.setdefault(name, value)
        seed.all_rows.append((line, values))
        if len(record) != width:
            problems.add(seed, line, None, None, f"row has {len(record)} fields, the header has {width}")
        else:
            seed.rows.append((line, values))


def _declared_types(project_file: Path, folder: Path, problems: _Problems) -> dict[str, dict[str, str]] | None:
    """`+column_types` per seed of this folder in dbt_project.yml; None (and a problem) if unreadable."""
    display = _display(project_file, folder)
    if not project_file.is_file():
        problems.add(display, None, None, None, "cannot check declared columns: the file is missing")
        return None
    try:
        project = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.add(display, None, None, None, f"cannot check declared columns: not valid YAML ({exc})")
        return None
    name = project.get("name") if isinstance(project, dict) else None
    seeds = _mapping(_mapping(project, "seeds"), name)
    configs = _mapping(seeds, folder.name) or _mapping(seeds, "reference")
    declared = {}
    for name, config in configs.items():
        types = _mapping(config, "+column_types") or _mapping(config, "column_types")
        if types:
            declared[str(name)] = {str(column): str(kind) for column, kind in types.items()}
    return declared


def _mapping(value: object, key: object) -> dict:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


def _documented_columns(folder: Path, problems: _Problems) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Columns per seed named in the folder's property files (_reference__seeds.yml), and those of
    them with a not_null test."""
    documented: dict[str, set[str]] = {}
    not_null: dict[str, set[str]] = {}
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        try:
            properties = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.add(_display(path, folder), None, None, None, f"not valid YAML ({exc})")
            continue
        entries = properties.get("seeds") if isinstance(properties, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or "name" not in entry:
                continue
            name = str(entry["name"])
            for column in entry.get("columns") or []:
                if isinstance(column, dict) and "name" in column:
                    documented.setdefault(name, set()).add(str(column["name"]))
                    tests = column.get("data_tests") or column.get("tests") or []
                    if any(t == "not_null" or (isinstance(t, dict) and "not_null" in t) for t in tests):
                        not_null.setdefault(name, set()).add(str(column["name"]))
    return documented, not_null


def _check_columns(
    seed: _Seed,
    declared: dict[str, dict[str, str]] | None,
    documented: dict[str, set[str]],
    problems: _Problems,
) -> None:
    assert seed.header is not None
    required = _REQUIRED_COLUMNS.get(seed.name, {})
    declared_types = (declared or {}).get(seed.name, {})
    seed.types = {**required, **declared_types}
    present = set(seed.header)
    for column in declared_types:
        if column not in present:
            problems.add(seed, 1, column, None, "declared column missing from the header (dbt_project.yml)")
    for column in required:
        if column not in present and column not in declared_types:
            problems.add(seed, 1, column, None, "required column missing from the header")
    if declared is None:
        return  # dbt_project.yml unreadable: reported once already
    allowed = set(seed.types) | documented.get(seed.name, set()) | _TEXT_COLUMNS.get(seed.name, set())
    seen = set()
    for column in seed.header:
        if column.strip() and column not in allowed and column not in seen:
            problems.add(seed, 1, column, None, "column not declared in dbt_project.yml")
        seen.add(column)


# 3. typed values ----------------------------------------------------------------------------


def _check_types(seed: _Seed, problems: _Problems) -> None:
    for column, declared in seed.types.items():
        if not seed.has(column):
            continue
        for line, values in seed.rows:
            value = values[column]
            if value == "":
                continue  # null
            reason = _type_problem(declared, value)
            if reason:
                problems.add(seed, line, column, value, reason)


def _type_problem(declared: str, value: str) -> str | None:
    """Why `value` cannot be read as the declared type, or None."""
    match = _TYPE.fullmatch(declared.lower())
    if not match:
        return None
    kind, precision, scale = match.groups()
    if kind in _BOOLEAN_TYPES:
        return None if value.lower() in ("true", "false") else f"not a {declared}: write true or false"
    if kind in _INTEGER_BITS:
        if not _INTEGER.fullmatch(value):
            return f"not an {declared}: digits only, no decimal point, spaces or thousands separators"
        limit = 2 ** (_INTEGER_BITS[kind] - 1)
        return None if -limit <= int(value) < limit else f"out of range for {declared}"
    if kind in _DECIMAL_TYPES or kind in _FLOAT_TYPES:
        number = _DECIMAL.fullmatch(value)
        if not number:
            return (
                f"not a plain decimal number ({declared}): digits and one '.', no thousands separators, spaces, % or £"
            )
        if kind in _DECIMAL_TYPES and precision:
            whole = (number.group(1) or "").lstrip("0")
            if len(whole) > int(precision) - int(scale or 0):
                return f"too many digits before the decimal point for {declared}"
        return None
    if kind == "date":
        if not _ISO_DATE.fullmatch(value):
            return "not an ISO date (YYYY-MM-DD)"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "not a real date"
        return None
    return None  # varchar and any type not checked here


# 4.-6. codes and values ---------------------------------------------------------------------


def _check_values(seed: _Seed, not_null: set[str], problems: _Problems) -> None:
    """Codes without surrounding spaces, required values present, allowed values, units' rules."""
    keys = [k for k in _KEYS if k.seed == seed.name]
    required = {c for k in keys for c in (k.column, *k.scope) if c not in k.may_be_empty} | not_null
    required |= {f.column for f in _FOREIGN if f.seed == seed.name and not f.may_be_empty}
    required |= {c for (s, c), (_, may_be_empty) in _ALLOWED.items() if s == seed.name and not may_be_empty}
    required |= {c for (s, c) in _NOT_EMPTY if s == seed.name}
    for line, values in seed.rows:
        for column, value in values.items():
            if (line, column) in seed.bad:
                continue
            if value == "" and column in required:
                problems.add(seed, line, column, value, "empty; a value is required")
            elif (seed.name, column) in _CODE_COLUMNS and value != value.strip():
                problems.add(seed, line, column, value, "code has leading or trailing spaces")
            elif value and (seed.name, column) in _ALLOWED:
                allowed = _ALLOWED[seed.name, column][0]
                if value not in allowed:
                    problems.add(seed, line, column, value, f"not one of {', '.join(allowed)}")
        if seed.name == "rag_codes":
            printed = values.get("printed_rag", "")
            if ("printed_rag" in values and (line, "printed_rag") not in seed.bad) and printed != printed.lower():
                problems.add(
                    seed,
                    line,
                    "printed_rag",
                    printed,
                    "must be lower case (printed RAGs are matched lower-cased)",
                )
        if seed.name == "units":
            pounds = values.get("pounds_per_unit", "")
            number = _number(pounds)
            if pounds and (line, "pounds_per_unit") not in seed.bad and (number is None or number <= 0):
                problems.add(seed, line, "pounds_per_unit", pounds, "must be a positive number or empty")


def _check_keys(seeds: dict[str, _Seed], problems: _Problems) -> None:
    for key in _KEYS:
        seed = seeds.get(key.seed)
        if seed is None or not all(seed.has(c) for c in (key.column, *key.scope)):
            continue
        first: dict[tuple[str, ...], int] = {}
        for line, values in seed.rows:
            columns = (*key.scope, key.column)
            if any((line, c) in seed.bad for c in columns):
                continue
            code = tuple(values[c].lower() if key.ignore_case else values[c] for c in columns)
            if code not in first:
                first[code] = line
                continue
            scope = "".join(f" for {c} '{values[c]}'" for c in key.scope)
            case = ", ignoring case" if key.ignore_case else ""
            problems.add(
                seed,
                line,
                key.column,
                values[key.column],
                f"duplicate {key.column}{scope}{case} (first on row {first[code]})",
            )


def _check_foreign(seeds: dict[str, _Seed], folder: Path, problems: _Problems) -> None:
    for rule in _FOREIGN:
        seed = seeds.get(rule.seed)
        if seed is None or not seed.has(rule.column):
            continue
        target = seeds.get(rule.target)
        if target is None:
            missing = _display(folder / f"{rule.target}.csv", folder)
            problems.add(seed, None, rule.column, None, f"cannot check {rule.column}: {missing} is missing")
            continue
        if not target.has(rule.target_column):
            continue  # the target's own problem is reported already
        if not all(seed.has(c) and target.has(c) for c in rule.scope):
            continue
        known = {(*(v.get(c) for c in rule.scope), v.get(rule.target_column)) for _, v in target.all_rows}
        # a code whose own council is wrong is reported there once, not again by every row that uses it
        unsure = {v.get(rule.target_column) for ln, v in target.rows if any((ln, c) in target.bad for c in rule.scope)}
        for line, values in seed.rows:
            value = values[rule.column]
            if any((line, c) in seed.bad for c in rule.scope) or value in unsure:
                continue
            if value and (line, rule.column) not in seed.bad and (*(values[c] for c in rule.scope), value) not in known:
                within = "".join(f" for {c} '{values[c]}'" for c in rule.scope)
                problems.add(seed, line, rule.column, value, f"unknown {rule.column}{within} (not in {target.display})")
    _check_budget_units(seeds, problems)
    _check_indicator_rules(seeds, problems)
    hierarchy = seeds.get("service_hierarchy")
    columns = ("organisation_code", "service_code", "parent_service_code")
    if hierarchy is not None and all(hierarchy.has(c) for c in columns):
        services = {(v["organisation_code"], v.get("service_code")) for _, v in hierarchy.all_rows}
        for line, values in hierarchy.rows:
            parent = values["parent_service_code"]
            if parent and (line, "parent_service_code") not in hierarchy.bad:
                organisation = values["organisation_code"]
                if (organisation, parent) not in services:
                    problems.add(
                        hierarchy,
                        line,
                        "parent_service_code",
                        parent,
                        f"unknown parent_service_code (not a service_code of organisation_code '{organisation}')",
                    )


def _check_indicator_rules(seeds: dict[str, _Seed], problems: _Problems) -> None:
    """What a rule kind needs: a tolerance for the tolerance rules, a number of months for months_earlier."""
    rules = seeds.get("indicator_rules")
    needs = (
        ("rag_rule", ("target_tolerance_absolute", "target_tolerance_relative"), "amber_tolerance"),
        ("direction_basis", ("months_earlier",), "direction_months"),
    )
    if rules is None:
        return
    for line, values in rules.rows:
        for column, kinds, needed in needs:
            if not (rules.has(column) and rules.has(needed)) or (line, column) in rules.bad:
                continue
            kind, amount = values[column], values[needed].strip()
            if kind in kinds and not amount:
                problems.add(rules, line, needed, amount, f"{column} {kind} needs {needed}")
            elif kind not in kinds and amount:
                problems.add(rules, line, needed, amount, f"{needed} applies only to {column} {' or '.join(kinds)}")
            elif amount:
                try:
                    number = Decimal(amount)
                except InvalidOperation:
                    problems.add(rules, line, needed, amount, "not a number")
                    continue
                if needed == "direction_months" and (number < 1 or number != int(number)):
                    problems.add(rules, line, needed, amount, "must be a whole number of months, 1 or more")
                elif number < 0:
                    problems.add(rules, line, needed, amount, "must be 0 or more")


def _check_budget_units(seeds: dict[str, _Seed], problems: _Problems) -> None:
    """A council's budget_unit must be money (a unit with pounds_per_unit): the loader converts from it."""
    organisations, units = seeds.get("organisations"), seeds.get("units")
    if organisations is None or units is None or not organisations.has("budget_unit"):
        return
    if not (units.has("unit") and units.has("pounds_per_unit")):
        return  # the units seed's own problem is reported already
    pounds = {
        values.get("unit"): (values.get("pounds_per_unit") or "", (line, "pounds_per_unit") in units.bad)
        for line, values in units.all_rows
    }
    for line, values in organisations.rows:
        unit = values["budget_unit"]
        if not unit or (line, "budget_unit") in organisations.bad or unit not in pounds or pounds[unit][1]:
            continue  # empty is £000; an unknown unit or a bad pounds_per_unit is reported as such
        if not (_number(pounds[unit][0]) or 0) > 0:
            problems.add(
                organisations,
                line,
                "budget_unit",
                unit,
                f"not a money unit: {units.display} gives it no pounds_per_unit (use gbp, gbp_thousands, gbp_millions)",
            )


def _check_order(seeds: dict[str, _Seed], problems: _Problems) -> None:
    for name, low, high in _ORDERED:
        seed = seeds.get(name)
        if seed is None or not (seed.has(low) and seed.has(high)):
            continue
        dates = seed.types.get(low) == "date"
        for line, values in seed.rows:
            if (line, low) in seed.bad or (line, high) in seed.bad:
                continue
            lower, upper = values[low], values[high]
            first, last = (_date(lower), _date(upper)) if dates else (_number(lower), _number(upper))
            if first is not None and last is not None and first > last:
                word = "after" if dates else "greater than"
                problems.add(seed, line, low, lower, f"{low} {lower} is {word} {high} {upper}")


def _number(value: str) -> float | None:
    return float(value) if _DECIMAL.fullmatch(value) else None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if _ISO_DATE.fullmatch(value) else None
    except ValueError:
        return None


def main(folder: Path | None = None) -> int:
    """`scorecard check-reference`: print each problem to stderr and a summary; 1 if any problem."""
    folder = reference_dir() if folder is None else Path(folder)
    problems = check_reference(folder)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"reference data: {len(problems)} problem(s) in {folder}")
        return 1
    print(f"reference data OK: {len(list(folder.glob('*.csv')))} files checked in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else None))


def fingerprint(folder: Path | None = None) -> str:
    """A hash of the reference seeds as they are now: it changes whenever a seed is edited.

    The landing sensor keys the files it has seen by their hash and this, so a file
    refused for an unknown code and landed again unchanged after the seed was fixed
    is loaded again.
    """
    import hashlib

    folder = Path(folder or reference_dir())
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
