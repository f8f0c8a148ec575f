"""The one DbtProject, defined once and imported by the assets and resources."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

PROJECT_DIR = Path(__file__).resolve().parent.parent

# dagster-dbt runs `dbt` from PATH; when this Python runs from .venv without activating it,
# put the interpreter's own bin folder (where dbt-core installed `dbt`) first.
if shutil.which("dbt") is None or Path(shutil.which("dbt")).parent != Path(sys.executable).parent:
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

scorecard_dbt = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    target_path=Path("target") / "dagster",
)


def _manifest_is_stale() -> bool:
    """True when there is no manifest, or a dbt file changed after it was parsed."""
    manifest = scorecard_dbt.manifest_path
    if not manifest.exists():
        return True
    parsed = manifest.stat().st_mtime
    sources = [PROJECT_DIR / "dbt_project.yml", PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "seeds", "macros", "tests/dbt"):
        sources.extend((PROJECT_DIR / folder).rglob("*"))
    return any(path.is_file() and path.stat().st_mtime > parsed for path in sources)


# `dagster dev` re-parses the project on start; everywhere else parse when the manifest is missing or stale.
scorecard_dbt.prepare_if_dev()
if _manifest_is_stale():
    scorecard_dbt.preparer.prepare(scorecard_dbt)
