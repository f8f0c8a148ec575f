"""Write, audit, publish: readers never see a half-built warehouse or a lock.

DuckDB allows one writing process, and a reader of a file blocks its writer.
So loads and dbt write only the working file; once a build and its blocking
tests have passed, `publish` stamps the working file with a build id and the
row count of every mart, copies it beside the published file and renames the
copy over it. A rename is atomic: a reader opens either the old file or the new
one, never a mix, and readers already connected keep the old file open until
they disconnect. A failed build never reaches this step, so the published file
is left byte for byte as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from scorecard.contracts import RETRACTIONS_TABLE
from scorecard.settings import dbt_target_dir, published_path, raw_schema, warehouse_path

MARTS_SCHEMA = "marts"


class NotPublishable(RuntimeError):
    """The last build did not pass (or is older than the last load): nothing is published."""


def check_last_build(working: Path, run_results: Path | None = None) -> None:
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
    bad = [r for r in run.get("results", []) if r.get("status") not in ("success", "pass", "warn")]
    if bad:
        names = ", ".join(f"{r['unique_id'].split('.')[-1]} ({r['status']})" for r in bad[:3])
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        raise NotPublishable(f"the last build did not pass: {names}{more}; the published file is unchanged")
    built = datetime.fromisoformat(run["metadata"]["generated_at"].replace("Z", "+00:00")).replace(tzinfo=None)
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


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' "
        "and table_name <> 'build_info' order by 1",
        [MARTS_SCHEMA],
    ).fetchall()
    return {name: con.execute(f'select count(*) from "{MARTS_SCHEMA}"."{name}"').fetchone()[0] for (name,) in tables}


def publish(
    working: Path | None = None,
    published: Path | None = None,
    build_id: str | None = None,
    *,
    run_results: Path | None = None,
    require_passing_build: bool = True,
) -> Publication:
    """Stamp the working file with a build id and publish a copy atomically.

    Refuses (NotPublishable) unless the last build passed and is newer than the
    last load; Dagster, whose graph only reaches the publish step after a passing
    build, passes require_passing_build=False.
    """
    working = Path(working or warehouse_path())
    published = Path(published or published_path())
    if require_passing_build:
        check_last_build(working, run_results)
    build_id = build_id or uuid.uuid4().hex
    with duckdb.connect(str(working)) as con:
        counts = mart_row_counts(con)
        con.execute(f"create schema if not exists {MARTS_SCHEMA}")
        con.execute(
            f"create or replace table {MARTS_SCHEMA}.build_info as "
            "select ? as build_id, cast(? as timestamp) as published_at, ? as mart_row_counts",
            [build_id, datetime.now(UTC).replace(tzinfo=None), json.dumps(counts, sort_keys=True)],
        )
        con.execute("checkpoint")
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.{build_id}.tmp")
    shutil.copyfile(working, staging)
    with staging.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(staging, published)
    return Publication(build_id, published, counts)


def read_build(published: Path | None = None) -> tuple[str, dict[str, int], dict[str, int]]:
    """Open the published file read-only: its build id, the counts it promises and the counts it holds."""
    with duckdb.connect(str(published or published_path()), read_only=True) as con:
        build_id, promised = con.execute(f"select build_id, mart_row_counts from {MARTS_SCHEMA}.build_info").fetchone()
        return build_id, json.loads(promised), mart_row_counts(con)
