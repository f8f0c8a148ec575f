"""The monthly routine in one command: check the reference data, load, build, publish.

`scorecard monthly` is what an operator runs each month (and what the README's
routine shows). Each step stops the routine only when going on would publish
something untested:

1. the reference seeds are checked (a hand-edited seed fails here, with the
   file, row and column, not deep inside dbt);
2. the landing folder (or the paths given) is loaded: each file stands alone,
   refused files are quarantined with their reports and the rest go ahead;
3. `dbt build` runs, with `--full-refresh` when a retraction has left rows in
   the incremental tables (so retracted rows leave every model);
4. if the build passed, the warehouse is published atomically; if not, the
   published file stays as it was.

The exit code is 1 when any file was refused or any step failed, so a scheduler
raises an alert, even though the good files were loaded and published.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scorecard.contracts import RETRACTIONS_TABLE
from scorecard.loader import connect_for_reading, load_paths, warehouse_exists
from scorecard.publish import publish
from scorecard.reference_check import main as check_reference
from scorecard.settings import PROJECT_DIR, landing_dir, postgres_where, raw_schema, warehouse_target

# The incremental models that keep rows between builds, and so can hold a retracted file's rows.
INCREMENTAL_WITH_FILES = ("stg_extracts__indicator_values", "stg_extracts__budget_outturn")


def retractions_need_full_refresh(database: Path) -> bool:
    """True when an incremental table still holds rows of a retracted file (a retraction since the last build).

    On PostgreSQL the build's own schemas are looked at, not the published `marts` readers see.
    """
    if not warehouse_exists(database):
        return False
    with connect_for_reading(database) as con:
        stored = con.execute(
            "select table_schema, table_name from information_schema.tables where table_name in "
            f"({', '.join('?' for _ in INCREMENTAL_WITH_FILES)})",
            list(INCREMENTAL_WITH_FILES),
        ).fetchall()
        retractions = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [raw_schema(), RETRACTIONS_TABLE],
        ).fetchone()[0]
        if not retractions:
            return False
        published = {"marts"} if warehouse_target() == "postgres" else set()
        for schema, table in stored:
            if schema in published:
                continue
            held = con.execute(
                f'select count(*) from "{schema}"."{table}" where file_sha256 in '
                f'(select file_sha256 from "{raw_schema()}"."{RETRACTIONS_TABLE}")'
            ).fetchone()[0]
            if held:
                return True
    return False


def publish_build(database: Path, build_id: str | None = None, require_passing_build: bool = True) -> str:
    """Publish the build on the warehouse's target and say where, in one line.

    DuckDB: the working file copied to the published file atomically, with its exports
    (scorecard/publish.py). PostgreSQL: `build_marts` swapped in for `marts` in one transaction,
    with row-level security by council (scorecard/postgres.py). Unless `require_passing_build` is
    false (Dagster's graph has already checked it), the last dbt build must have passed after the
    last load.
    """
    if warehouse_target() == "postgres":
        from scorecard import postgres

        done = postgres.publish_checked(build_id) if require_passing_build else postgres.publish(build_id)
        return (f"published build {done['build_id']} to schema marts in PostgreSQL "
                f"({postgres_where()}): {len(done['mart_row_counts'])} marts, "
                f"{len(done['row_level_security'])} of them with row-level security by council")  # fmt: skip
    publication = publish(database, build_id=build_id, require_passing_build=require_passing_build)
    return f"published build {publication.build_id} to {publication.published}"


# dbt `--vars` for a production incremental run: data tests on the large incremental models read only the
# rows the run wrote (macros/tests/get_where_subquery.sql). Constant, so dbt's partial parse survives runs.
LATEST_BUILD_ONLY_VARS = json.dumps({"test_latest_build_only": True})


def dbt_build(database: Path, full_refresh: bool) -> int:
    """Run `dbt build` (production: data tests, no unit tests) on the working warehouse; return its exit code.

    It tests the rows it wrote (a full refresh writes, and so tests, every row); CI, `make build` and the
    scheduled full check test every row.
    """
    dbt = Path(sys.executable).parent / "dbt"
    args = [str(dbt), "build", "--exclude-resource-type", "unit_test", "--project-dir", str(PROJECT_DIR),
            "--profiles-dir", str(PROJECT_DIR)]  # fmt: skip
    args += ["--vars", LATEST_BUILD_ONLY_VARS]  # a full refresh writes, and so tests, every row
    if full_refresh:
        args.append("--full-refresh")
    env = {**__import__("os").environ, "SCORECARD_DUCKDB_PATH": str(database)}
    return subprocess.run(args, cwd=PROJECT_DIR, env=env, check=False).returncode


def monthly(paths: list[Path], database: Path) -> int:
    """Check the reference data, load, build and publish; return the exit code (see the module docstring)."""
    from scorecard.cli import report

    print("1/4 checking the reference data", flush=True)
    if check_reference() != 0:
        print("stopped: fix the reference data above, then run `scorecard monthly` again", file=sys.stderr)
        return 1
    print(f"2/4 loading {', '.join(map(str, paths)) if paths else landing_dir()}", flush=True)
    landing_dir().mkdir(parents=True, exist_ok=True)
    load_status = report(load_paths(paths or [landing_dir()], database, raise_on_reject=False))
    full_refresh = retractions_need_full_refresh(database)
    print(f"3/4 dbt build{' --full-refresh (a load was retracted since the last build)' if full_refresh else ''}",
          flush=True)  # fmt: skip
    if dbt_build(database, full_refresh) != 0:
        print("stopped: the build did not pass, so nothing was published (the published file is unchanged)",
              file=sys.stderr)  # fmt: skip
        return 1
    print("4/4 publishing", flush=True)
    print(publish_build(database))
    return load_status
