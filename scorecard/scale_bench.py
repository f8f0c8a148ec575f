"""Scale benchmark: `make bench` (or `scorecard bench --councils 1 10 153`).

For each size it generates the synthetic dataset (scorecard.synth) under
warehouse/bench/, loads the history through the real loader, then measures

* rows in each fact after a full build;
* the full build (`dbt build --full-refresh`: seeds, models and data tests, as the
  Dagster jobs run it; unit tests run in CI): wall time and the dbt process's peak
  memory, after an untimed `dbt parse` (a deployment keeps its parsed project; the
  parse time is printed separately), and dbt's fixed cost of one invocation (a build
  that selects nothing);
* DuckDB alone running the same compiled SQL (models, seeds read with the same
  column types, data tests) in one process on a copy of the loaded
  file, so dbt's own overhead is visible;
* one new month (the last month's files, with restatements): load time, and the
  incremental build that follows, of what depends on the raw tables
  (`dbt build --select source:extracts+`, the selection of the landing sensor's
  `load_and_update` job), and DuckDB alone replaying that build's SQL on a copy
  of the file as it was before it, its models apart from its data tests (the
  models' SQL alone is the least a month costs with these models, whoever runs it);
  the same incremental build with every query emptied (`dbt build --empty`, on
  another copy): dbt's own work on the month's nodes; and the same build in a warm
  dbt process (dbtRunner with the parsed project, the build run once before, on
  another copy): what a long-lived dbt worker would cost a month;
* a typical scorecard query (one council, one month, joined to the catalogue) on
  the published file: p50 and p95 of 200 runs on one read-only connection;
* Dagster against the command line, on the same data, after the figures above, with
  a DAGSTER_HOME of its own and the dbt project parsed for Dagster first (untimed, as
  `make build` and `make dev` do at deploy time):
  - a build: `dbt build` then `scorecard publish`'s publish, against a run of the
    `land_and_build` job (nothing landed: load nothing, dbt build with its checks,
    publish) by `dagster job execute` in a new process. That process does what a run
    worker does, load the definitions and execute the run in-process, plus create the
    run (as the daemon does for a sensor or the schedule); only the queue is left out,
    and the sensor figure below includes it;
  - a one-row file: `scorecard load`, `dbt build --select source:extracts+` (what the
    sensor's `load_and_update` job builds) and `scorecard publish` by hand, against the
    same change landed in the landing folder with the Dagster daemon running: from the
    file's arrival to the published file holding the run's build (sensor tick, run
    queue, run worker, load, build, checks, publish).

* the same history, full build, new month and incremental build on PostgreSQL, for the
  sizes up to BENCH_POSTGRES_MAX_COUNCILS (default 10; 0 leaves PostgreSQL out): a
  database of its own per size on a throwaway cluster of the benchmark's own
  (scripts/postgres-throwaway.sh on port 55443, stopped afterwards), loaded by
  `scorecard load` (COPY) and built with the same dbt commands.
* the same on Apache Spark (session mode, local[2]) for the sizes up to
  BENCH_SPARK_MAX_COUNCILS (default 10) when .venv-spark exists (`make setup-spark`):
  loaded as Parquet by `scorecard load`, built by .venv-spark's dbt.

It prints figures only, then one `summary` line per size to read by machine. Nothing
here is asserted: tests never time.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from scorecard.loader import load_paths
from scorecard.publish import publish
from scorecard.routine import LATEST_BUILD_ONLY_VARS
from scorecard.settings import PROJECT_DIR
from scorecard.synth import generate

BIN = Path(sys.executable).parent
# The benchmark's own PostgreSQL cluster (never a developer's or the tests'), and the largest size built there.
POSTGRES_PORT = "55443"
POSTGRES_MAX_COUNCILS = int(os.environ.get("BENCH_POSTGRES_MAX_COUNCILS", "10"))
# Spark: dbt-spark lives in its own venv (make setup-spark); sizes up to this are built there when it exists.
SPARK_DBT = PROJECT_DIR / ".venv-spark" / "bin" / "dbt"
SPARK_MAX_COUNCILS = int(os.environ.get("BENCH_SPARK_MAX_COUNCILS", "10"))
# How long the Dagster figures wait for the daemon or a run before giving up.
DAGSTER_TIMEOUT_SECONDS = 900

# Production builds, as the Dagster jobs run them: unit tests check SQL against fixed inputs
# and run in CI (`make test`), not on every build.
# As `scorecard monthly` and the Dagster jobs build: data tests only (unit tests run in CI), each on the
# rows the run wrote (all of them on a full refresh), with the same vars every time so dbt parses partially.
PRODUCTION = ["--exclude-resource-type", "unit_test", "--vars", LATEST_BUILD_ONLY_VARS]
# A build that selects nothing: dbt's fixed cost per invocation (start-up, manifest, connection).
NOTHING = ["--select", "dim_period", "--exclude", "dim_period", "--vars", LATEST_BUILD_ONLY_VARS]

FACTS = ["fct_indicator_period", "fct_scorecard_latest", "fct_budget_outturn", "fct_workforce_measure_period",
         "fct_risk", "fct_programme_milestone", "fct_authority_benchmark", "fct_indicator_benchmark"]  # fmt: skip

SCORECARD_QUERY = """
select
    indicators.service_area,
    indicators.indicator_code,
    indicators.indicator_title,
    figures.value,
    figures.target,
    figures.rag_status,
    figures.direction,
    figures.performance,
    figures.variance_to_target,
    figures.previous_rag_status
from marts.fct_indicator_period as figures
inner join marts.dim_indicator as indicators
    on figures.indicator_code = indicators.indicator_code
where figures.organisation_code = $council and figures.period_month = $month
order by indicators.service_area, indicators.indicator_code
"""


def _dbt(args: list[str], env: dict[str, str], target: Path, dbt: Path | None = None
         ) -> tuple[float, int, subprocess.CompletedProcess]:  # fmt: skip
    """Run dbt (this venv's, or `dbt`); return wall seconds, peak RSS in MB of the dbt process, and the result."""
    dbt = str(dbt or Path(sys.executable).with_name("dbt"))
    command = [dbt, *args, "--target-path", str(target), "--log-path", str(target / "logs")]
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = subprocess.CompletedProcess(command, proc.returncode, out.decode("utf-8", "replace"), "")
    if result.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}")
    return seconds, usage.ru_maxrss // 1024, result


def _seed_sql(node: dict) -> str:
    types = node["config"].get("column_types") or {}
    path = PROJECT_DIR / node["root_path"] / node["original_file_path"] if node.get("root_path") else None
    path = path if path and path.exists() else PROJECT_DIR / node["original_file_path"]
    type_map = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
    options = f", types = {{{type_map}}}" if types else ""
    relation = node["relation_name"]
    return f"create or replace table {relation} as select * from read_csv('{path}', header = true{options})"


def _incremental_sql(node: dict, compiled: str) -> list[str]:
    """What dbt-duckdb runs for an incremental model on an incremental run: append, or delete+insert on the key."""
    relation = node["relation_name"]
    keys = node["config"].get("unique_key")
    if not keys:
        return [f"insert into {relation} by name {compiled}"]
    key = ", ".join([keys] if isinstance(keys, str) else keys)
    return [
        f"create or replace temp table bench_increment as {compiled}",
        f"delete from {relation} where ({key}) in (select ({key}) from bench_increment)",
        f"insert into {relation} by name select * from bench_increment",
    ]


def duckdb_alone(loaded: Path, target: Path, *, incremental: bool = False) -> tuple[float, int, int, float]:
    """Replay the compiled SQL of the last build in one DuckDB process.

    Return seconds, statements, failures, and the seconds of the data tests' statements among them (the
    rest builds the seeds and models). For an incremental build, `loaded` is a copy of the file as it was
    before that build, and its incremental models are replayed as dbt-duckdb runs them (append, or
    delete+insert on the key).
    """
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    statements: list[tuple[str, bool]] = []  # (sql, whether a data or unit test runs it)
    for result in results:
        node = nodes.get(result["unique_id"])
        if node is None:
            continue
        kind = node["resource_type"]
        compiled = result.get("compiled_code") or node.get("compiled_code")
        if kind in ("seed", "model"):
            statements.append((f"create schema if not exists {node['relation_name'].rsplit('.', 1)[0]}", False))
        if kind == "seed":
            statements.append((_seed_sql(node), False))
        elif kind == "model" and incremental and node["config"]["materialized"] == "incremental":
            statements.extend((sql, False) for sql in _incremental_sql(node, compiled))
        elif kind == "model":
            materialized = "view" if node["config"]["materialized"] == "view" else "table"
            statements.append((f"create or replace {materialized} {node['relation_name']} as {compiled}", False))
        elif kind in ("test", "unit_test") and compiled:
            statements.append((f"select count(*) from ({compiled}) as t", True))
    failures = []
    # The compiled SQL names the catalogue dbt used (the file's stem): attach the copy under that name.
    catalogue = next(n["database"] for n in manifest["nodes"].values() if n["resource_type"] == "model")
    with duckdb.connect() as con:
        con.execute(f"attach '{loaded}' as \"{catalogue}\"")
        con.execute(f'use "{catalogue}"')
        started, test_seconds = time.perf_counter(), 0.0
        for sql, is_test in statements:
            statement_started = time.perf_counter()
            try:
                con.execute(sql).fetchall()
            except duckdb.Error as error:
                failures.append(f"{error}".splitlines()[0][:160])
            test_seconds += (time.perf_counter() - statement_started) if is_test else 0.0
        seconds = time.perf_counter() - started
    if failures:
        print(f"    DuckDB alone: {len(failures)} statements failed, first: {failures[0]}")
    return seconds, len(statements), len(failures), test_seconds


# The warm-process figure: the month's build run this many times in one process, the last one timed.
WARM_RUNS = 2


def warm_incremental(folder: Path, env: dict[str, str]) -> float:
    """The month's incremental build in a warm dbt process; return the seconds of its last run.

    One Python process imports dbt, parses the project once (untimed) and runs the build WARM_RUNS times
    through dbtRunner with that manifest, each on a fresh copy of `folder`/before.duckdb (the file as it was
    before the month's build): what a long-lived dbt worker would cost a month, with no start-up, no parse
    and warm imports. A figure only: the product runs dbt as a command, as dagster-dbt does.
    """
    code = "import sys; from scorecard.scale_bench import _warm_builds; _warm_builds(sys.argv[1])"
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        cwd=PROJECT_DIR,
        env={**env, "SCORECARD_DUCKDB_PATH": str(folder / "warehouse.duckdb")},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the warm dbt process failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])[-1]


def _warm_builds(folder: str) -> None:
    """warm_incremental's process: parse once, build WARM_RUNS times, print the seconds of each as JSON."""
    from dbt.cli.main import dbtRunner

    work = Path(folder)
    common = ["--target-path", str(work / "target"), "--log-path", str(work / "target" / "logs"), "--quiet"]
    parsed = dbtRunner().invoke(["parse", "--vars", LATEST_BUILD_ONLY_VARS, *common])
    if not parsed.success:
        raise SystemExit(f"dbt parse failed: {parsed.exception}")
    month = ["build", "--select", "source:extracts+", *PRODUCTION, *common]  # as the month's build above
    seconds = []
    for _ in range(WARM_RUNS):
        shutil.copyfile(work / "before.duckdb", work / "warehouse.duckdb")
        started = time.perf_counter()
        built = dbtRunner(manifest=parsed.result).invoke(month)
        seconds.append(time.perf_counter() - started)
        if not built.success:
            raise SystemExit(f"dbt build failed in the warm process: {built.exception}")
    print(json.dumps(seconds))


def _load(paths: list[Path], database: Path) -> tuple[float, int]:
    started = time.perf_counter()
    results = load_paths(paths, database, is_sample=False, settle=0)
    seconds = time.perf_counter() - started
    refused = [r for r in results if r.status not in ("loaded", "skipped")]
    if refused:
        raise RuntimeError(f"{len(refused)} synthetic files were refused, e.g. {refused[0]}")
    return seconds, sum(r.rows for r in results if r.status == "loaded")


def query_latency(published: Path, runs: int = 200) -> tuple[float, float]:
    with duckdb.connect(str(published), read_only=True) as con:
        councils = [
            c for (c,) in con.execute("select distinct organisation_code from marts.fct_indicator_period").fetchall()
        ]
        months = [m for (m,) in con.execute("select distinct period_month from marts.fct_indicator_period").fetchall()]
        rng = random.Random(1)
        con.execute(SCORECARD_QUERY, {"council": councils[0], "month": months[0]}).fetchall()  # warm up
        timings = []
        for _ in range(runs):
            params = {"council": rng.choice(councils), "month": rng.choice(months)}
            started = time.perf_counter()
            con.execute(SCORECARD_QUERY, params).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * len(timings)) - 1]


def bench_size(councils: int, months: int, seed: int) -> dict:
    out = PROJECT_DIR / "warehouse" / "bench" / f"councils-{councils}"
    if out.exists():
        shutil.rmtree(out)
    summary = generate(out, councils=councils, months=months, seed=seed)
    env = {
        **os.environ,
        "SCORECARD_SEED_DIR": os.path.relpath(out / "seeds", PROJECT_DIR),
        "SCORECARD_REFERENCE_DIR": str(out / "seeds" / "reference"),
        "SCORECARD_INCLUDE_SAMPLE": "false",
        "SCORECARD_DUCKDB_PATH": str(out / "warehouse.duckdb"),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    os.environ["SCORECARD_REFERENCE_DIR"] = env["SCORECARD_REFERENCE_DIR"]
    database = out / "warehouse.duckdb"
    # every council's history, and the national statistics for all 153 authorities (the data files: the
    # loader reads each one's .meta.csv beside it)
    national = sorted(p for p in (out / "landing" / "national").glob("*.csv") if not p.name.endswith(".meta.csv"))
    history_seconds, history_rows = _load([*sorted((out / "landing" / "history").iterdir()), *national], database)
    loaded_copy = out / "loaded-only.duckdb"
    shutil.copyfile(database, loaded_copy)

    # Parse once first, untimed in the build figures (a deployment keeps its parsed project);
    # both builds then share the target folder and parse partially.
    parse_seconds, _, _ = _dbt(["parse", "--vars", LATEST_BUILD_ONLY_VARS], env, out / "target")
    startup_seconds, _, _ = _dbt(["build", *NOTHING], env, out / "target")
    full_seconds, full_mb, _ = _dbt(["build", "--full-refresh", *PRODUCTION], env, out / "target")
    with duckdb.connect(str(database), read_only=True) as con:
        fact_rows = {f: con.execute(f"select count(*) from marts.{f}").fetchone()[0] for f in FACTS}
    alone_seconds, statements, failures, _ = duckdb_alone(loaded_copy, out / "target")

    new_files = sorted((out / "landing" / "new_month").iterdir())
    month_load_seconds, month_rows = _load(new_files, database)
    shutil.copyfile(database, loaded_copy)
    # The same file name in another folder: its views name the catalogue after the file's stem.
    emptied = out / "emptied" / database.name
    emptied.parent.mkdir()
    shutil.copyfile(database, emptied)
    warm = out / "warm"
    warm.mkdir()
    shutil.copyfile(database, warm / "before.duckdb")
    inc_seconds, inc_mb, _ = _dbt(["build", "--select", "source:extracts+", *PRODUCTION], env, out / "target")
    inc_alone_seconds, inc_statements, inc_failures, inc_test_seconds = duckdb_alone(
        loaded_copy, out / "target", incremental=True
    )

    published = publish(
        database,
        out / "published" / "scorecard.duckdb",
        build_id=f"bench-{councils}",
        run_results=out / "target" / "run_results.json",
    ).published
    p50, p95 = query_latency(published)
    loaded_copy.unlink()
    # dbt's own work on the month's nodes: the same build, every ref and source read as `limit 0`. Another
    # file is another profile to dbt, so a target folder of its own, parsed first (untimed, as above):
    # the main one keeps its parse for the builds after this.
    empty_env = {**env, "SCORECARD_DUCKDB_PATH": str(emptied)}
    _dbt(["parse", "--vars", LATEST_BUILD_ONLY_VARS], empty_env, emptied.parent / "target")
    empty_seconds, _, _ = _dbt(["build", "--empty", "--select", "source:extracts+", *PRODUCTION], empty_env,
                               emptied.parent / "target")  # fmt: skip
    shutil.rmtree(emptied.parent)
    warm_seconds = warm_incremental(warm, env)
    shutil.rmtree(warm)
    orchestrated = dagster_figures(out, env, database, published, new_files)
    history = [out / "landing" / "history", *national]  # a folder is loaded whole
    engines = postgres_figures(councils, out, env, history, new_files) if councils <= POSTGRES_MAX_COUNCILS else {}
    if councils <= SPARK_MAX_COUNCILS and SPARK_DBT.exists():
        engines.update(spark_figures(out, env, history, new_files))
    os.environ.pop("SCORECARD_REFERENCE_DIR", None)
    return {
        **orchestrated,
        **engines,
        "councils": councils, "months": months, "files": summary.history_files, "history_rows": history_rows,
        "history_load_s": history_seconds, "parse_s": parse_seconds, "startup_s": startup_seconds,
        "facts": fact_rows, "full_build_s": full_seconds, "full_build_mb": full_mb,
        "duckdb_alone_s": alone_seconds, "statements": statements, "replay_failures": failures,
        "month_files": len(new_files), "month_rows": month_rows, "month_load_s": month_load_seconds,
        "incremental_build_s": inc_seconds, "incremental_build_mb": inc_mb, "query_p50_ms": p50, "query_p95_ms": p95,
        "incremental_alone_s": inc_alone_seconds, "incremental_statements": inc_statements,
        "incremental_replay_failures": inc_failures, "incremental_empty_s": empty_seconds,
        "incremental_alone_tests_s": inc_test_seconds, "incremental_warm_s": warm_seconds,
    }  # fmt: skip


def _timed(command: list[str], env: dict[str, str], log: Path) -> float:
    """Run a command from the project folder, its output appended to `log`; return its wall seconds."""
    started = time.perf_counter()
    with log.open("ab") as out:
        result = subprocess.run(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        raise RuntimeError(f"{' '.join(map(str, command))} failed; {log} ends:\n{tail}")
    return seconds


@contextlib.contextmanager
def _postgres_cluster(folder: Path):
    """The benchmark's own throwaway PostgreSQL cluster; its connection settings. Stopped and removed afterwards."""
    script = PROJECT_DIR / "scripts" / "postgres-throwaway.sh"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(SCORECARD_PG_PORT=POSTGRES_PORT, SCORECARD_PG_DATA=str(folder))
    started = subprocess.run(["bash", str(script), "start"], env=env, capture_output=True, text=True, check=False)
    if started.returncode != 0:
        raise RuntimeError(f"postgres-throwaway.sh start failed: {(started.stdout + started.stderr)[-2000:]}")
    try:
        yield {"PGHOST": "127.0.0.1", "PGPORT": POSTGRES_PORT, "PGUSER": "scorecard"}
    finally:
        subprocess.run(["bash", str(script), "stop"], env=env, capture_output=True, text=True, check=False)


def postgres_figures(councils: int, out: Path, env: dict[str, str], history: list[Path], new_files: list[Path]) -> dict:
    """History load, full build, new month load and incremental build on PostgreSQL, as on DuckDB above."""
    import psycopg2

    scorecard, log = str(BIN / "scorecard"), out / "postgres.log"
    with _postgres_cluster(Path(f"/tmp/scorecard-pg-bench-{POSTGRES_PORT}")) as cluster:
        name = f"scorecard_bench_{councils}"
        admin = psycopg2.connect(
            host=cluster["PGHOST"], port=int(cluster["PGPORT"]), user="postgres", dbname="postgres"
        )
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f"drop database if exists {name}")
            cur.execute(f"create database {name} owner scorecard")
        admin.close()
        pg_env = {**env, **cluster, "PGDATABASE": name, "SCORECARD_TARGET": "postgres",
                  "SCORECARD_SETTLE_SECONDS": "0"}  # fmt: skip
        target = out / "target-postgres"
        _timed([scorecard, "init"], pg_env, log)
        load_s = _timed([scorecard, "load", *map(str, history)], pg_env, log)
        _dbt(["parse", "--vars", LATEST_BUILD_ONLY_VARS], pg_env, target)  # untimed, as on DuckDB
        full_s, _, _ = _dbt(["build", "--full-refresh", *PRODUCTION], pg_env, target)
        month_load_s = _timed([scorecard, "load", *map(str, new_files)], pg_env, log)
        inc_s, _, _ = _dbt(["build", "--select", "source:extracts+", *PRODUCTION], pg_env, target)
    return {"pg_history_load_s": load_s, "pg_full_build_s": full_s, "pg_month_load_s": month_load_s,
            "pg_incremental_build_s": inc_s}  # fmt: skip


def spark_figures(out: Path, env: dict[str, str], history: list[Path], new_files: list[Path]) -> dict:
    """History load, full build, new month load and incremental build on Spark (session mode, local[2]).

    The loader writes Parquet (scorecard/spark.py); dbt is .venv-spark's. A folder of the benchmark's own
    holds the metastore, the tables and the raw files, made afresh.
    """
    spark_dir = out / "spark"
    shutil.rmtree(spark_dir, ignore_errors=True)
    scorecard, log = str(BIN / "scorecard"), out / "spark.log"
    spark_env = {**env, "SCORECARD_TARGET": "spark", "SCORECARD_SPARK_DIR": str(spark_dir),
                 "SCORECARD_SETTLE_SECONDS": "0"}  # fmt: skip
    target = out / "target-spark"
    _timed([scorecard, "init"], spark_env, log)
    load_s = _timed([scorecard, "load", *map(str, history)], spark_env, log)
    _dbt(["parse", "--vars", LATEST_BUILD_ONLY_VARS], spark_env, target, SPARK_DBT)  # untimed, as on DuckDB
    full_s, _, _ = _dbt(["build", "--full-refresh", *PRODUCTION], spark_env, target, SPARK_DBT)
    month_load_s = _timed([scorecard, "load", *map(str, new_files)], spark_env, log)
    inc_s, _, _ = _dbt(["build", "--select", "source:extracts+", *PRODUCTION], spark_env, target, SPARK_DBT)
    return {"spark_history_load_s": load_s, "spark_full_build_s": full_s, "spark_month_load_s": month_load_s,
            "spark_incremental_build_s": inc_s}  # fmt: skip


def _one_row_file(new_files: list[Path], folder: Path, tag: str) -> Path:
    """A one-row indicator file: a council's first figure of the new month sent again, with a note (a restatement)."""
    source = next(f for f in new_files if f.name.startswith("indicator_values_") and f.suffix == ".csv")
    with source.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        header, row = next(rows), next(rows)
    row[header.index("notes")] = f"resent ({tag})"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{source.stem}_{tag}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, row])
    return path


def _published_file(published: Path) -> tuple[int, int] | None:
    """The published file's identity: publishing renames a new file into place, so it changes with every publish."""
    try:
        stat = published.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _wait_for(what: str, done, daemon: subprocess.Popen, log: Path, poll: float = 0.25, failed=None) -> None:
    """Poll `done` until true; stop when the daemon stops, `failed` (checked every 5 s) is true, or time is up."""
    deadline, checked = time.monotonic() + DAGSTER_TIMEOUT_SECONDS, time.monotonic()
    while not done():
        state = None
        if daemon.poll() is not None:
            state = "stopped"
        elif time.monotonic() > deadline:
            state = f"gave no result in {DAGSTER_TIMEOUT_SECONDS} s"
        elif failed and time.monotonic() - checked > 5:
            checked = time.monotonic()
            state = "reported a failed run" if failed() else None
        if state:
            tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise RuntimeError(f"Dagster daemon {state} while waiting for {what}; its log ({log}) ends:\n{tail}")
        time.sleep(poll)


def dagster_figures(out: Path, env: dict[str, str], database: Path, published: Path, new_files: list[Path]) -> dict:
    """Dagster against the command line on the same data (see the module docstring)."""
    import dagster as dg  # here, not at the top: the other figures do not need it

    home, landing, drop, target = out / "dagster_home", out / "landing" / "live", out / "drop", out / "target"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    landing.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_DIR / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    denv = {
        **env, "DAGSTER_HOME": str(home), "DBT_TARGET_PATH": str(target), "SCORECARD_LANDING_DIR": str(landing),
        "SCORECARD_PUBLISHED_PATH": str(published), "SCORECARD_ALERTS_DIR": str(out / "alerts"),
    }  # fmt: skip
    # As under `make dev` (`dagster dev`), the way this project runs Dagster.
    denv["DAGSTER_IS_DEV_CLI"] = "1"
    denv.pop("SCORECARD_ALERT_WEBHOOK", None)  # the bench's checks never post anywhere
    denv.pop("DBT_LOG_PATH", None)
    log = home / "bench.log"
    # This process opens the instance too: its event log lives under DAGSTER_HOME (orchestration/dagster.yaml).
    os.environ["DAGSTER_HOME"] = str(home)
    # Deploy time, untimed (as `make build` and `make dev` do): parse the project for Dagster, and
    # create the instance's storage (a DAGSTER_HOME in use already has it).
    _timed([str(BIN / "python"), "-m", "orchestration.project"], denv, log)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)
        instance.get_latest_materialization_event(dg.AssetKey(["bench"]))
        instance.all_instigator_state()

    # (a) A build: the command line, then a run of land_and_build in a new process.
    cli_build_s, _, _ = _dbt(["build", *PRODUCTION], env, target)
    started = time.perf_counter()
    publish(database, published, build_id=f"bench-{out.name}-cli", run_results=target / "run_results.json")
    cli_publish_s = time.perf_counter() - started
    job = [str(BIN / "dagster"), "job", "execute", "-m", "orchestration.definitions", "-j", "land_and_build"]
    dagster_run_s = _timed(job, denv, log)
    leftovers = len(list(target.glob("scorecard_dbt_assets-*"))) + len(list((target / "dagster" / "runs").glob("*")))

    # (b) A one-row file: by hand, then through the landing sensor with the daemon running.
    by_hand = _one_row_file(new_files, drop, "by-hand")
    hand_load_s = _timed([str(BIN / "scorecard"), "load", str(by_hand)], denv, log)
    hand_build_s, _, _ = _dbt(["build", "--select", "source:extracts+", *PRODUCTION], env, target)
    hand_publish_s = _timed([str(BIN / "scorecard"), "publish"], denv, log)
    daemon_log = home / "daemon.log"
    with daemon_log.open("wb") as daemon_out:
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-m", "orchestration.definitions"], cwd=PROJECT_DIR, env=denv,
            stdout=daemon_out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        # Ready once the landing sensor has been evaluated (an empty landing folder: nothing to do).
        _wait_for("the landing sensor's first tick", lambda: b"landing_sensor" in daemon_log.read_bytes(), daemon,
                  daemon_log, poll=0.5)  # fmt: skip
        before = _published_file(published)
        dropped = _one_row_file(new_files, drop, "sensor")
        with dg.DagsterInstance.from_config(str(home)) as instance:
            failure = dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE])
            started = time.perf_counter()
            os.replace(dropped, landing / dropped.name)  # lands whole, as a finished copy does
            _wait_for("the landed file to be published", lambda: _published_file(published) != before, daemon,
                      daemon_log, failed=lambda: bool(instance.get_runs(filters=failure, limit=1)))  # fmt: skip
            sensor_s = time.perf_counter() - started
            # Untimed: let the run record its end before the daemon stops.
            status = dg.DagsterRunStatus
            running = dg.RunsFilter(statuses=[status.QUEUED, status.STARTING, status.STARTED])
            _wait_for("the run to finish", lambda: not instance.get_runs(filters=running, limit=1), daemon, daemon_log)
        with duckdb.connect(str(published), read_only=True) as con:
            build_id = con.execute("select build_id from marts.build_info").fetchone()[0]
        if build_id.startswith("bench-"):
            raise RuntimeError(f"the published file changed, but not by a Dagster run (build {build_id})")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
    hand_s = hand_load_s + hand_build_s + hand_publish_s
    return {
        "cli_build_s": cli_build_s, "cli_publish_s": cli_publish_s, "dagster_run_s": dagster_run_s,
        "dagster_ratio": dagster_run_s / (cli_build_s + cli_publish_s), "leftover_run_folders": leftovers,
        "hand_load_s": hand_load_s, "hand_build_s": hand_build_s, "hand_publish_s": hand_publish_s, "hand_s": hand_s,
        "sensor_s": sensor_s, "sensor_ratio": sensor_s / hand_s,
    }  # fmt: skip


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {sys.version.split()[0]}, duckdb {duckdb.__version__}"


def _month_pct(r: dict, seconds: float) -> str:
    """The month's load plus `seconds`, as a share of the full build."""
    return f"{100 * (r['month_load_s'] + seconds) / r['full_build_s']:.0f}%"


def run(sizes: list[int], months: int = 120, seed: int = 2026) -> list[dict]:
    print(f"machine: {machine()}")
    print(f"dataset: synthetic, {months} months, seed {seed}; one new month = the last month's files per council\n")
    rows = []
    for councils in sizes:
        print(f"... {councils} councils", flush=True)
        rows.append(bench_size(councils, months, seed))
    print()
    print("councils | fct_indicator_period | fct_budget_outturn | fct_workforce_measure_period | fct_risk | "
          "fct_programme_milestone")  # fmt: skip
    for r in rows:
        f = r["facts"]
        print(f"{r['councils']:>8} | {f['fct_indicator_period']:>20,} | {f['fct_budget_outturn']:>18,} | "
              f"{f['fct_workforce_measure_period']:>28,} | {f['fct_risk']:>8,} | "
              f"{f['fct_programme_milestone']:>23,}")  # fmt: skip
    print()
    print("councils | history load         | full build   | peak MB | DuckDB alone | ratio | new month load    | "
          "incremental | load+incr vs full | query p50 | query p95")  # fmt: skip
    for r in rows:
        ratio = r["full_build_s"] / r["duckdb_alone_s"] if r["duckdb_alone_s"] else float("nan")
        month = r["month_load_s"] + r["incremental_build_s"]
        print(f"{r['councils']:>8} | {r['history_rows']:>9,} rows {r['history_load_s']:>5.1f} s | "
              f"{r['full_build_s']:>10.1f} s | {r['full_build_mb']:>7,} | {r['duckdb_alone_s']:>10.1f} s | "
              f"{ratio:>4.1f}x | {r['month_rows']:>6,} rows {r['month_load_s']:>4.1f} s | "
              f"{r['incremental_build_s']:>9.1f} s | {100 * month / r['full_build_s']:>16.0f}% | "
              f"{r['query_p50_ms']:>6.1f} ms | {r['query_p95_ms']:>6.1f} ms")  # fmt: skip
    print()
    for r in rows:
        pct = functools.partial(_month_pct, r)
        models_alone = r["incremental_alone_s"] - r["incremental_alone_tests_s"]
        print(f"{r['councils']} councils: dbt parse (before the builds, not in their times) {r['parse_s']:.1f} s; "
              f"dbt start-up (a build that selects nothing, in both builds' times) {r['startup_s']:.1f} s; "
              f"DuckDB alone replayed {r['statements']} statements ({r['replay_failures']} failed); "
              f"incremental build peak {r['incremental_build_mb']} MB.")  # fmt: skip
        print(f"{r['councils']} councils, the new month (each with the month's load, against the full build): "
              f"its SQL in DuckDB alone {r['incremental_alone_s']:.1f} s ({r['incremental_statements']} statements, "
              f"{r['incremental_replay_failures']} failed; {pct(r['incremental_alone_s'])}), of which its models "
              f"{models_alone:.1f} s ({pct(models_alone)}) and its data tests {r['incremental_alone_tests_s']:.1f} s; "
              f"the build with every query emptied (dbt --empty: dbt's own work on its nodes) "
              f"{r['incremental_empty_s']:.1f} s ({pct(r['incremental_empty_s'])}); the build in a warm dbt process "
              f"(parsed, and the build run once before) {r['incremental_warm_s']:.1f} s "
              f"({pct(r['incremental_warm_s'])})")  # fmt: skip
    print()
    print("Dagster against the command line, same data (targets: a build at most 1.3x, a landed file at most 1.5x)")
    print("councils | dbt build + publish | Dagster run of land_and_build | ratio | one-row file by hand "
          "(load + build + publish) | landing sensor to published | ratio | run folders left")  # fmt: skip
    for r in rows:
        print(f"{r['councils']:>8} | {r['cli_build_s']:>6.1f} s + {r['cli_publish_s']:>4.1f} s | "
              f"{r['dagster_run_s']:>27.1f} s | {r['dagster_ratio']:>4.2f}x | "
              f"{r['hand_load_s']:>4.1f} s + {r['hand_build_s']:>5.1f} s + {r['hand_publish_s']:>4.1f} s = "
              f"{r['hand_s']:>5.1f} s | {r['sensor_s']:>25.1f} s | {r['sensor_ratio']:>4.2f}x | "
              f"{r['leftover_run_folders']:>16}")  # fmt: skip
    print()
    engines = [r for r in rows if "pg_full_build_s" in r or "spark_full_build_s" in r]
    if engines:
        print("The other engines, same data and commands (figures only)")
        print("councils | engine     | history load | full build | new month load | incremental | load+incr vs full")
        for r in engines:
            for engine, prefix in (("DuckDB", ""), ("PostgreSQL", "pg_"), ("Spark", "spark_")):
                if f"{prefix}full_build_s" not in r:
                    continue
                month = r[f"{prefix}month_load_s"] + r[f"{prefix}incremental_build_s"]
                print(f"{r['councils']:>8} | {engine:<10} | {r[f'{prefix}history_load_s']:>10.1f} s | "
                      f"{r[f'{prefix}full_build_s']:>8.1f} s | {r[f'{prefix}month_load_s']:>12.1f} s | "
                      f"{r[f'{prefix}incremental_build_s']:>9.1f} s | "
                      f"{100 * month / r[f'{prefix}full_build_s']:>16.0f}%")  # fmt: skip
        print()
    for r in rows:
        month = 100 * (r["month_load_s"] + r["incremental_build_s"]) / r["full_build_s"]
        other = f" postgres_s={r['pg_full_build_s']:.1f}" if "pg_full_build_s" in r else ""
        other += f" spark_s={r['spark_full_build_s']:.1f}" if "spark_full_build_s" in r else ""
        print(
            f"summary councils={r['councils']} full_s={r['full_build_s']:.1f} duckdb_s={r['duckdb_alone_s']:.1f} "
            f"month_pct={month:.0f} dagster_ratio={r['dagster_ratio']:.2f} sensor_ratio={r['sensor_ratio']:.2f}"
            f"{other}"
        )
    return rows
