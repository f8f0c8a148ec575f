"""The one DbtProject, parsed once at deploy time, and the dbt resource and run folders the assets use.

**Parse once.** `make build` and `make dev` run `python -m orchestration.project`,
which parses the dbt project into the Dagster target folder (`$DBT_TARGET_PATH/dagster`,
by default `target/dagster`): manifest.json, which defines the assets and checks, and
dbt's partial-parse state. Loading the definitions reads that manifest and parses only
when it is missing or older than a dbt file (an edited model), in the process that
serves the definitions (the code server of `dagster dev`, `dagster job execute`, a
test). That process then marks its environment (`SCORECARD_DBT_MANIFEST`), so the
processes it starts, the run workers above all, read the manifest as it is and never
parse. dagster-dbt's `prepare_if_dev()` is not used: under `dagster dev` it parses in
every process that loads the code, each run worker included (issue #19: 48-60 s of
every run's start-up).

**One run folder per run, removed.** dagster-dbt gives every dbt command a new target
folder, `target/<asset>-<run>-<id>` (11 MB at the sample's size), and never removes it,
and starts it without dbt's parse state, so dbt parses the whole project again in every
run. `run_target_dir` gives the run's dbt command a folder under `runs/`, starts it with
the deploy-time parse state and removes it once the events are streamed; the last run's
run_results.json, manifest.json and dbt.log are kept in `last_run/` to look at.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from scorecard.routine import LATEST_BUILD_ONLY_VARS
from scorecard.settings import dbt_target_dir

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).with_name("dbt")
# Set by the process that loaded (and if needed parsed) the manifest; inherited by the processes it starts.
MANIFEST_MARK = "SCORECARD_DBT_MANIFEST"
# Run folders left by a run that was killed before it could remove its own (a run takes minutes).
STALE_RUN_SECONDS = 6 * 3600
LAST_RUN_FILES = ("run_results.json", "manifest.json", "dbt.log")

# dagster-dbt runs `dbt` from PATH; when this Python runs from .venv without activating it,
# put the interpreter's own bin folder (where dbt-core installed `dbt`) first.
if shutil.which("dbt") is None or Path(shutil.which("dbt")).parent != DBT.parent:
    os.environ["PATH"] = f"{DBT.parent}{os.pathsep}{os.environ.get('PATH', '')}"

scorecard_dbt = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    # Absolute: beside the command line's target folder, so DBT_TARGET_PATH moves both.
    target_path=dbt_target_dir() / "dagster",
)
DEPLOY_TARGET = Path(scorecard_dbt.project_dir, scorecard_dbt.target_path)
RUNS_DIR = DEPLOY_TARGET / "runs"
LAST_RUN_DIR = DEPLOY_TARGET / "last_run"


class ScorecardDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, without the two probes it makes before each dbt command.

    * `dbt --version` in a new process (2-3 s in every run worker): the dbt it runs is
      this environment's own (`dbt_executable`), so the version is dbt-core's.
    * a dbt adapter opened in the run worker (3-5 s): dagster-dbt uses it only to fetch
      column metadata and row counts, which this project does not ask for.

    The command, its events, the asset materializations and the dbt tests as asset
    checks are dagster-dbt's, unchanged.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> ScorecardDbtCliResource:
    return ScorecardDbtCliResource(project_dir=scorecard_dbt, dbt_executable=str(DBT))


def _dbt_sources() -> list[Path]:
    """What a parse reads: the project, profile, models, seeds (also SCORECARD_SEED_DIR), macros, tests.

    Folders are listed too: a file removed or renamed changes its folder's modification time.
    """
    paths = [PROJECT_DIR / "dbt_project.yml", PROJECT_DIR / "profiles.yml"]
    folders = [PROJECT_DIR / name for name in ("models", "seeds", "macros", "tests/dbt")]
    seed_dir = os.environ.get("SCORECARD_SEED_DIR")
    if seed_dir:
        folders.append(PROJECT_DIR / seed_dir)
    for folder in folders:
        if folder.is_dir():
            paths.append(folder)
            paths.extend(folder.rglob("*"))
    return paths


def manifest_is_stale() -> bool:
    """True when there is no manifest, or a dbt file changed after it was parsed."""
    manifest = scorecard_dbt.manifest_path
    if not manifest.exists():
        return True
    parsed = manifest.stat().st_mtime
    for path in _dbt_sources():
        try:
            if path.stat().st_mtime > parsed:
                return True
        except FileNotFoundError:  # removed while being listed (an editor saving a file)
            return True
    return False


def prepare() -> Path:
    """Parse the dbt project into the Dagster target folder (deploy time); return the manifest's path.

    dbt parses into a new folder (reusing the previous parse state, so an unchanged project
    parses partially), and the manifest and parse state are then moved into place: a
    process loading the definitions meanwhile reads the old manifest or the new one, never
    half of one. One preparation at a time (a lock file).
    """
    DEPLOY_TARGET.mkdir(parents=True, exist_ok=True)
    with (DEPLOY_TARGET / ".prepare.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        work = Path(tempfile.mkdtemp(prefix=".parse-", dir=DEPLOY_TARGET))
        try:
            state = DEPLOY_TARGET / "partial_parse.msgpack"
            if state.exists():
                shutil.copy2(state, work / state.name)
            subprocess.run(
                # the runs' vars: a run whose vars differ from the parse's would parse the whole project again
                [str(DBT), "parse", "--quiet", "--project-dir", str(PROJECT_DIR), "--profiles-dir",
                 str(PROJECT_DIR), "--target-path", str(work), "--log-path", str(work),
                 "--vars", LATEST_BUILD_ONLY_VARS],
                cwd=PROJECT_DIR, check=True,
                env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
            )  # fmt: skip
            for name in ("partial_parse.msgpack", "semantic_manifest.json", "manifest.json"):
                if (work / name).exists():
                    os.replace(work / name, DEPLOY_TARGET / name)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return scorecard_dbt.manifest_path


def ensure_manifest() -> None:
    """Called once when the definitions load: see the module docstring."""
    manifest = str(scorecard_dbt.manifest_path)
    if os.environ.get(MANIFEST_MARK) == manifest and scorecard_dbt.manifest_path.exists():
        return  # a run worker (or any process started by one that loaded the definitions): never parse
    if manifest_is_stale():
        prepare()
    os.environ[MANIFEST_MARK] = manifest


@contextmanager
def run_target_dir(run_id: str) -> Iterator[Path]:
    """A dbt target folder for one run's dbt command, removed afterwards (see the module docstring)."""
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    for leftover in RUNS_DIR.iterdir():
        with suppress(FileNotFoundError):
            if time.time() - leftover.stat().st_mtime > STALE_RUN_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
    folder = RUNS_DIR / f"{run_id[:8]}-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    try:
        state = DEPLOY_TARGET / "partial_parse.msgpack"
        if state.exists():
            # dbt then reads the parsed project: it parses only what changed since (nothing, normally).
            shutil.copy2(state, folder / state.name)
        yield folder
    finally:
        _keep_last_run(folder)
        shutil.rmtree(folder, ignore_errors=True)


def _keep_last_run(folder: Path) -> None:
    """Copy the run's dbt artifacts to last_run/ (each replaced whole), for anyone inspecting the last build."""
    LAST_RUN_DIR.mkdir(parents=True, exist_ok=True)
    for name in LAST_RUN_FILES:
        source = folder / name
        if source.exists():
            partial = LAST_RUN_DIR / f".{name}.partial"
            shutil.copyfile(source, partial)
            os.replace(partial, LAST_RUN_DIR / name)


def main() -> int:
    started = time.perf_counter()
    manifest = prepare()
    print(f"dbt project parsed for Dagster in {time.perf_counter() - started:.1f} s: {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
