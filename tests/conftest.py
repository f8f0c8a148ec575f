"""Shared fixtures: a warehouse built from the sample extracts into a temporary DuckDB file, and the reports.

The reports' fixtures (the benchmark warehouse, its published copy, the built Evidence site, the server
and the browser) are session-scoped: tests/test_reports.py and tests/test_pack.py share one site build.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import functools
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from scorecard.loader import load_paths, load_sample
from scorecard.publish import publish

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"


# ---- Two workers (pytest-xdist, `make test`): which tests share a worker, and which start first ----------
# A file's tests run on one worker, so its module fixtures are made once; the reports' files share one, so
# the site is built once. The longest groups are handed out first (the rest follow in file order), so no
# long group starts last. This order only decides how long the run takes, never what is tested.
SHARED_GROUPS = {"test_reports.py": "site", "test_pack.py": "site"}
LONGEST_FIRST = ["site", "test_readme.py", "test_orchestration.py", "test_scale.py", "test_load_and_retract.py",
                 "test_onboarding.py", "test_grammar_property.py", "test_python_versions.py",
                 "test_semantic_layer.py", "test_build_rules.py"]  # fmt: skip


def _group(nodeid: str) -> str:
    name = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return SHARED_GROUPS.get(name, name)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Hand each group (a file, or the reports' files together) to one worker, longest first.

    (xdist's own `loadgroup` cannot be used: it renames test ids, which pytest 9 no longer allows.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid)

    return ByGroup(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput"):  # a worker's collection: the order the groups are handed out in
        rank = {group: position for position, group in enumerate(LONGEST_FIRST)}
        items.sort(key=lambda item: rank.get(_group(item.nodeid), len(rank)))  # stable: file order otherwise


# dbt parses the whole project in every new target folder (about 12 s here) unless the folder holds the
# partial-parse state of an earlier parse with the same settings: the same settings in the environment,
# and the same connection, the database path included, as written. So each test's dbt runs in its own
# folder with the database named relative to it (usually just `warehouse.duckdb`), and the state of the
# last run with the same settings is copied in first. dbt still checks every file's hash and re-parses
# what changed, or everything when a setting differs: the copy only saves work, it never changes a build.
_PARSE_STATE: dict[tuple, bytes] = {}
# dbt unit tests do not read the warehouse: they run once a session, in the `warehouse` fixture's build
# (and in `make test-fast`); builds made for their data leave them out.
NO_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]


def project_instance():
    """A temporary Dagster instance configured as orchestration/dagster.yaml configures the real one."""
    import dagster as dg  # here: most tests never start Dagster
    import yaml

    overrides = yaml.safe_load((PROJECT_DIR / "orchestration" / "dagster.yaml").read_text(encoding="utf-8"))
    return dg.instance_for_test(overrides=overrides)


def run_dbt(
    args: list[str], database: Path, work_dir: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run dbt against `database`, with its own target and log folders under `work_dir`."""
    work_dir.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, "SCORECARD_DUCKDB_PATH": os.path.relpath(database, work_dir), **(env or {})}
    settings = tuple(sorted((k, v) for k, v in full_env.items() if k.startswith(("SCORECARD_", "DBT_", "PG"))))
    state = work_dir / "target" / "partial_parse.msgpack"
    if settings in _PARSE_STATE and not state.exists():
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_bytes(_PARSE_STATE[settings])
    done = subprocess.run(
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
        cwd=work_dir,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if state.exists():
        _PARSE_STATE[settings] = state.read_bytes()
    return done


@dataclass
class SyntheticSet:
    """A synthetic dataset (scorecard/synth.py): its settings for dbt and its history and new-month files."""

    seeds: dict[str, str]
    history: list[Path]
    new_month: list[Path]


@contextlib.contextmanager
def synthetic_set(name: str, councils: int, months: int, seed: int) -> Iterator[SyntheticSet]:
    """Write one under warehouse/ (dbt reads seeds by a path inside the project); removed afterwards."""
    from scorecard.synth import generate

    out = PROJECT_DIR / "warehouse" / f"{name}-{uuid.uuid4().hex[:8]}"
    generate(out, councils=councils, months=months, seed=seed)
    try:
        yield SyntheticSet(
            seeds={
                "SCORECARD_SEED_DIR": os.path.relpath(out / "seeds", PROJECT_DIR),
                "SCORECARD_REFERENCE_DIR": str(out / "seeds" / "reference"),
                "SCORECARD_INCLUDE_SAMPLE": "false",
            },
            history=sorted((out / "landing" / "history").iterdir()),
            new_month=sorted((out / "landing" / "new_month").iterdir()),
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)


def build_warehouse(
    work_dir: Path, extracts: Path | None = None, env: dict[str, str] | None = None, unit_tests: bool = False
):
    """Load extracts (default: the bundled sample) and run `dbt build`; return (database, result)."""
    database = work_dir / "warehouse.duckdb"
    if extracts is None:
        load_sample(database)
    else:
        load_paths([extracts], database, is_sample=False, settle=0)
    return database, run_dbt(["build", *([] if unit_tests else NO_UNIT_TESTS)], database, work_dir, env)


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Path]) -> Path:
    """What `build(folder)` returns, built once a test run: by the first worker (pytest-xdist) to ask for it.

    The others wait on a lock and share it, so it must only be read (copied, or opened read-only). A build
    that fails marks nothing done: the next worker to ask builds it again, and fails as loudly.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's own folder, above each worker's
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            done.write_text(str(build(folder)), encoding="utf-8")
        return Path(done.read_text(encoding="utf-8"))


def _sample_warehouse(work_dir: Path) -> Path:
    database, result = build_warehouse(work_dir, unit_tests=True)
    assert result.returncode == 0, result.stdout[-4000:]
    return database


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    """The sample warehouse with every dbt test, built once a run for every worker; fails loudly if dbt build fails.

    Shared by the workers: read it (or copy it), never write to it.
    """
    return built_once(tmp_path_factory, "warehouse", _sample_warehouse)


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


# ---- The reports (tests/test_reports.py, tests/test_pack.py): one warehouse, one site build a session ----
REPORTS_DIR = PROJECT_DIR / "reports"
SOURCE_DIR = REPORTS_DIR / "sources" / "scorecard"
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "reports"
NATIONAL_FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "national_statistics" / "national_statistics_fixture.csv"
# Made-up commentary for SD004's January 2018 pack (the shipped packs print none): two sections
# (scorecard, budget) and two indicators (FD 3, with a line break and quotes; CP 10). SD004 has no
# budget report, so its budget note shows only in the PDF pack.
COMMENTARY_FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "commentary" / "commentary_SD004_2018-01.csv"
# Made-up commentary for HRF's May 2017 budget report (the loader takes one council and month a file):
# the budget section's note, with quotes, £ and %, for the budget page and HRF's May 2017 pack.
HRF_BUDGET_COMMENTARY_FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "commentary" / "commentary_HRF_2017-05.csv"


def fixture_commentary(fixture: Path = COMMENTARY_FIXTURE) -> dict[str, tuple[str, str]]:
    """A commentary fixture's rows by subject code: (author role, text exactly as written)."""
    lines = fixture.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0].startswith("TEST DATA:")  # a line saying what the file is, before the header
    return {row["subject_code"]: (row["author_role"], row["commentary"]) for row in csv.DictReader(lines[1:])}


# ---- Test-only reference data, added to a copy of seeds/ (never to the project's own seeds) ----
# The fixture's columns mapped to national indicators (seeds/reference/national_statistics_columns.csv
# ships empty: a deployment maps the files it loads).
FIXTURE_COLUMNS = [
    {"indicator_column": column, "filters": "characteristic=Total", "national_code": code, "role": role,
     "period_end_month": "", "notes": "test fixture only"}
    for column, code, role in [
        ("assess_45_pct", "assessments_within_45_days_pct", "value"),
        ("assess_45_num", "assessments_within_45_days_pct", "numerator"),
        ("assess_45_den", "assessments_within_45_days_pct", "denominator"),
        ("cla_rate", "cla_rate_per_10000", "value"),
        ("cla_count", "cla_rate_per_10000", "numerator"),
        ("child_pop", "cla_rate_per_10000", "denominator"),
    ]
]  # fmt: skip
# Made-up statistical neighbours for Derby among the fixture's authorities (not the DfE's model):
# Leicester, Plymouth and Rutland, whose 2022 assessment figure is suppressed.
DERBY = "E06000015"
FIXTURE_NEIGHBOURS = [
    {"gss_code": DERBY, "neighbour_gss_code": neighbour, "neighbour_rank": str(rank), "model_year": "2019",
     "source": "test fixture only"}
    for rank, neighbour in enumerate(["E06000016", "E06000026", "E06000017"], start=1)
]  # fmt: skip
# Council SD004's pack does not name its council; for this test only, it is Derby. Its AMT 2 maps to
# assessments_within_45_days_pct (seeds/reference/indicators.csv).
SD004_GSS_CODE = DERBY
# How long each build of the site took; the session fixture `site` builds it once.
SITE_BUILDS: list[float] = []


def _run(args: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=REPORTS_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _append_rows(seed: Path, rows: list[dict[str, str]]) -> None:
    with seed.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
        fh.seek(0)
        ends_with_newline = fh.read().endswith("\n")
    with seed.open("a", encoding="utf-8", newline="") as fh:
        if not ends_with_newline:
            fh.write("\n")
        csv.DictWriter(fh, fieldnames=header, lineterminator="\n").writerows(rows)


def _set_gss_code(organisations: Path, organisation_code: str, gss_code: str) -> None:
    with organisations.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, list(reader)
    assert [r["organisation_code"] for r in rows].count(organisation_code) == 1
    for row in rows:
        if row["organisation_code"] == organisation_code:
            assert not row["gss_code"], "the project's seed now gives SD004 a GSS code: revisit this test"
            row["gss_code"] = gss_code
    with organisations.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="session")
def benchmark_warehouse(tmp_path_factory) -> Path:
    """The sample extracts plus the national statistics and commentary fixtures, built with test-only reference data.

    The shared `warehouse` fixture stays as it is (other tests count its rows): this one builds its own,
    from a copy of seeds/ with the fixture's column mappings, a few neighbours and SD004 as Derby, and
    loads the made-up commentary for SD004's January 2018 pack and HRF's May 2017 budget report.
    """
    work = tmp_path_factory.mktemp("benchmark-warehouse")
    seeds = work / "seeds"
    shutil.copytree(PROJECT_DIR / "seeds", seeds)
    reference = seeds / "reference"
    _append_rows(reference / "national_statistics_columns.csv", FIXTURE_COLUMNS)
    _append_rows(reference / "statistical_neighbours.csv", FIXTURE_NEIGHBOURS)
    _set_gss_code(reference / "organisations.csv", "SD004", SD004_GSS_CODE)
    # A copy of the fixture (with its .meta.csv), so a refusal could never move the repository's file.
    landing = work / "landing"
    landing.mkdir()
    for path in NATIONAL_FIXTURE.parent.glob("national_statistics_fixture*.csv"):
        shutil.copy2(path, landing / path.name)
    for commentary in (COMMENTARY_FIXTURE, HRF_BUDGET_COMMENTARY_FIXTURE):
        shutil.copy2(commentary, landing / commentary.name)
    env = {
        # dbt's seed-paths must be relative to the project: an absolute one makes dbt write compiled
        # SQL under the seed folder
        "SCORECARD_SEED_DIR": os.path.relpath(seeds, PROJECT_DIR),
        "SCORECARD_REFERENCE_DIR": str(reference),
    }
    database = work / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        load_sample(database)
        results = load_paths(
            [landing / path.name for path in (NATIONAL_FIXTURE, COMMENTARY_FIXTURE, HRF_BUDGET_COMMENTARY_FIXTURE)],
            database,
            settle=0,
            quarantine=work / "quarantine",
        )
    assert [(r.status, r.extract, r.rows) for r in results] == [
        ("loaded", "national_statistics", 126), ("loaded", "commentary", 4), ("loaded", "commentary", 1),
    ], results  # fmt: skip
    result = run_dbt(["build", *NO_UNIT_TESTS], database, work, env)
    assert result.returncode == 0, result.stdout[-4000:]
    return database


@pytest.fixture(scope="session")
def published(benchmark_warehouse, tmp_path_factory) -> Path:
    """The sample warehouse with the national statistics fixture, published the way `make build` publishes it."""
    work = tmp_path_factory.mktemp("reports")
    working = work / "scorecard.duckdb"
    shutil.copyfile(benchmark_warehouse, working)
    run_results = benchmark_warehouse.parent / "target" / "run_results.json"  # the build that made it, which passed
    return publish(
        working, work / "published" / "scorecard.duckdb", build_id="reports-test", run_results=run_results
    ).published


@pytest.fixture(scope="session")
def site(published) -> Path:
    """`evidence sources` and `evidence build` against the published sample warehouse."""
    if not (REPORTS_DIR / "node_modules" / ".installed").exists():
        pytest.fail("reports/node_modules is not installed: run `make reports-setup` (make test does)")
    env = {
        **os.environ,
        "EVIDENCE_SOURCE__scorecard__filename": os.path.relpath(published, SOURCE_DIR),
        "SEND_ANONYMOUS_USAGE_STATS": "no",
    }
    started = time.monotonic()
    _run(["npm", "run", "--silent", "sources"], env)
    _run(["npm", "run", "--silent", "build"], env)
    build = REPORTS_DIR / "build"
    assert (build / "index.html").exists()
    SITE_BUILDS.append(time.monotonic() - started)
    # shown with `pytest -s`: once a session, however many test files use the site
    print(f"\nreports site built (build {len(SITE_BUILDS)} of this session) in {SITE_BUILDS[-1]:.0f} s")
    return build


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is not installed: run `make browser` (make test does)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield b
        b.close()
