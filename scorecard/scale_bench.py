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
  of the file as it was before it;
* a typical scorecard query (one council, one month, joined to the catalogue) on
  the published file: p50 and p95 of 200 runs on one read-only connection.

It prints figures only. Nothing here is asserted: tests never time.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from scorecard.loader import load_paths
from scorecard.publish import publish
from scorecard.settings import PROJECT_DIR
from scorecard.synth import generate

# Production builds, as the Dagster jobs run them: unit tests check SQL against fixed inputs
# and run in CI (`make test`), not on every build.
PRODUCTION = ["--exclude-resource-type", "unit_test"]
# A build that selects nothing: dbt's fixed cost per invocation (start-up, manifest, connection).
NOTHING = ["--select", "dim_period", "--exclude", "dim_period"]

FACTS = ["fct_indicator_period", "fct_scorecard_latest", "fct_budget_outturn", "fct_workforce_measure_period",
         "fct_risk", "fct_programme_milestone"]  # fmt: skip

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


def _dbt(args: list[str], env: dict[str, str], target: Path) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run dbt; return wall seconds, peak RSS in MB of the dbt process, and the result."""
    dbt = str(Path(sys.executable).with_name("dbt"))
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


def duckdb_alone(loaded: Path, target: Path, *, incremental: bool = False) -> tuple[float, int, int]:
    """Replay the compiled SQL of the last build in one DuckDB process; return seconds, statements, failures.

    For an incremental build, `loaded` is a copy of the file as it was before that build, and its
    incremental models are replayed as dbt-duckdb runs them (append, or delete+insert on the key).
    """
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    statements = []
    for result in results:
        node = nodes.get(result["unique_id"])
        if node is None:
            continue
        kind = node["resource_type"]
        compiled = result.get("compiled_code") or node.get("compiled_code")
        if kind in ("seed", "model"):
            statements.append(f"create schema if not exists {node['relation_name'].rsplit('.', 1)[0]}")
        if kind == "seed":
            statements.append(_seed_sql(node))
        elif kind == "model" and incremental and node["config"]["materialized"] == "incremental":
            statements.extend(_incremental_sql(node, compiled))
        elif kind == "model":
            materialized = "view" if node["config"]["materialized"] == "view" else "table"
            statements.append(f"create or replace {materialized} {node['relation_name']} as {compiled}")
        elif kind in ("test", "unit_test") and compiled:
            statements.append(f"select count(*) from ({compiled}) as t")
    failures = []
    # The compiled SQL names the catalogue dbt used (the file's stem): attach the copy under that name.
    catalogue = next(n["database"] for n in manifest["nodes"].values() if n["resource_type"] == "model")
    with duckdb.connect() as con:
        con.execute(f"attach '{loaded}' as \"{catalogue}\"")
        con.execute(f'use "{catalogue}"')
        started = time.perf_counter()
        for sql in statements:
            try:
                con.execute(sql).fetchall()
            except duckdb.Error as error:
                failures.append(f"{error}".splitlines()[0][:160])
        seconds = time.perf_counter() - started
    if failures:
        print(f"    DuckDB alone: {len(failures)} statements failed, first: {failures[0]}")
    return seconds, len(statements), len(failures)


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
    history_seconds, history_rows = _load(sorted((out / "landing" / "history").iterdir()), database)
    loaded_copy = out / "loaded-only.duckdb"
    shutil.copyfile(database, loaded_copy)

    # Parse once first, untimed in the build figures (a deployment keeps its parsed project);
    # both builds then share the target folder and parse partially.
    parse_seconds, _, _ = _dbt(["parse"], env, out / "target")
    startup_seconds, _, _ = _dbt(["build", *NOTHING], env, out / "target")
    full_seconds, full_mb, _ = _dbt(["build", "--full-refresh", *PRODUCTION], env, out / "target")
    with duckdb.connect(str(database), read_only=True) as con:
        fact_rows = {f: con.execute(f"select count(*) from marts.{f}").fetchone()[0] for f in FACTS}
    alone_seconds, statements, failures = duckdb_alone(loaded_copy, out / "target")

    new_files = sorted((out / "landing" / "new_month").iterdir())
    month_load_seconds, month_rows = _load(new_files, database)
    shutil.copyfile(database, loaded_copy)
    inc_seconds, inc_mb, _ = _dbt(["build", "--select", "source:extracts+", *PRODUCTION], env, out / "target")
    inc_alone_seconds, inc_statements, inc_failures = duckdb_alone(loaded_copy, out / "target", incremental=True)

    published = publish(
        database,
        out / "published" / "scorecard.duckdb",
        build_id=f"bench-{councils}",
        run_results=out / "target" / "run_results.json",
    ).published
    p50, p95 = query_latency(published)
    os.environ.pop("SCORECARD_REFERENCE_DIR", None)
    loaded_copy.unlink()
    return {
        "councils": councils, "months": months, "files": summary.history_files, "history_rows": history_rows,
        "history_load_s": history_seconds, "parse_s": parse_seconds, "startup_s": startup_seconds,
        "facts": fact_rows, "full_build_s": full_seconds, "full_build_mb": full_mb,
        "duckdb_alone_s": alone_seconds, "statements": statements, "replay_failures": failures,
        "month_files": len(new_files), "month_rows": month_rows, "month_load_s": month_load_seconds,
        "incremental_build_s": inc_seconds, "incremental_build_mb": inc_mb, "query_p50_ms": p50, "query_p95_ms": p95,
        "incremental_alone_s": inc_alone_seconds, "incremental_statements": inc_statements,
        "incremental_replay_failures": inc_failures,
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
        print(f"{r['councils']} councils: dbt parse (before the builds, not in their times) {r['parse_s']:.1f} s; "
              f"dbt start-up (a build that selects nothing, in both builds' times) {r['startup_s']:.1f} s; "
              f"DuckDB alone replayed {r['statements']} statements ({r['replay_failures']} failed); "
              f"incremental build peak {r['incremental_build_mb']} MB; incremental build's SQL in DuckDB alone "
              f"{r['incremental_alone_s']:.1f} s ({r['incremental_statements']} statements, "
              f"{r['incremental_replay_failures']} failed)")  # fmt: skip
    return rows
