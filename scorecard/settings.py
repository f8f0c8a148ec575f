"""Configuration from environment variables, with safe defaults."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_DIR / "sample_data"


def warehouse_path() -> Path:
    """The working DuckDB file that loads and dbt write."""
    path = Path(os.environ.get("SCORECARD_DUCKDB_PATH", "warehouse/scorecard.duckdb"))
    return path if path.is_absolute() else PROJECT_DIR / path


def raw_schema() -> str:
    return os.environ.get("SCORECARD_RAW_SCHEMA", "raw")


def landing_dir() -> Path:
    """Where councils drop monthly extract files."""
    path = Path(os.environ.get("SCORECARD_LANDING_DIR", "landing"))
    return path if path.is_absolute() else PROJECT_DIR / path


def quarantine_dir() -> Path:
    """Where refused files go, beside their rejects reports."""
    default = landing_dir() / "quarantine"
    path = Path(os.environ.get("SCORECARD_QUARANTINE_DIR", str(default)))
    return path if path.is_absolute() else PROJECT_DIR / path


def settle_seconds() -> float:
    """How long a file's size must stay unchanged before it is read (a file still being written)."""
    return float(os.environ.get("SCORECARD_SETTLE_SECONDS", "1.0"))


def reference_dir() -> Path:
    """The reference seeds the loader checks codes against (the dbt project's seeds)."""
    path = Path(os.environ.get("SCORECARD_REFERENCE_DIR", str(PROJECT_DIR / "seeds" / "reference")))
    return path if path.is_absolute() else PROJECT_DIR / path


def published_path() -> Path:
    """The file BI tools, Evidence and analysts read (read-only). Replaced atomically on publish."""
    path = Path(os.environ.get("SCORECARD_PUBLISHED_PATH", "warehouse/published/scorecard.duckdb"))
    return path if path.is_absolute() else PROJECT_DIR / path


def alerts_dir() -> Path:
    """Where the local alert sink writes alerts.log (JSON lines) and alerts.duckdb."""
    path = Path(os.environ.get("SCORECARD_ALERTS_DIR", "warehouse/alerts"))
    return path if path.is_absolute() else PROJECT_DIR / path


def lock_wait_seconds() -> float:
    """How long a load waits for the warehouse while another process (a build) holds it, before refusing."""
    return float(os.environ.get("SCORECARD_LOCK_WAIT_SECONDS", "30"))


def dbt_target_dir() -> Path:
    """Where `dbt build` writes run_results.json (DBT_TARGET_PATH, default target/ in the project)."""
    path = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return path if path.is_absolute() else PROJECT_DIR / path


def warehouse_target() -> str:
    """The dbt target, and so the engine, of the warehouse: `dev` (embedded DuckDB, default), `postgres`, `spark`."""
    return os.environ.get("SCORECARD_TARGET", "dev")


def spark_dir() -> Path:
    """The local Spark session's folder (SCORECARD_SPARK_DIR): metastore and tables, as profiles.yml reads it."""
    return Path(os.environ.get("SCORECARD_SPARK_DIR", "/tmp/spark-wh"))


def spark_raw_dir() -> Path:
    """Where the loader writes raw extracts as Parquet on Spark (SCORECARD_SPARK_RAW_DIR, default `<spark dir>/raw`).

    macros/cross_db/register_raw_tables.sql reads the same two settings with the same default.
    """
    return Path(os.environ.get("SCORECARD_SPARK_RAW_DIR", str(spark_dir() / "raw")))


def postgres_connection() -> dict[str, str | int]:
    """libpq settings of the PostgreSQL warehouse (SCORECARD_TARGET=postgres), as profiles.yml reads them.

    The defaults are the throwaway cluster of scripts/postgres-throwaway.sh. A password is never a
    setting of this project: libpq reads PGPASSWORD, ~/.pgpass or the service file (PGSERVICE) itself.
    """
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": int(os.environ.get("PGPORT", "55432")),
        "user": os.environ.get("PGUSER", "scorecard"),
        "dbname": os.environ.get("PGDATABASE", "scorecard"),
    }


def postgres_where() -> str:
    """host:port/database of the PostgreSQL warehouse, for messages."""
    c = postgres_connection()
    return f"{c['host']}:{c['port']}/{c['dbname']}"


def reports_role() -> str:
    """The read-only PostgreSQL login the reports site reads the published marts as (scorecard publish creates it)."""
    return os.environ.get("SCORECARD_REPORTS_ROLE", "scorecard_reports")


def postgres_build_prefix() -> str:
    """On PostgreSQL dbt builds into `<prefix>marts`, `<prefix>staging`, ...; readers read `marts`."""
    return os.environ.get("SCORECARD_PG_BUILD_PREFIX", "build_")


def council_files() -> bool:
    """Whether publish also writes each council's own DuckDB file (exports/councils/<code>.duckdb).

    For councils that share one DuckDB warehouse: each receives a file holding only its own rows
    (and the public national figures). Off by default (SCORECARD_COUNCIL_FILES=true turns it on).
    """
    return os.environ.get("SCORECARD_COUNCIL_FILES", "false").strip().lower() in ("1", "true", "yes")
