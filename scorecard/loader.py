"""Load extract files into append-only raw tables in DuckDB.

Each raw table has one text column per contract column plus load metadata
(file name, SHA-256, sheet, row number, loaded at, sample flag). A file whose
content hash is already loaded is skipped, so loading is idempotent. A file
that breaks its contract is refused whole, with a message naming the file,
row, column and reason, and nothing is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from scorecard.contracts import CONTRACTS, METADATA_COLUMNS, ExtractContract
from scorecard.settings import SAMPLE_DATA_DIR, raw_schema, warehouse_path


class ExtractError(ValueError):
    """A file that breaks its extract contract."""

    def __init__(self, file: Path, row: int | None, column: str | None, reason: str):
        self.file, self.row, self.column, self.reason = file, row, column, reason
        where = f"{file}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {reason}")


@dataclass
class LoadResult:
    file: Path
    extract: str
    status: str  # 'loaded' or 'skipped'
    rows: int = 0
    sha256: str = ""
    messages: list[str] = field(default_factory=list)


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, schema: str | None = None) -> None:
    """Create the raw schema and one table per extract contract if missing."""
    schema = schema or raw_schema()
    con.execute(f'create schema if not exists "{schema}"')
    for contract in CONTRACTS.values():
        cols = [f'"{name}" varchar' for name in contract.column_names]
        cols += [f'"{name}" {dtype}' for name, dtype in METADATA_COLUMNS]
        con.execute(f'create table if not exists "{schema}"."{contract.table}" ({", ".join(cols)})')


def contract_for(path: Path) -> ExtractContract:
    """The contract a file belongs to, from its name: `<extract>[_anything].csv`."""
    stem = path.stem.lower()
    for name in sorted(CONTRACTS, key=len, reverse=True):
        if stem == name or stem.startswith(name + "_") or stem.startswith(name + "-"):
            return CONTRACTS[name]
    known = ", ".join(sorted(CONTRACTS))
    raise ExtractError(path, None, None, f"file name does not name an extract type ({known})")


def read_csv_rows(path: Path, contract: ExtractContract) -> list[list[str]]:
    """Rows of a long-format CSV, checked against the contract's columns."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ExtractError(path, None, None, "file is empty") from None
    header = [h.strip() for h in header]
    expected = contract.column_names
    for name in header:
        if name not in expected:
            raise ExtractError(path, 1, name, f"unexpected column (expected: {', '.join(expected)})")
    for name in expected:
        if name not in header:
            raise ExtractError(path, 1, name, "missing column")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise ExtractError(path, 1, dup, "duplicated column")
    order = [header.index(name) for name in expected]
    required = [c.name for c in contract.columns if c.required]
    rows: list[list[str]] = []
    for line_no, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise ExtractError(path, line_no, None, f"row has {len(record)} cells, header has {len(header)}")
        row = [record[i] for i in order]
        for name in required:
            if not row[expected.index(name)].strip():
                raise ExtractError(path, line_no, name, "required value is empty")
        rows.append([line_no, *row])
    if not rows:
        raise ExtractError(path, None, None, "file has a header but no rows")
    return rows


def load_file(con: duckdb.DuckDBPyConnection, path: Path, *, is_sample: bool = False) -> LoadResult:
    """Load one extract file; skip it when the same content is already loaded."""
    path = Path(path)
    contract = contract_for(path)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    schema = raw_schema()
    ensure_raw_tables(con, schema)
    table = f'"{schema}"."{contract.table}"'
    seen = con.execute(f"select count(*) from {table} where _file_sha256 = ?", [sha256]).fetchone()
    if seen and seen[0]:
        return LoadResult(path, contract.name, "skipped", 0, sha256, ["identical file already loaded"])
    rows = read_csv_rows(path, contract)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    records = [[*row[1:], path.name, sha256, None, row[0], loaded_at, is_sample] for row in rows]
    columns = contract.column_names + [name for name, _ in METADATA_COLUMNS]
    placeholders = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    con.execute("begin transaction")
    try:
        con.executemany(f"insert into {table} ({names}) values ({placeholders})", records)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return LoadResult(path, contract.name, "loaded", len(records), sha256)


def load_paths(
    paths: list[Path], database: Path | None = None, *, is_sample: bool = False
) -> list[LoadResult]:
    """Load files (or every .csv in folders) into the warehouse, one transaction per file."""
    database = database or warehouse_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        files.extend(sorted(p.glob("*.csv")) if p.is_dir() else [p])
    results = []
    with duckdb.connect(str(database)) as con:
        ensure_raw_tables(con)
        for f in files:
            results.append(load_file(con, f, is_sample=is_sample))
    return results


def load_sample(database: Path | None = None) -> list[LoadResult]:
    """Load the bundled sample extracts (flagged as sample rows)."""
    return load_paths([SAMPLE_DATA_DIR], database, is_sample=True)
