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
