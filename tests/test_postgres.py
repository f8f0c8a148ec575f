"""The same warehouse on PostgreSQL: loaded, built, tested and published there, equal to DuckDB's row for row.

A throwaway PostgreSQL cluster (scripts/postgres-throwaway.sh, Debian's postgresql, installed when
missing) on 127.0.0.1, a database per test module. Each warehouse is built on both engines from the
same files and seeds by the real commands (`scorecard init`, `scorecard load`, `dbt build`,
`scorecard publish`), and every mart is compared row for row: decimals by value, timestamps of
when a row was loaded or built left out (they differ between two loads by design).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from .conftest import PROJECT_DIR, project_instance, run_dbt, synthetic_set
from .mart_rows import TIME_COLUMNS, assert_identical, marts, normal
from .test_benchmark import FIXTURE, write_benchmark_seeds

pytestmark = [pytest.mark.slow, pytest.mark.postgres]  # a database server and several warehouse builds

# not 55432 (`make build-postgres`), so a developer's cluster is left alone; another port lets two runs share a machine
PORT = os.environ.get("SCORECARD_TEST_PG_PORT", "55439")
SCORECARD = Path(sys.executable).parent / "scorecard"
SCRIPT = PROJECT_DIR / "scripts" / "postgres-throwaway.sh"


@pytest.fixture(scope="session")
def postgres_cluster():
    """Start the throwaway cluster for the tests; stop and remove it afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(SCORECARD_PG_PORT=PORT, SCORECARD_PG_DATA=f"/tmp/scorecard-pg-test-{PORT}")
    started = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=900)
    assert started.returncode == 0, started.stdout + started.stderr
    yield {"PGHOST": "127.0.0.1", "PGPORT": PORT, "PGUSER": "scorecard"}
    subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, text=True, timeout=120)


def _psql(cluster: dict[str, str], sql: str, database: str = "postgres", user: str = "postgres") -> str:
    import psycopg2

    con = psycopg2.connect(host=cluster["PGHOST"], port=int(cluster["PGPORT"]), user=user, dbname=database)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else None
    finally:
        con.close()


def _new_database(cluster: dict[str, str]) -> dict[str, str]:
    name = f"scorecard_test_{uuid.uuid4().hex[:10]}"
    _psql(cluster, f"create database {name} owner scorecard")
    return {**cluster, "PGDATABASE": name, "SCORECARD_TARGET": "postgres"}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    result = subprocess.run(args, cwd=PROJECT_DIR, env=full, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"{' '.join(map(str, args))}:\n{result.stdout[-4000:]}\n{result.stderr[-3000:]}"
    return result


def _warehouse(env: dict[str, str], work: Path, batches: list[list[Path]], *, sample: bool) -> Path:
    """Init, load each batch and build after it, then publish, with the engine `env` chooses; return the target path."""
    dbt_env = {**env, "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    _run([str(SCORECARD), "init"], dbt_env)
    if sample:
        _run([str(SCORECARD), "load-sample"], dbt_env)
    for batch in batches:
        _run([str(SCORECARD), "load", *map(str, batch)], dbt_env)
        built = run_dbt(["build"], Path(env.get("SCORECARD_DUCKDB_PATH", work / "unused.duckdb")), work, dbt_env)
        assert built.returncode == 0, built.stdout[-6000:]
    _run([str(SCORECARD), "publish"], dbt_env)
    return work / "target"


def _marts_duckdb(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return marts(lambda sql, params=(): con.execute(sql, list(params)).fetchall())


def _marts_postgres(env: dict[str, str], user: str = "scorecard") -> dict[str, tuple[list[str], list[tuple]]]:
    import psycopg2

    con = psycopg2.connect(host=env["PGHOST"], port=int(env["PGPORT"]), user=user, dbname=env["PGDATABASE"])
    try:
        with con.cursor() as cur:

            def query(sql, params=()):
                cur.execute(sql.replace("?", "%s"), list(params))
                return cur.fetchall()

            return marts(query)
    finally:
        con.close()


# --------------------------------------------------------------------------- the sample, with national figures


@pytest.fixture(scope="module")
def sample_seeds():
    """The project's seeds plus the benchmark fixture's test-only mapping and neighbours (as in test_benchmark).

    Inside the project, given to dbt as a relative path: with an absolute seed path outside the
    project, dbt writes each seed's compiled SQL over the seed file itself.
    """
    folder = PROJECT_DIR / "warehouse" / f"test-pg-seeds-{uuid.uuid4().hex[:8]}"
    seeds = folder / "seeds"
    reference = write_benchmark_seeds(seeds)
    yield {"SCORECARD_SEED_DIR": os.path.relpath(seeds, PROJECT_DIR), "SCORECARD_REFERENCE_DIR": str(reference)}
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def sample_on_both(postgres_cluster, sample_seeds, tmp_path_factory):
    work = tmp_path_factory.mktemp("pg-sample")
    duck_env = {**sample_seeds, "SCORECARD_DUCKDB_PATH": str(work / "duck" / "warehouse.duckdb"),
                "SCORECARD_PUBLISHED_PATH": str(work / "duck" / "published" / "scorecard.duckdb")}  # fmt: skip
    _warehouse(duck_env, work / "duck", [[FIXTURE]], sample=True)
    pg_env = {**_new_database(postgres_cluster), **sample_seeds}
    target = _warehouse(pg_env, work / "pg", [[FIXTURE]], sample=True)
    return {"duckdb": work / "duck" / "published" / "scorecard.duckdb", "postgres": pg_env, "target": target}


def test_the_sample_builds_on_postgres_and_every_mart_equals_duckdb(sample_on_both):
    run = json.loads((sample_on_both["target"] / "run_results.json").read_text(encoding="utf-8"))
    statuses = {r["status"] for r in run["results"]}
    kinds = {r["unique_id"].split(".")[0] for r in run["results"]}
    assert statuses <= {"success", "pass", "no-op"}, statuses
    assert {"model", "test", "unit_test", "seed"} <= kinds  # models, data tests and unit tests ran on PostgreSQL
    duck, pg = _marts_duckdb(sample_on_both["duckdb"]), _marts_postgres(sample_on_both["postgres"])
    assert_identical(duck, pg, "PostgreSQL")
    # and they are not empty: a known figure of each engine's scorecard
    columns, rows = pg["fct_scorecard_latest"]
    row = {c: v for c, v in zip([c for c in columns if not c.endswith(TIME_COLUMNS)], rows[0], strict=True)}
    assert len(rows) > 40 and row["organisation_code"] in ("HRF", "SD004")
    assert len(pg["fct_authority_benchmark"][1]) > 0


def test_each_council_role_sees_only_its_own_rows(sample_on_both):
    env = sample_on_both["postgres"]
    granted = _run([str(SCORECARD), "grant", "HRF", "SD004"], env).stdout
    assert "scorecard_council_hrf" in granted and "scorecard_council_sd004" in granted
    for council, role in (("HRF", "scorecard_council_hrf"), ("SD004", "scorecard_council_sd004")):
        seen = _marts_postgres(env, user=role)
        everything = _marts_postgres(env)
        secured = [t for t, (columns, _) in everything.items() if "organisation_code" in columns]
        assert {"fct_scorecard_latest", "fct_indicator_period", "fct_commentary", "dim_organisation"} <= set(secured)
        for table in secured:
            columns = [c for c in seen[table][0] if not c.endswith(TIME_COLUMNS)]
            at = columns.index("organisation_code")
            codes = {row[at] for row in seen[table][1]}
            assert codes <= {council}, f"{role} sees {codes - {council}} in {table}"
            own = [row for row in everything[table][1] if row[at] == council]
            assert len(seen[table][1]) == len(own), table
        assert len(seen["fct_scorecard_latest"][1]) > 0
    # the shared role: the national figures of every authority, no council's own rows
    national = _marts_postgres(env, user="scorecard_national")
    assert len(national["fct_authority_benchmark"][1]) == len(_marts_postgres(env)["fct_authority_benchmark"][1]) > 0
    assert national["fct_scorecard_latest"][1] == []


def test_a_council_not_in_the_reference_gets_no_role(sample_on_both):
    env = {**os.environ, **sample_on_both["postgres"]}
    result = subprocess.run([str(SCORECARD), "grant", "NOPE"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "scorecard grant: NOPE: not in seeds/reference/organisations.csv; no role was created"
    )


# --------------------------------------------------------------------------- the reports and Dagster's checks


def _source_results(folder: Path) -> dict[str, list[tuple]]:
    """Each reports source query's Parquet output under `folder`: its rows, normalised and sorted."""
    out = {}
    with duckdb.connect() as con:
        for parquet in sorted(folder.glob("scorecard/*/*.parquet")):
            if parquet.read_bytes()[:4] == b"\xff\xff\xff\xff":
                # no rows (the sample prints no commentary): columns only, as an Arrow IPC stream
                # (reports/scripts/offline-universal-sql.mjs)
                out[parquet.stem] = []
                continue
            columns = [
                row[0] for row in con.execute("describe select * from read_parquet(?)", [str(parquet)]).fetchall()
            ]
            kept = ", ".join(f'"{c}"' for c in columns if not c.endswith(TIME_COLUMNS))
            rows = con.execute(f"select {kept} from read_parquet(?)", [str(parquet)]).fetchall()
            out[parquet.stem] = sorted((tuple(normal(v) for v in row) for row in rows), key=repr)
    return out


def test_the_reports_read_the_postgres_marts_as_the_reports_role_with_duckdbs_figures(sample_on_both, tmp_path,
                                                                                      monkeypatch):  # fmt: skip
    from scorecard import report_sources

    if not (PROJECT_DIR / "reports" / "node_modules" / ".installed").exists():
        pytest.fail("reports/node_modules is not installed: run `make reports-setup` (make test does)")
    for key, value in sample_on_both["postgres"].items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PGUSER", "nobody")  # the reports connect as the reports role, never the owner
    report_sources.run(tmp_path / "postgres")
    written = (report_sources.POSTGRES_PROJECT / "sources" / "scorecard" / "connection.yaml").read_text()
    assert "type: postgres" in written and "user: scorecard_reports" in written and "password" not in written
    # a server it cannot reach is refused in one line (Evidence itself ends with status 0 then)
    monkeypatch.setenv("PGPORT", "1")
    with pytest.raises(report_sources.ReportSourcesError, match=r"not written: authority_benchmark, .*ECONNREFUSED"):
        report_sources.run(tmp_path / "unreachable")
    monkeypatch.setenv("SCORECARD_TARGET", "dev")
    monkeypatch.setenv("SCORECARD_PUBLISHED_PATH", str(sample_on_both["duckdb"]))
    report_sources.run(tmp_path / "duckdb")
    pg, duck = _source_results(tmp_path / "postgres"), _source_results(tmp_path / "duckdb")
    queries = {path.stem for path in report_sources.SOURCE_DIR.glob("*.sql")}
    assert set(pg) == set(duck) == queries
    assert len(pg.pop("build_info")) == len(duck.pop("build_info")) == 1  # each engine's own build id
    for query in sorted(queries - {"build_info"}):
        assert len(pg[query]) == len(duck[query]), f"{query}: {len(pg[query])} rows from PostgreSQL, {len(duck[query])}"
        different = [(a, b) for a, b in zip(pg[query], duck[query], strict=True) if a != b]
        assert not different, f"{query}: {len(different)} rows differ, first: {different[0]}"
    assert len(pg["scorecard_latest"]) > 40 and len(pg["organisations"]) >= 2


def test_dagster_checks_read_the_postgres_build_and_agree_with_duckdb(sample_on_both, tmp_path, monkeypatch):
    from orchestration.checks import freshness_checks, indicators_due_have_values

    monkeypatch.setenv("SCORECARD_AS_OF", "2018-03-20")
    monkeypatch.setenv("SCORECARD_ALERTS_DIR", str(tmp_path / "alerts"))
    results = {}
    working = sample_on_both["duckdb"].parent.parent / "warehouse.duckdb"
    engines = {
        "postgres": sample_on_both["postgres"],
        "duckdb": {"SCORECARD_TARGET": "dev", "SCORECARD_DUCKDB_PATH": str(working)},
    }
    for engine, env in engines.items():
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        results[engine] = [(r.passed, r.description, {k: v.value for k, v in r.metadata.items()})
                           for r in (check() for check in [indicators_due_have_values, *freshness_checks])]  # fmt: skip
    assert results["postgres"] == results["duckdb"]
    due = results["postgres"][0]
    assert due[0] is False and "HRF May-17 CWB 07" in due[2]["missing"]
    fresh = results["postgres"][1]
    assert fresh[2]["stale"] == {"HRF": "2017-05-01", "SD004": "2018-01-01"}


def test_a_dagster_run_loads_builds_checks_and_publishes_on_postgres(postgres_cluster, tmp_path, monkeypatch):
    """land_and_build, in process, on PostgreSQL: the landed file reaches the published marts by the schema swap."""

    from .test_orchestration import FD3, IV_HEADER, run_job

    env = {**_new_database(postgres_cluster), "SCORECARD_LANDING_DIR": str(tmp_path / "landing"),
           "SCORECARD_QUARANTINE_DIR": str(tmp_path / "landing" / "quarantine"),
           "SCORECARD_ALERTS_DIR": str(tmp_path / "alerts"), "SCORECARD_SETTLE_SECONDS": "0",
           "SCORECARD_AS_OF": "2018-03-20", "SCORECARD_DUCKDB_PATH": str(tmp_path / "unused.duckdb")}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _run([str(SCORECARD), "init"], env)
    _run([str(SCORECARD), "load-sample"], env)
    landed = tmp_path / "landing" / "indicator_values_SD004_2018-02.csv"
    landed.parent.mkdir()
    landed.write_text(IV_HEADER + FD3.format(m="Feb-18", v="91%"), encoding="utf-8")
    with project_instance() as instance:
        result = run_job(landed, instance)
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    due = checks["indicators_due_have_values"]
    assert due.description == "35 due indicator(s) have no figure"  # as on DuckDB (test_orchestration)
    assert checks["fct_indicator_period_is_fresh"].metadata["stale"].data == {"HRF": "2017-05-01"}
    latest = _psql(
        postgres_cluster,
        "select period_month, value, rag_status from marts.fct_scorecard_latest "
        "where organisation_code = 'SD004' and indicator_code = 'FD 3'",
        env["PGDATABASE"],
        "scorecard",
    )
    assert [(str(m), float(v), rag) for m, v, rag in latest] == [("2018-02-01", 91.0, "Green")]
    stamp = _psql(postgres_cluster, "select build_id from marts.build_info", env["PGDATABASE"], "scorecard")
    assert stamp == [(result.run_id,)]
    assert not (tmp_path / "unused.duckdb").exists()  # nothing went to DuckDB


# --------------------------------------------------------------------------- readers during builds


def test_readers_see_only_complete_builds_during_a_build_a_publish_and_a_failed_build(sample_on_both, tmp_path):
    import psycopg2

    env = sample_on_both["postgres"]
    stop = threading.Event()
    seen: list[str] = []
    errors: list[str] = []

    def reader():
        con = psycopg2.connect(host=env["PGHOST"], port=int(env["PGPORT"]), user="scorecard_reports",
                               dbname=env["PGDATABASE"])  # fmt: skip
        con.autocommit = True
        with con.cursor() as cur:
            while not stop.is_set():
                try:  # one statement, as a BI tool's query is: one snapshot of one layer
                    cur.execute(
                        "select build_id, mart_row_counts, (select count(*) from marts.fct_scorecard_latest), "
                        "(select count(*) from marts.fct_indicator_period) from marts.build_info"
                    )
                    build_id, promised, latest, periods = cur.fetchone()
                    counts = json.loads(promised)
                    if (latest, periods) != (counts["fct_scorecard_latest"], counts["fct_indicator_period"]):
                        errors.append(f"incomplete build {build_id}: {latest}, {periods} against {counts}")
                    seen.append(build_id)
                except psycopg2.Error as exc:
                    errors.append(str(exc).splitlines()[0])
                time.sleep(0.01)
        con.close()

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        dbt_env = {**env, "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
        # a build and a publish while they read
        assert run_dbt(["build"], tmp_path / "unused.duckdb", tmp_path, dbt_env).returncode == 0
        _run([str(SCORECARD), "publish"], dbt_env)
        # a build that fails (a mart's test fails): nothing is published, readers keep the last build
        failed = run_dbt(["build", "--vars", "{calendar_end: '2017-04-01'}"], tmp_path / "unused.duckdb", tmp_path,
                         dbt_env)  # fmt: skip
        assert failed.returncode != 0
        refused = subprocess.run([str(SCORECARD), "publish"], cwd=PROJECT_DIR, env={**os.environ, **dbt_env},
                                 capture_output=True, text=True)  # fmt: skip
        assert refused.returncode == 1 and "not published: the last build did not pass" in refused.stderr
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert len(seen) > 50 and len(set(seen)) == 2  # the build before, and the one published while they read


# --------------------------------------------------------------------------- ten synthetic councils, a new month


@pytest.fixture(scope="module")
def ten_councils():
    with synthetic_set("test-pg-synth", councils=10, months=24, seed=11) as dataset:
        yield dataset


def test_ten_councils_and_an_incremental_month_equal_duckdb(postgres_cluster, ten_councils, tmp_path):
    seeds, history, new_month = ten_councils.seeds, ten_councils.history, ten_councils.new_month
    duck_env = {**seeds, "SCORECARD_DUCKDB_PATH": str(tmp_path / "duck" / "warehouse.duckdb"),
                "SCORECARD_PUBLISHED_PATH": str(tmp_path / "duck" / "published" / "scorecard.duckdb")}  # fmt: skip
    _warehouse(duck_env, tmp_path / "duck", [history, new_month], sample=False)
    pg_env = {**_new_database(postgres_cluster), **seeds}
    _warehouse(pg_env, tmp_path / "pg", [history, new_month], sample=False)
    duck = _marts_duckdb(tmp_path / "duck" / "published" / "scorecard.duckdb")
    pg = _marts_postgres(pg_env)
    assert_identical(duck, pg, "PostgreSQL")
    columns, rows = pg["fct_indicator_period"]
    kept = [c for c in columns if not c.endswith(TIME_COLUMNS)]
    months = {row[kept.index("period_month")] for row in rows}
    councils = {row[kept.index("organisation_code")] for row in rows}
    assert max(months) == "2026-03-01" and len(councils) == 10
