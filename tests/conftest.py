"""Shared fixtures: a warehouse built from the sample extracts into a temporary DuckDB file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from scorecard.loader import load_paths, load_sample

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"


def run_dbt(
    args: list[str], database: Path, work_dir: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run dbt against `database`, with its own target and log folders under `work_dir`."""
    full_env = {**os.environ, "SCORECARD_DUCKDB_PATH": str(database), **(env or {})}
    return subprocess.run(
        [
            str(DBT),
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ],
        cwd=PROJECT_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )


def build_warehouse(work_dir: Path, extracts: Path | None = None, env: dict[str, str] | None = None):
    """Load extracts (default: the bundled sample) and run `dbt build`; return (database, result)."""
    database = work_dir / "warehouse.duckdb"
    if extracts is None:
        load_sample(database)
    else:
        load_paths([extracts], database, is_sample=False, settle=0)
    return database, run_dbt(["build"], database, work_dir, env)


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    """The sample warehouse, built once for the session; fails loudly if dbt build fails."""
    work_dir = tmp_path_factory.mktemp("warehouse")
    database, result = build_warehouse(work_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    return database


@pytest.fixture
def db(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield con


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the sample extracts."""
    target = tmp_path / "extracts"
    shutil.copytree(PROJECT_DIR / "sample_data", target)
    return target
