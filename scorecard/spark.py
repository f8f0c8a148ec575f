"""The warehouse on Apache Spark (SCORECARD_TARGET=spark): the loader's raw tables as Parquet files.

**Where raw lives.** On Spark the loader writes no database: each accepted batch is one Parquet
file per raw table, `<raw dir>/<table>/load=<load id>/part-0.parquet` (SCORECARD_SPARK_RAW_DIR,
default `<SCORECARD_SPARK_DIR>/raw`), the way a platform team lands files in a lake. Raw stays
append-only: a later load is a new folder beside the old ones, and a retraction is a file in
`retractions/`. dbt registers each folder as an external Parquet table in the raw schema at the
start of every run, with the column types of the sources file, and refreshes its listing
(macros/cross_db/register_raw_tables.sql), so a build reads every load committed before it began.

**The same checks, refusals and history.** The loader runs unchanged on a `Connection` from this
module: an in-memory DuckDB whose raw tables are views over those files plus the batch being
written, so the hashes of earlier loads, the retractions and `scorecard loads` are read by the
same SQL as on the other engines. An insert into a raw table goes to the pending batch.

**A batch is whole or absent.** At commit each pending table is written to a hidden folder
(`.load=<id>.tmp`, which Spark and these views skip) and only then renamed into place; a failure
removes what was written and raises, and earlier loads are untouched. One writer at a time: an
exclusive lock on `<raw dir>/.lock`, waited for as a busy DuckDB file is.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

PENDING_SCHEMA = "_pending"
LOCK_FILE = ".lock"


class SparkRawError(RuntimeError):
    """One line: what could not be done with the raw Parquet location, and that nothing changed."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def new_load_id() -> str:
    """A load's folder name: sorts by time (UTC, to the microsecond), unique by its random tail."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:8]


def load_folders(raw_dir: Path, table: str) -> list[Path]:
    """The committed loads of one raw table, oldest first."""
    return sorted((raw_dir / table).glob("load=*/"))


class Connection:
    """The loader's connection on Spark: raw tables read from Parquet, new rows written as Parquet.

    `tables` maps each raw table to its columns, [(name, DuckDB type)], as the loader declares them.
    With `write`, the raw folder is created and locked for this connection's life (`wait` seconds
    for another loader first, then SparkRawError).
    """

    dialect = "spark"

    def __init__(self, raw_dir: Path, schema: str, tables: dict[str, list[tuple[str, str]]], *,
                 write: bool, wait: float = 0) -> None:  # fmt: skip
        self.raw_dir = Path(raw_dir)
        self.schema = schema
        self.tables = tables
        self._lock = None
        if write:
            self.raw_dir.mkdir(parents=True, exist_ok=True)
            self._lock = self._take_lock(wait)
            for leftover in self.raw_dir.glob("*/.load=*.tmp"):  # a commit killed half-way wrote no folder
                shutil.rmtree(leftover, ignore_errors=True)
        self.db = duckdb.connect()
        self.db.execute(f'create schema "{schema}"')
        self.db.execute(f'create schema "{PENDING_SCHEMA}"')
        for table, columns in tables.items():
            cols = ", ".join(f'"{name}" {dtype}' for name, dtype in columns)
            self.db.execute(f'create table "{PENDING_SCHEMA}"."{table}" ({cols})')
        self._views()

    def _take_lock(self, wait: float):
        handle = (self.raw_dir / LOCK_FILE).open("a")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise SparkRawError(
                        f"{self.raw_dir}: another load is writing the raw files; nothing was loaded: "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.2)

    def _views(self) -> None:
        """Each raw table as a view: every committed load's file, then the pending batch."""
        for table, columns in self.tables.items():
            names = ", ".join(f'"{name}"' for name, _ in columns)
            pending = f'select {names} from "{PENDING_SCHEMA}"."{table}"'
            if load_folders(self.raw_dir, table):
                files = _literal(str(self.raw_dir / table / "load=*" / "*.parquet"))
                stored = f"select * from read_parquet({files}, union_by_name = true, hive_partitioning = false)"
                body = f"select {names} from ({stored} union all by name {pending})"
            else:
                body = pending
            self.db.execute(f'create or replace view "{self.schema}"."{table}" as {body}')

    # ------------------------------------------------------------------ the DuckDB calls the loader makes

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Connection:
        statement = sql.strip().rstrip(";").lower()
        if statement in ("begin", "begin transaction"):
            return self
        if statement == "commit":
            self.commit()
            return self
        if statement == "rollback":
            self.rollback()
            return self
        prefix = f'insert into "{self.schema}".'
        if sql.lstrip().lower().startswith(prefix):
            sql = f'insert into "{PENDING_SCHEMA}".' + sql.lstrip()[len(prefix) :]
        self.db.execute(sql, params)
        return self

    def fetchall(self) -> list[tuple]:
        return self.db.fetchall()

    def fetchone(self) -> tuple | None:
        return self.db.fetchone()

    def commit(self) -> None:
        """Write each pending table as one Parquet file of a new load, all renamed into place at the end."""
        written: list[tuple[Path, Path]] = []
        load_id = new_load_id()
        try:
            for table in self.tables:
                if not self.db.execute(f'select count(*) from "{PENDING_SCHEMA}"."{table}"').fetchone()[0]:
                    continue
                hidden = self.raw_dir / table / f".load={load_id}.tmp"
                hidden.mkdir(parents=True)
                written.append((hidden, self.raw_dir / table / f"load={load_id}"))
                self.db.execute(
                    f'copy "{PENDING_SCHEMA}"."{table}" to {_literal(str(hidden / "part-0.parquet"))} (format parquet)'
                )
            for hidden, folder in written:
                hidden.rename(folder)
        except (OSError, duckdb.Error) as exc:
            for hidden, folder in written:
                shutil.rmtree(hidden, ignore_errors=True)
                shutil.rmtree(folder, ignore_errors=True)
            self.rollback()
            cause = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SparkRawError(f"could not write raw Parquet under {self.raw_dir}: {cause}") from None
        self._clear()
        if written:
            self._views()

    def rollback(self) -> None:
        self._clear()

    def _clear(self) -> None:
        for table in self.tables:
            self.db.execute(f'delete from "{PENDING_SCHEMA}"."{table}"')

    def close(self) -> None:
        try:
            if self._lock is not None:
                self.commit()
        finally:
            self.db.close()
            if self._lock is not None:
                with contextlib.suppress(OSError):
                    fcntl.flock(self._lock, fcntl.LOCK_UN)
                self._lock.close()
                self._lock = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            self.rollback()
        self.close()
