"""The reports' source queries (Evidence's `sources` step) against the warehouse SCORECARD_TARGET names.

`scorecard report-sources` (run by `make reports`) runs the queries in reports/sources/scorecard/ and
writes their results as the Parquet files the site is built from
(reports/.evidence/template/static/data). `npm run build` then reads those files only, so the site
is built the same way from either engine:

- **DuckDB** (the default): Evidence's DuckDB driver opens the published file
  (SCORECARD_PUBLISHED_PATH), as reports/sources/scorecard/connection.yaml says.
- **PostgreSQL** (SCORECARD_TARGET=postgres): Evidence's PostgreSQL driver (@evidence-dev/postgres)
  reads the published schema `marts` as the read-only reports role (SCORECARD_REPORTS_ROLE, default
  `scorecard_reports`, which `scorecard publish` creates), on the server the PG* settings name. Evidence
  takes a source's engine from its connection.yaml alone, so this writes a second Evidence project
  folder, reports/.evidence/postgres-source/: the site's evidence.config.yaml, and sources/scorecard/
  with a postgres connection.yaml and copies of the same query files. No password is written:
  node-postgres reads PGPASSWORD or ~/.pgpass itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from scorecard.postgres import MARTS_SCHEMA
from scorecard.settings import (
    PROJECT_DIR,
    postgres_connection,
    published_path,
    reports_role,
    warehouse_target,
)

REPORTS_DIR = PROJECT_DIR / "reports"
SOURCE_DIR = REPORTS_DIR / "sources" / "scorecard"
POSTGRES_PROJECT = REPORTS_DIR / ".evidence" / "postgres-source"
DATA_DIR = REPORTS_DIR / ".evidence" / "template" / "static" / "data"


class ReportSourcesError(RuntimeError):
    """One line: why the reports' sources could not be read."""


def postgres_connection_yaml() -> str:
    """The Evidence source `scorecard` on PostgreSQL: the published marts, as the reports role."""
    pg = postgres_connection()
    return (
        "# Written by scorecard/report_sources.py for SCORECARD_TARGET=postgres; do not edit.\n"
        "name: scorecard\n"
        "type: postgres\n"
        "options:\n"
        f"  host: {pg['host']}\n"
        f"  port: {pg['port']}\n"
        f"  database: {pg['dbname']}\n"
        f"  user: {reports_role()}\n"
        f"  schema: {MARTS_SCHEMA}\n"
    )


def write_postgres_project(folder: Path = POSTGRES_PROJECT) -> Path:
    """The Evidence project folder whose one source is the PostgreSQL warehouse, with copies of the site's queries."""
    shutil.rmtree(folder, ignore_errors=True)
    sources = folder / "sources" / "scorecard"
    sources.mkdir(parents=True)
    shutil.copyfile(REPORTS_DIR / "evidence.config.yaml", folder / "evidence.config.yaml")
    (sources / "connection.yaml").write_text(postgres_connection_yaml(), encoding="utf-8")
    for query in sorted(SOURCE_DIR.glob("*.sql")):  # copies: Evidence does not follow links
        shutil.copyfile(query, sources / query.name)
    return folder


def run(data_dir: Path = DATA_DIR) -> None:
    """Run every source query against the warehouse and write its Parquet file under `data_dir`."""
    evidence = REPORTS_DIR / "node_modules" / ".bin" / "evidence"
    if not evidence.exists():
        raise ReportSourcesError("reports/node_modules is not installed: run `make reports-setup`")
    (data_dir / "manifest.json").unlink(missing_ok=True)
    env = {**os.environ, "EVIDENCE_DATA_DIR": str(data_dir), "EVIDENCE_DATA_URL_PREFIX": "static/data",
           "SEND_ANONYMOUS_USAGE_STATS": "no"}  # fmt: skip
    if warehouse_target() == "postgres":
        cwd, where = write_postgres_project(), f"PostgreSQL schema {MARTS_SCHEMA} as {reports_role()}"
    else:
        published = published_path()
        if not published.exists():
            raise ReportSourcesError(f"{published}: no published warehouse yet: run `make build`")
        env["EVIDENCE_SOURCE__scorecard__filename"] = os.path.relpath(published, SOURCE_DIR)
        cwd, where = REPORTS_DIR, str(published)
    result = subprocess.run([str(evidence), "sources", "--strict"], cwd=cwd, env=env, capture_output=True,
                            text=True)  # fmt: skip
    queries = sorted(path.stem for path in SOURCE_DIR.glob("*.sql"))
    written = _written(data_dir)
    if result.returncode != 0 or written != queries:
        # Evidence ends with status 0 when it cannot connect: the manifest says what was written.
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        said = next((line for line in lines if "Error" in line), lines[-1] if lines else "no output")
        missing = ", ".join(sorted(set(queries) - set(written))) or "none"
        raise ReportSourcesError(f"the reports' source queries failed on {where} (not written: {missing}): {said}")
    print(f"reports: {len(queries)} source queries read from {where} into {data_dir}")


def _written(data_dir: Path) -> list[str]:
    """The queries whose results Evidence says it wrote (its manifest.json), or [] when there is none."""
    try:
        manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return sorted(Path(url).stem for url in manifest.get("renderedFiles", {}).get("scorecard", []))
