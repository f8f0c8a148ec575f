"""Write, audit, publish: readers never see a half-built warehouse or a lock.

DuckDB allows one writing process, and a reader of a file blocks its writer.
So loads and dbt write only the working file; once a build and its blocking
tests have passed, `publish` stamps the working file with a build id and the
row count of every mart (`marts.build_info`), and writes the published file
beside the old one under a temporary name. The published file holds the
`marts` schema and nothing else: the raw text, staging, intermediate and
reference tables stay in the working file. From it come the exports (Parquet
and CSV of every mart, a workbook per council, a manifest; see
scorecard/exports.py), written into a temporary folder beside `exports/`.

Only when both are complete are they renamed into place: the exports folder
first (swapped atomically on Linux), then the file. A rename is atomic: a
reader opens either the old file or the new one, never a mix, and readers
already connected keep the old file open until they disconnect. A failed build
never reaches this step, and a failure while publishing (an export that cannot
be written, a full disk) leaves the published file and the exports byte for
byte as they were.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from scorecard.contracts import RETRACTIONS_TABLE
from scorecard.exports import fsync_dir, fsync_file, sql_literal, write_exports
from scorecard.settings import dbt_target_dir, published_path, raw_schema, warehouse_path

MARTS_SCHEMA = "marts"
EXPORTS_DIRNAME = "exports"
LEFTOVER_SECONDS = 3600  # temporary files older than this are from an interrupted publish


class NotPublishable(RuntimeError):
    """The last build did not pass (or is older than the last load): nothing is published."""


class ExportFailed(NotPublishable):
    """An export could not be written: nothing is published, the previous file and exports are unchanged."""


def check_last_build(working: Path | None, run_results: Path | None = None, *, connection=None) -> None:
    """Refuse to publish unless the last `dbt build` (target/run_results.json) passed and came after the last load.

    Every node must have passed (a skipped node sat downstream of a failure), and
    no load or retraction may be newer than the build: readers get what was tested.
    """
    run_results = Path(run_results or dbt_target_dir() / "run_results.json")
    if not run_results.exists():
        raise NotPublishable(f"no build to publish: {run_results} is missing; run `dbt build` first")
    run = json.loads(run_results.read_text(encoding="utf-8"))
    which = run.get("args", {}).get("which")
    if which != "build":
        raise NotPublishable(f"the last dbt command was `dbt {which}`, not `dbt build`: build, then publish")
    # Exposures and saved queries are not run: dbt reports them as "no-op".
    bad = [r for r in run.get("results", []) if r.get("status") not in ("success", "pass", "warn", "no-op")]
    if bad:
        names = ", ".join(f"{r['unique_id'].split('.')[-1]} ({r['status']})" for r in bad[:3])
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        raise NotPublishable(f"the last build did not pass: {names}{more}; the published file is unchanged")
    built = datetime.fromisoformat(run["metadata"]["generated_at"].replace("Z", "+00:00")).replace(tzinfo=None)
    if connection is not None:  # the PostgreSQL warehouse (scorecard/postgres.py)
        latest = _latest_change(connection)
    else:
        with duckdb.connect(str(working), read_only=True) as con:
            latest = _latest_change(con)
    if latest and latest > built:
        raise NotPublishable(f"files were loaded or retracted at {latest:%Y-%m-%d %H:%M:%S} UTC, after the last "
                             f"build ({built:%H:%M:%S}): build again, then publish")  # fmt: skip


def _latest_change(con) -> datetime | None:
    """When raw last changed: the newest load or retraction."""
    tables = [
        (schema, name) for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema = ?", [raw_schema()]
        ).fetchall()
    ]  # fmt: skip
    times = []
    for schema, name in tables:
        column = "retracted_at" if name == RETRACTIONS_TABLE else "_loaded_at"
        times.append(con.execute(f'select max("{column}") from "{schema}"."{name}"').fetchone()[0])
    times = [t for t in times if t is not None]
    return max(times) if times else None


@dataclass
class Publication:
    build_id: str
    published: Path
    mart_rows: dict[str, int]
    exports: Path | None = None
    manifest: dict[str, Any] = field(default_factory=dict)


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in every table (or view) of the marts schema but build_info."""
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = ? "
        "and table_type in ('BASE TABLE', 'VIEW') and table_name <> 'build_info' order by 1",
        [MARTS_SCHEMA],
    ).fetchall()
    return {name: con.execute(f'select count(*) from "{MARTS_SCHEMA}"."{name}"').fetchone()[0] for (name,) in tables}


def exports_dir(published: Path | None = None) -> Path:
    """The exports folder beside the published file."""
    return Path(published or published_path()).parent / EXPORTS_DIRNAME


def publish(
    working: Path | None = None,
    published: Path | None = None,
    build_id: str | None = None,
    *,
    run_results: Path | None = None,
    require_passing_build: bool = True,
) -> Publication:
    """Stamp the working file with a build id and publish its marts, and their exports, atomically.

    Refuses (NotPublishable) unless the last build passed and is newer than the
    last load; Dagster, whose graph only reaches the publish step after a passing
    build, passes require_passing_build=False. Raises ExportFailed, with the
    published file and exports unchanged, when an export cannot be written.
    """
    working = Path(working or warehouse_path())
    published = Path(published or published_path())
    if require_passing_build:
        check_last_build(working, run_results)
    build_id = build_id or uuid.uuid4().hex
    published_at = datetime.now(UTC).replace(tzinfo=None)
    exports = exports_dir(published)
    published.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(published, exports)
    tag = re.sub(r"[^A-Za-z0-9_-]", "_", build_id)[:80]
    staged = published.with_name(f".{published.name}.{tag}.tmp")
    staged_exports = exports.with_name(f".{exports.name}.{tag}.tmp")
    if staged_exports.exists():  # from an interrupted publish of the same build id
        shutil.rmtree(staged_exports)
    previous = None
    try:
        counts = _write_marts(working, staged, build_id, published_at)
        try:
            manifest = write_exports(staged, staged_exports, build_id, published_at, published.name)
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else ""
            raise ExportFailed(f"could not write the exports ({type(exc).__name__}: {reason}); "
                               "the published file and exports are unchanged") from exc  # fmt: skip
        previous = _swap_in(staged_exports, exports)
        try:
            os.replace(staged, published)
        except BaseException:
            _swap_back(staged_exports, exports, previous)
            previous = None
            raise
        fsync_dir(published.parent)
    finally:
        for leftover in (staged, Path(f"{staged}.wal")):
            leftover.unlink(missing_ok=True)
        if staged_exports.exists():
            shutil.rmtree(staged_exports, ignore_errors=True)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)
    return Publication(build_id, published, counts, exports, manifest)


def _write_marts(working: Path, staged: Path, build_id: str, published_at: datetime) -> dict[str, int]:
    """Stamp the working file, then copy its marts (views as tables) into a new DuckDB file `staged`."""
    staged.unlink(missing_ok=True)
    with duckdb.connect(str(working)) as con:
        counts = mart_row_counts(con)
        con.execute(f"create schema if not exists {MARTS_SCHEMA}")
        con.execute(
            f"create or replace table {MARTS_SCHEMA}.build_info as "
            "select ? as build_id, cast(? as timestamp) as published_at, ? as mart_row_counts",
            [build_id, published_at, json.dumps(counts, sort_keys=True)],
        )
        con.execute("checkpoint")
        catalog = con.execute("select current_database()").fetchone()[0]
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_catalog = ? and table_schema = ? "
                "and table_type in ('BASE TABLE', 'VIEW') order by 1",
                [catalog, MARTS_SCHEMA],
            ).fetchall()
        ]
        # A new file holding only the marts: every column keeps its type (decimals, dates, booleans).
        con.execute(f"attach {sql_literal(staged)} as publish_target")
        try:
            con.execute(f"create schema publish_target.{MARTS_SCHEMA}")
            for name in names:
                con.execute(
                    f'create table publish_target.{MARTS_SCHEMA}."{name}" as '
                    f'select * from "{catalog}".{MARTS_SCHEMA}."{name}"'
                )
            con.execute("checkpoint publish_target")
        finally:
            con.execute("detach publish_target")
    if Path(f"{staged}.wal").exists():
        raise OSError(f"{staged.name}: DuckDB left a write-ahead log after the checkpoint; nothing was published")
    fsync_file(staged)
    return counts


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _swap_in(new: Path, current: Path) -> Path | None:
    """Put the folder `new` in place of `current`; return where the previous folder now is (to delete), if any."""
    if not current.exists():
        os.rename(new, current)
        return None
    if _exchange(new, current):
        return new
    # Elsewhere: two renames; `current` is missing for the moment between them.
    old = current.with_name(f"{new.name}.old")
    os.rename(current, old)
    try:
        os.rename(new, current)
    except BaseException:
        os.rename(old, current)
        raise
    return old


def _swap_back(new: Path, current: Path, previous: Path | None) -> None:
    """Undo _swap_in: the previous folder back at `current` (or no folder, if there was none)."""
    if previous is None:
        os.rename(current, new)
    elif previous == new:
        if not _exchange(new, current):
            old = current.with_name(f"{new.name}.undo")
            os.rename(current, old)
            os.rename(new, current)
            os.rename(old, new)
    else:
        os.rename(current, new)
        os.rename(previous, current)


def _remove_leftovers(published: Path, exports: Path) -> None:
    """Temporary files and folders of a publish that was interrupted (killed) more than an hour ago."""
    cutoff = time.time() - LEFTOVER_SECONDS
    for pattern in (f".{published.name}.*.tmp", f".{published.name}.*.tmp.wal", f".{exports.name}.*"):
        for path in published.parent.glob(pattern):
            with contextlib.suppress(OSError):
                if path.lstat().st_mtime < cutoff:
                    shutil.rmtree(path) if path.is_dir() else path.unlink()


def read_build(published: Path | None = None) -> tuple[str, dict[str, int], dict[str, int]]:
    """Open the published file read-only: its build id, the counts it promises and the counts it holds."""
    with duckdb.connect(str(published or published_path()), read_only=True) as con:
        build_id, promised = con.execute(f"select build_id, mart_row_counts from {MARTS_SCHEMA}.build_info").fetchone()
        return build_id, json.loads(promised), mart_row_counts(con)
