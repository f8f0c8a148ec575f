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
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from scorecard import values as v
from scorecard.contracts import CONTRACTS, METADATA_COLUMNS, ExtractContract
from scorecard.readers import FileProblem, Row, Table, find_tables, read_grids
from scorecard.settings import SAMPLE_DATA_DIR, quarantine_dir, raw_schema, settle_seconds, warehouse_path

EXTRACT_SUFFIXES = (".csv", ".xlsx", ".xlsm")
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
    status: str  # 'loaded', 'skipped', 'valid' (dry run) or 'rejected' ('pending' while its batch is written)
    rows: int = 0
    sha256: str = ""
    messages: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    report: Path | None = None


# --------------------------------------------------------------------------- schema


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, schema: str | None = None) -> None:
    """Create the raw schema and one table per extract contract if missing."""
    schema = schema or raw_schema()
    con.execute(f'create schema if not exists "{schema}"')
    for contract in CONTRACTS.values():
        cols = [f'"{name}" varchar' for name in contract.column_names]
        cols += [f'"{name}" {dtype}' for name, dtype in METADATA_COLUMNS]
        con.execute(f'create table if not exists "{schema}"."{contract.table}" ({", ".join(cols)})')


def contract_for(path: Path) -> ExtractContract:
    """The contract a file belongs to, from its name: `<extract>[_anything].<csv|xlsx>`."""
    stem = path.stem.lower()
    for name in sorted(CONTRACTS, key=len, reverse=True):
        if stem == name or stem.startswith((name + "_", name + "-")):
            return CONTRACTS[name]
    known = ", ".join(sorted(CONTRACTS))
    raise ExtractError(path, [Problem(path.name, None, None, None, None,
                                      f"file name does not name an extract type ({known})")])  # fmt: skip


# --------------------------------------------------------------------------- checks


def _check_rows(path: Path, contract: ExtractContract, tables: list[Table]) -> list[Problem]:
    problems: list[Problem] = []
    ref = v.Reference.load()
    codes = ref.codes
    rags, polarities = ref.rag_codes, ref.polarity_codes
    declared_month = v.file_month(path)
    declared_column = "report_month" if contract.name == "budget_outturn" else "reported_in"
    report_months: set = set()
    seen_keys: dict[tuple, int] = {}

    def add(row: Row, column: str | None, value: str | None, reason: str) -> None:
        source = row.sources.get(column or "", column)
        problems.append(Problem(path.name, row.sheet, row.row_number, source, value, reason))

    for table in tables:
        for row in table.rows:
            vals = row.values
            for col in contract.columns:
                text = vals.get(col.name, "")
                stripped = text.strip()
                if not stripped:
                    if col.required:
                        add(row, col.name, text, "required value is empty")
                    continue
                if col.kind == "code":
                    key = (
                        (vals.get("organisation_code", "").strip(), stripped) if col.lookup == "services" else stripped
                    )
                    if key not in codes[col.lookup]:
                        where = {
                            "organisations": "organisations",
                            "indicators": "indicators",
                            "workforce_measures": "workforce_measures",
                            "services": "service_hierarchy",
                        }
                        seed = where[col.lookup]
                        add(row, col.name, text, f"unknown code: not in seeds/reference/{seed}.csv")
                elif col.kind == "period":
                    if not v.parse_period(stripped):
                        add(
                            row,
                            col.name,
                            text,
                            "not a month (Apr-17, 2017-04), quarter (Q3 2016/17) or year (2016/17)",
                        )
                elif col.kind == "month":
                    if not v.parse_month(stripped):
                        add(row, col.name, text, "not a month (Apr-17 or 2017-04)")
                elif col.kind in ("figure", "money", "score"):
                    _check_number(row, col, stripped, vals, ref, contract, add)
                elif col.kind == "rag" and stripped.lower() not in rags:
                    add(row, col.name, text, "not a RAG status in seeds/reference/rag_codes.csv")
                elif col.kind == "polarity" and stripped.lower() not in polarities:
                    add(row, col.name, text, "not a polarity in seeds/reference/polarity_codes.csv")
            declared = v.parse_month(vals.get(declared_column, ""))
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
            if all(key):
                norm_key = tuple(_normal_key(c, k) for c, k in zip(contract.grain, key, strict=True))
                if norm_key in seen_keys:
                    add(row, None, " / ".join(key),
                        f"duplicate {', '.join(contract.grain)} (first on row {seen_keys[norm_key]})")  # fmt: skip
                else:
                    seen_keys[norm_key] = row.row_number
    if len(report_months) > 1:
        months = ", ".join(sorted(v.month_label(m) for m in report_months))
        problems.append(Problem(path.name, None, None, declared_column, months,
                                "a file holds one report: every row must have the same month"))  # fmt: skip
    return problems


def _normal_key(column: str, text: str):
    if column in ("period", "reported_in", "report_month", "plan_month"):
        parsed = v.parse_period(text)
        return parsed[0] if parsed else text
    return text


def _check_number(row, col, text, vals, ref: v.Reference, contract, add) -> None:
    if v.is_excel_error(text):
        add(row, col.name, text, "Excel error value")
        return
    fig = v.parse_figure(text, ref.placeholders)
    if col.kind in ("money", "score") and fig.status not in ("reported", "blank", "not_available"):
        add(row, col.name, text, "not a number")
        return
    if fig.status == "unparseable":
        add(
            row,
            col.name,
            text,
            "not a number or a known placeholder (seeds/reference/value_placeholders.csv)",
        )
        return
    if fig.number is None:
        return
    if col.kind == "score":
        if fig.number != int(fig.number) or not 1 <= fig.number <= 25:
            add(row, col.name, text, "risk score must be a whole number from 1 to 25")
        return
    unit = None
    if contract.name == "indicator_values":
        unit = ref.indicator_units.get(vals.get("indicator_code", "").strip())
    elif contract.name == "workforce":
        unit = ref.measure_units.get(vals.get("measure_code", "").strip())
    if unit == "percentage":
        percent = v.parse_figure(v.normalise_percentage(text, ref.placeholders), ref.placeholders).number
        if not 0 <= percent <= 100:
            add(row, col.name, text, "percentage outside 0-100")
    elif unit in ("count", "fte", "days", "average", "gbp_thousands") and fig.number < 0:
        add(row, col.name, text, f"negative value for a {unit} measure")
    elif col.min_value is not None and fig.number < col.min_value:
        add(row, col.name, text, f"below the minimum {col.min_value:g}")
    if unit == "count" and fig.number != int(fig.number):
        add(row, col.name, text, "a count must be a whole number")
    if fig.numerator is not None and fig.denominator is not None and fig.numerator > fig.denominator:
        add(row, col.name, text, "numerator above denominator")


def _canonical(contract: ExtractContract, row: Row, ref: v.Reference) -> list[str]:
    """Row values in contract order; percentages written without % become `92.6%`."""
    vals = row.values
    if contract.name in ("indicator_values", "workforce") and vals.get("value", "").strip():
        if contract.name == "indicator_values":
            unit = ref.indicator_units.get(vals["indicator_code"].strip())
        else:
            unit = ref.measure_units.get(vals["measure_code"].strip())
        if unit == "percentage":
            vals = {**vals, "value": v.normalise_percentage(vals["value"], ref.placeholders)}
    return [vals.get(c, "") for c in contract.column_names]


# --------------------------------------------------------------------------- loading


def _unsettled(files: list[Path], seconds: float) -> dict[Path, Problem]:
    """Files whose size changes within `seconds` (still being written): one wait for the whole batch."""
    if seconds <= 0 or not files:
        return {}
    before = {f: f.stat().st_size for f in files if f.exists()}
    time.sleep(seconds)
    problems = {}
    for f, size in before.items():
        after = f.stat().st_size if f.exists() else -1
        if after != size:
            reason = f"file is still being written (size changed from {size} to {after} bytes)"
            problems[f] = Problem(f.name, None, None, None, None, reason)
    return problems


def check_file(path: Path) -> tuple[ExtractContract, list[Table], list[Problem]]:
    """Read and check a file; return its tables and every problem found (empty when loadable)."""
    contract = contract_for(path)
    try:
        tables = find_tables(read_grids(path), contract)
    except FileProblem as exc:
        value = None
        return contract, [], [Problem(path.name, exc.sheet, exc.row, exc.column, value, exc.reason)]
    if not any(t.rows for t in tables):
        return contract, tables, [Problem(path.name, tables[0].sheet, tables[0].header_row, None, None,
                                          "file has a header but no rows")]  # fmt: skip
    return contract, tables, _check_rows(path, contract, tables)


def write_rejects_report(path: Path, problems: list[Problem], folder: Path) -> Path:
    """Write `<file>.rejects.csv` and `<file>.rejects.txt` into `folder`; return the CSV's path."""
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / f"{path.name}.rejects.csv"
    with report.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "sheet", "row", "column", "value", "reason"])
        for p in problems:
            writer.writerow([p.file, p.sheet or "", p.row or "", p.column or "", p.value or "", p.reason])
    lines = [
        f"{path.name} was refused: nothing from it was loaded.",
        f"Fix the {len(problems)} problem(s) below and land the corrected file again.",
        "",
        *(f"- {p}" for p in problems),
    ]
    (folder / f"{path.name}.rejects.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def _quarantine(path: Path, problems: list[Problem], folder: Path, move: bool) -> Path:
    report = write_rejects_report(path, problems, folder)
    if move:
        target = folder / path.name
        if target.exists():
            target = folder / f"{path.stem}.{datetime.now(UTC):%Y%m%dT%H%M%S%f}{path.suffix}"
        shutil.move(str(path), target)
    return report


def _write_batch(con, batch: list[LoadResult], tables_of: dict[Path, list[Table]], is_sample: bool) -> None:
    """Insert the rows of checked files in one transaction: one bulk insert per raw table.

    Every file in the batch was checked whole first, so the batch either commits
    whole or (on a database error) rolls back whole, and earlier loads are untouched.
    """
    if not batch:
        return
    schema = raw_schema()
    loaded_at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    ref = v.Reference.load()
    by_contract: dict[str, list[LoadResult]] = {}
    for result in batch:
        by_contract.setdefault(result.extract, []).append(result)
    with tempfile.TemporaryDirectory() as tmp:
        con.execute("begin transaction")
        try:
            for name, results in by_contract.items():
                contract = CONTRACTS[name]
                staging = Path(tmp) / f"{name}.csv"
                with staging.open("w", newline="", encoding="utf-8") as fh:
                    writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
                    for result in results:
                        for table in tables_of[result.file]:
                            for row in table.rows:
                                writer.writerow([*_canonical(contract, row, ref), result.file.name, result.sha256,
                                                 table.sheet or "", row.row_number, loaded_at, is_sample])  # fmt: skip
                _insert_csv(con, schema, contract, staging)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    for result in batch:
        result.status = "loaded"


def _insert_csv(con, schema: str, contract: ExtractContract, staging: Path) -> None:
    columns = contract.column_names + [name for name, _ in METADATA_COLUMNS]
    names = ", ".join(f'"{c}"' for c in columns)
    casts = ", ".join(
        f"cast(nullif(\"column{i:02d}\", '') as {dtype})" if dtype != "varchar" else f'"column{i:02d}"'
        for i, dtype in enumerate(["varchar"] * len(contract.column_names) + [d for _, d in METADATA_COLUMNS])
    )
    con.execute(
        f'insert into "{schema}"."{contract.table}" ({names}) select {casts} from read_csv(?, header = false, '
        "all_varchar = true, quote = '\"', escape = '\"', delim = ',', strict_mode = true, "
        "null_padding = false, auto_detect = false, "
        f"columns = {{{', '.join(repr(f'column{i:02d}') + ': ' + repr('VARCHAR') for i in range(len(columns)))}}})",
        [str(staging)],
    )


def _loaded_hashes(con) -> dict[str, set[str]]:
    """The SHA-256 of every file already loaded, per extract (read once per load, not once per file)."""
    schema = raw_schema()
    return {
        name: {sha for (sha,) in con.execute(f'select distinct _file_sha256 from "{schema}"."{c.table}"').fetchall()}
        for name, c in CONTRACTS.items()
    }


def _prepare(
    path: Path,
    loaded: dict[str, set[str]],
    *,
    is_sample: bool,
    dry_run: bool,
    quarantine: Path | None,
    unsettled: Problem | None,
) -> tuple[LoadResult, list[Table]]:
    """Check one file; the result is 'rejected', 'skipped', 'valid' (dry run) or 'pending' (to be written)."""
    path = Path(path)
    folder = quarantine or quarantine_dir()
    try:
        contract = contract_for(path)
    except ExtractError as exc:
        report = _quarantine(path, exc.problems, folder, move=not dry_run and not is_sample)
        return LoadResult(path, "unknown", "rejected", problems=exc.problems, report=report), []
    if unsettled:
        # Not moved: whoever is writing it still has it open. It is checked again when it settles.
        report = write_rejects_report(path, [unsettled], folder)
        return LoadResult(path, contract.name, "rejected", problems=[unsettled], report=report), []
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    if sha256 in loaded[contract.name]:
        return LoadResult(path, contract.name, "skipped", 0, sha256, ["identical file already loaded"]), []
    contract, tables, problems = check_file(path)
    if problems:
        report = _quarantine(path, problems, folder, move=not dry_run and not is_sample)
        return LoadResult(path, contract.name, "rejected", 0, sha256, problems=problems, report=report), []
    rows = sum(len(t.rows) for t in tables)
    if dry_run:
        return LoadResult(path, contract.name, "valid", rows, sha256, ["dry run: nothing loaded"]), []
    return LoadResult(path, contract.name, "pending", rows, sha256), tables


def extract_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and the extract files in named folders (not in their quarantine)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in EXTRACT_SUFFIXES))
        else:
            files.append(p)
    return files


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

    With raise_on_reject (the default for callers that load one known-good file
    set) the first refused file raises ExtractError; the CLI and the
    orchestration pass False and read each result's status instead.
    """
    database = Path(database or warehouse_path())
    database.parent.mkdir(parents=True, exist_ok=True)
    files = extract_files(paths)
    unsettled = _unsettled(files, settle_seconds() if settle is None else settle)
    results: list[LoadResult] = []
    with duckdb.connect(str(database)) as con:
        ensure_raw_tables(con)
        loaded = _loaded_hashes(con)
        batch: list[LoadResult] = []
        tables_of: dict[Path, list[Table]] = {}
        batch_rows = 0
        for i, f in enumerate(files, start=1):
            if progress:
                progress(i, len(files), f)
            result, tables = _prepare(f, loaded, is_sample=is_sample, dry_run=dry_run, quarantine=quarantine,
                                      unsettled=unsettled.get(f))  # fmt: skip
            results.append(result)
            if result.status == "pending":
                loaded[result.extract].add(result.sha256)  # the same content twice in one call loads once
                batch.append(result)
                tables_of[result.file] = tables
                batch_rows += result.rows
            if batch_rows >= BATCH_ROWS or (result.status == "rejected" and raise_on_reject):
                _write_batch(con, batch, tables_of, is_sample)
                batch, tables_of, batch_rows = [], {}, 0
            if result.status == "rejected" and raise_on_reject:
                raise ExtractError(f, result.problems)
        _write_batch(con, batch, tables_of, is_sample)
    return results


def load_sample(database: Path | None = None) -> list[LoadResult]:
    """Load the bundled sample extracts (flagged as sample rows). They are never quarantined."""
    return load_paths([SAMPLE_DATA_DIR], database, is_sample=True, settle=0, quarantine=Path(tempfile.gettempdir()))
