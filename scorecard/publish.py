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

from scorecard.settings import published_path, warehouse_path

MARTS_SCHEMA = "marts"


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


def publish(working: Path | None = None, published: Path | None = None, build_id: str | None = None) -> Publication:
    """Stamp the working file with a build id and publish a copy atomically."""
    working = Path(working or warehouse_path())
    published = Path(published or published_path())
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
