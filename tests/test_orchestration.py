"""Dagster: definitions, the landing sensor, runs that publish, blocking checks, alerts, and readers."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from scorecard.alerts import read_alerts
from scorecard.loader import load_paths, load_sample
from scorecard.reference_check import fingerprint
from tests.conftest import PROJECT_DIR, project_instance

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow

IV_HEADER = (
    "organisation_code,indicator_code,period,value,reported_rag,polarity_as_printed,target_as_printed,"
    "rag_methodology_as_printed,reported_in,notes\n"
)
FD3 = "SD004,FD 3,{m},{v},,BIB,90%,90% or above Green 85%-89% Amber 84% and below Red,{m},\n"


@pytest.fixture
def orch(tmp_path, monkeypatch):
    """Working, published, landing and alert locations in a temporary folder; the sample already loaded."""
    env = {
        "SCORECARD_DUCKDB_PATH": tmp_path / "working.duckdb",
        "SCORECARD_PUBLISHED_PATH": tmp_path / "published" / "scorecard.duckdb",
        "SCORECARD_LANDING_DIR": tmp_path / "landing",
        "SCORECARD_QUARANTINE_DIR": tmp_path / "landing" / "quarantine",
        "SCORECARD_ALERTS_DIR": tmp_path / "alerts",
        "SCORECARD_SETTLE_SECONDS": "0",
        "SCORECARD_AS_OF": "2018-03-20",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    (tmp_path / "landing").mkdir()
    load_sample(tmp_path / "working.duckdb")
    return {k.removeprefix("SCORECARD_").lower(): Path(v) for k, v in env.items() if k != "SCORECARD_AS_OF"}


def land(orch, name: str, text: str) -> Path:
    path = orch["landing_dir"] / name
    path.write_text(text, encoding="utf-8")
    return path


def run_job(path: Path, instance, job: str = "land_and_build"):
    from orchestration.definitions import defs

    config = {"ops": {"landed_extracts": {"config": {"files": [str(path)]}}}}
    result = defs.resolve_job_def(job).execute_in_process(run_config=config, instance=instance, raise_on_error=False)
    assert_no_run_folder_left(result.run_id)
    return result


def assert_no_run_folder_left(run_id: str) -> None:
    """dbt's target folder for the run is gone, named as dagster-dbt names it or as orchestration/project.py does."""
    from orchestration.project import PROJECT_DIR, RUNS_DIR
    from scorecard.settings import dbt_target_dir

    left = [
        *(p for folder in {dbt_target_dir(), PROJECT_DIR / "target"} for p in folder.glob("scorecard_dbt_assets-*")
          if p.name.split("-")[1] == run_id[:7]),
        *RUNS_DIR.glob(f"{run_id[:8]}-*"),
    ]  # fmt: skip
    assert left == [], left


def load_definitions_in_new_process(env: dict[str, str]) -> dict:
    """Import the definitions in a new interpreter, as a code server or run worker does; report dbt commands run."""
    script = """
import json, subprocess, sys
import dagster_dbt
calls = []
real_popen_init = subprocess.Popen.__init__
def popen_init(self, args, *a, **k):
    calls.append([str(x) for x in args] if isinstance(args, (list, tuple)) else [str(args)])
    real_popen_init(self, args, *a, **k)
subprocess.Popen.__init__ = popen_init
dagster_dbt.DbtProject.prepare_if_dev = lambda self: calls.append(["prepare_if_dev"])
from orchestration.definitions import defs
from orchestration.project import MANIFEST_MARK, scorecard_dbt
import os
assert defs.resolve_job_def("land_and_build")
print(json.dumps({"calls": calls, "manifest": str(scorecard_dbt.manifest_path), "mark": os.environ[MANIFEST_MARK]}))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_run_worker_reads_the_deploy_time_manifest_and_never_parses(tmp_path):
    from orchestration.project import MANIFEST_MARK

    # The deploy-time parse (`make build`, `make dev`), run here into a target folder of this test's own,
    # so the test needs no earlier `make build` (CI runs it on a clean clone).
    env = {k: v for k, v in os.environ.items() if k != MANIFEST_MARK}
    env.update(DBT_TARGET_PATH=str(tmp_path / "target"))
    deploy = subprocess.run(
        [sys.executable, "-m", "orchestration.project"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert deploy.returncode == 0, deploy.stderr[-3000:]
    manifest = tmp_path / "target" / "dagster" / "manifest.json"
    assert manifest.is_file() and manifest.with_name("partial_parse.msgpack").is_file()
    env["DAGSTER_IS_DEV_CLI"] = "1"  # as under `dagster dev`

    def dbt_parses(calls):
        return [c for c in calls if c == ["prepare_if_dev"] or (Path(c[0]).name == "dbt" and "parse" in c)]

    # The code server of `dagster dev`, the manifest up to date: read, not parsed (prepare_if_dev parsed here).
    server = load_definitions_in_new_process(env)
    assert dbt_parses(server["calls"]) == []
    assert server["manifest"] == server["mark"] == str(manifest)
    # A run worker, started by that code server (so it inherits its environment), even with a stale
    # manifest (a model edited since): it reads the manifest as it is and never parses.
    os.utime(manifest, (1, 1))
    worker = load_definitions_in_new_process({**env, MANIFEST_MARK: server["mark"]})
    assert worker["calls"] == []  # no dbt at all: neither `dbt parse` nor dagster-dbt's `dbt --version`
    assert worker["manifest"] == str(manifest)
    assert manifest.stat().st_mtime == 1
    # A code server that finds the manifest stale parses it once, so the graph matches the project.
    [parse] = dbt_parses(load_definitions_in_new_process(env)["calls"])
    assert parse[:2] == [str(Path(sys.executable).with_name("dbt")), "parse"]
    assert manifest.stat().st_mtime > 1


def test_definitions_load_with_one_connected_graph():
    from orchestration.definitions import defs

    dg.Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/indicator_values", "marts/fct_scorecard_latest", "published_warehouse"} <= keys
    # every dbt source is the raw table the ingestion asset fills
    staging = graph.get(dg.AssetKey(["staging", "stg_extracts__indicator_values"]))
    assert dg.AssetKey(["raw", "indicator_values"]) in staging.parent_keys
    assert graph.get(dg.AssetKey(["raw", "indicator_values"])).is_materializable
    assert {s.name for s in repo.sensor_defs} == {"landing_sensor", "alert_on_run_failure"}
    [schedule] = repo.schedule_defs
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 3 * *", "Europe/London")
    checks = {
        key.name: spec
        for key, spec in zip(graph.asset_check_keys, map(graph.get_check_spec, graph.asset_check_keys), strict=True)
    }
    assert len(checks) > 180
    assert checks["fct_indicator_period_is_fresh"].blocking is False
    # dbt tests become checks; error-severity ones block downstream assets, warn-severity ones do not
    assert any(spec.blocking for spec in checks.values())
    assert not checks[
        "reconciles_within_tolerance_fct_budget_outturn_variance__computed_variance__variance_tolerance"
    ].blocking


def test_landing_sensor_one_run_per_batch_of_new_files_also_after_restart(orch):
    from orchestration.sensors import landing_sensor

    path = land(orch, "indicator_values_SD004_2018-02.csv", IV_HEADER + FD3.format(m="Feb-18", v="91%"))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with project_instance() as instance:
        first = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        key = f"{sha}:{fingerprint()}"
        assert [r.run_key for r in first.run_requests] == [hashlib.sha256(key.encode()).hexdigest()]
        assert first.run_requests[0].run_config["ops"]["landed_extracts"]["config"]["files"] == [str(path)]
        assert first.run_requests[0].job_name == "land_and_build"  # nothing built yet: everything
        again = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert again.run_requests == []
    # a new process, a new instance, the cursor kept in DAGSTER_HOME: still nothing for a seen file
    with project_instance() as instance:
        restarted = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert restarted.run_requests == []
        path.rename(path.with_name("indicator_values_SD004_2018-02_copy.csv"))  # same content, new name
        assert (
            landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor)).run_requests
            == []
        )
        # a month's files landing together: one run for all of them, not one per file
        march = land(orch, "indicator_values_SD004_2018-03.csv", IV_HEADER + FD3.format(m="Mar-18", v="92%"))
        workforce = land(orch, "workforce_HRF_2018-03.csv", "organisation_code,period,measure_code,value,"
                         "reported_in,notes\nHRF,Mar-18,fte,120,Mar-18,\n")  # fmt: skip
        tick = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        [request] = tick.run_requests
        assert request.run_config["ops"]["landed_extracts"]["config"]["files"] == sorted([str(march), str(workforce)])
        assert request.tags["landing_files"] == "2"
        later = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=tick.cursor))
        assert later.run_requests == []


def test_the_dbt_resource_runs_no_version_probe_and_opens_no_adapter(monkeypatch):
    import importlib.metadata

    from dagster_dbt import DbtCliResource

    from orchestration.project import DBT, dbt_resource

    # The two methods overridden still exist in dagster-dbt (an upgrade that renames them fails here).
    assert {"_cli_version", "_initialize_dbt_core_adapter"} <= set(dir(DbtCliResource))

    def no_process(*args, **kwargs):
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "check_output", no_process)
    resource = dbt_resource()
    assert str(resource._cli_version) == importlib.metadata.version("dbt-core")
    assert resource._initialize_dbt_core_adapter(["build"]) is None
    assert resource.dbt_executable == str(DBT)


def test_landing_sensor_one_run_request_for_a_batch_with_a_run_key_from_the_files_hashes(orch, monkeypatch):
    from orchestration.sensors import landing_sensor

    workforce = "organisation_code,period,measure_code,value,reported_in,notes\nHRF,Mar-18,fte,120,Mar-18,\n"
    batch = [
        land(orch, "indicator_values_SD004_2018-03.csv", IV_HEADER + FD3.format(m="Mar-18", v="92%")),
        land(orch, "workforce_HRF_2018-03.csv", workforce),
        land(orch, "indicator_values_SD004_2018-04.csv", IV_HEADER + FD3.format(m="Apr-18", v="93%")),
    ]
    keys = sorted(f"{hashlib.sha256(p.read_bytes()).hexdigest()}:{fingerprint()}" for p in batch)
    expected_key = hashlib.sha256("".join(keys).encode()).hexdigest()
    ticks = []
    for _ in range(2):  # the same files seen afresh (another instance, no cursor): the same run key
        with project_instance() as instance:
            ticks.append(landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance)))
    for tick in ticks:
        [request] = tick.run_requests
        assert request.run_key == expected_key
        assert request.run_config["ops"]["landed_extracts"]["config"]["files"] == sorted(map(str, batch))
        assert request.tags["landing_files"] == "3"
    assert json.loads(ticks[0].cursor) == keys
    # A file still being written (changed within the settle time) waits for the next tick, and is then one run.
    monkeypatch.setenv("SCORECARD_SETTLE_SECONDS", "30")
    late = land(orch, "risks_HRF_2018-03.csv", "organisation_code,reported_in,risk_reference,risk_title\n")
    with project_instance() as instance:
        tick = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=ticks[0].cursor))
        assert tick.run_requests == []
        os.utime(late, (time.time() - 60, time.time() - 60))
        tick = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=ticks[0].cursor))
        [request] = tick.run_requests
        assert request.run_config["ops"]["landed_extracts"]["config"]["files"] == [str(late)]


def test_a_refused_file_landed_again_unchanged_after_the_reference_data_is_fixed_is_loaded(orch, tmp_path, monkeypatch):
    from orchestration.sensors import landing_sensor

    reference = tmp_path / "reference"
    shutil.copytree(PROJECT_DIR / "seeds" / "reference", reference)
    monkeypatch.setenv("SCORECARD_REFERENCE_DIR", str(reference))
    text = IV_HEADER + "SD004,NEW 1,Feb-18,12,,,,,Feb-18,\n"
    path = land(orch, "indicator_values_SD004_2018-02.csv", text)
    with project_instance() as instance:
        first = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        [results] = [load_paths([path], orch["duckdb_path"], settle=0, raise_on_reject=False)]
        assert [r.status for r in results] == ["rejected"]  # NEW 1 is not in the catalogue: quarantined
        assert "unknown code" in results[0].problems[0].reason
        # the same bytes landed again: nothing new while the reference data is unchanged
        land(orch, path.name, text)
        assert landing_sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=first.cursor)).run_requests == []  # fmt: skip
        with (reference / "indicators.csv").open("a", encoding="utf-8") as fh:
            fh.write("NEW 1,SD004,A new indicator,Early Help,count,monthly,BIB,false,PS,\n")
        after_fix = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        [request] = after_fix.run_requests
        assert request.run_config["ops"]["landed_extracts"]["config"]["files"] == [str(path)]
        [again] = load_paths([path], orch["duckdb_path"], settle=0, raise_on_reject=False)
        assert (again.status, again.rows) == ("loaded", 1)


def test_refused_file_fails_the_run_with_its_rejects_report_and_an_alert(orch):
    text = "organisation_code,period,measure_code,value,reported_in,notes\nHRF,Feb-18,fte,-3,Feb-18,\n"
    path = land(orch, "workforce_HRF_2018-02.csv", text)
    with project_instance() as instance:
        result = run_job(path, instance)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    metadata = failure.event_specific_data.user_failure_data.metadata
    assert metadata["rejected_files"].value == ["workforce_HRF_2018-02.csv"]
    assert metadata["rejects_report"].value.endswith("workforce_HRF_2018-02.csv.rejects.csv")
    assert (orch["quarantine_dir"] / "workforce_HRF_2018-02.csv").exists()
    alerts = read_alerts()
    assert [a["kind"] for a in alerts] == ["file_refused", "step_failed"]
    assert "negative value for a fte measure" in alerts[0]["message"]
    assert not orch["published_path"].exists()


def test_a_refused_file_does_not_hold_back_the_good_files_landed_with_it(orch):
    good = land(orch, "indicator_values_SD004_2018-02.csv", IV_HEADER + FD3.format(m="Feb-18", v="91%"))
    workforce = "organisation_code,period,measure_code,value,reported_in,notes\nHRF,Feb-18,fte,1e3,Feb-18,\n"
    bad = land(orch, "workforce_HRF_2018-02.csv", workforce)
    from orchestration.definitions import defs
    from orchestration.project import LAST_RUN_DIR

    config = {"ops": {"landed_extracts": {"config": {"files": [str(good), str(bad)]}}}}
    started = time.time()
    with project_instance() as instance:
        result = defs.resolve_job_def("land_and_build").execute_in_process(
            run_config=config, instance=instance, raise_on_error=False
        )
    assert result.success
    # dbt's folder for the run is removed once its events are streamed; the last run's artifacts are kept
    assert_no_run_folder_left(result.run_id)
    run_results = json.loads((LAST_RUN_DIR / "run_results.json").read_text())
    assert run_results["args"]["which"] == "build" and (LAST_RUN_DIR / "run_results.json").stat().st_mtime >= started
    assert (orch["quarantine_dir"] / bad.name).exists() and good.exists()
    [alert] = [a for a in read_alerts() if a["kind"] == "file_refused"]
    assert alert["subject"] == bad.name
    assert "exponent (1e3): write the number in full" in alert["message"]
    with duckdb.connect(str(orch["published_path"]), read_only=True) as con:
        assert con.execute(
            "select value from marts.fct_indicator_period where indicator_code = 'FD 3' "
            "and period_month = date '2018-02-01'"
        ).fetchall() == [(91,)]


def test_builds_publish_atomically_while_a_reader_queries_and_a_failed_build_changes_nothing(orch, tmp_path):
    stop, summary = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "tests" / "reader_loop.py"), str(orch["published_path"]), str(stop),
         str(summary)],
        cwd=PROJECT_DIR,
    )  # fmt: skip
    try:
        with project_instance() as instance:
            feb = run_job(land(orch, "indicator_values_SD004_2018-02.csv",
                               IV_HEADER + FD3.format(m="Feb-18", v="91%")), instance)  # fmt: skip
            assert feb.success
            # the freshness and completeness checks ran on the marts the build wrote (as at 2018-03-20, due
            # day 10: February's figures are due); they warn and alert, never block
            checks = {e.check_name: e for e in feb.get_asset_check_evaluations()}
            fresh = checks["fct_indicator_period_is_fresh"]
            assert not fresh.passed and fresh.metadata["stale"].data == {"HRF": "2017-05-01"}
            due = checks["indicators_due_have_values"]
            missing = due.metadata["missing"].data
            assert due.description == "35 due indicator(s) have no figure"
            assert missing[0] == "HRF May-17 CWB 07" and "SD004 Feb-18 LE 2" in missing
            assert "SD004 Feb-18 FD 3" not in missing
            # after a full build the landing sensor asks for load_and_update: only what depends on the raw
            # tables is built, seeds and dimensions are not
            march = land(orch, "indicator_values_SD004_2018-03.csv", IV_HEADER + FD3.format(m="Mar-18", v="84%"))
            from orchestration.sensors import landing_sensor

            tick = landing_sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
            assert [r.job_name for r in tick.run_requests] == ["load_and_update"]
            mar = run_job(march, instance, "load_and_update")
            assert mar.success
            built = {e.asset_key.to_user_string() for e in mar.get_asset_materialization_events()}
            assert {"marts/fct_indicator_period", "marts/fct_scorecard_latest", "published_warehouse"} <= built
            assert not any(key.startswith(("reference/", "marts/dim_")) for key in built), sorted(built)
            published_bytes = orch["published_path"].read_bytes()
            # Scores are each in range, so the loader accepts the file, but after controls exceeds before:
            # the error-severity dbt test on fct_risk fails and blocks publication.
            bad = land(orch, "risks_HRF_2018-03.csv",
                       "organisation_code,reported_in,risk_reference,risk_title,risk_description,"
                       "score_before_controls,score_after_controls,controls,owner_role,date_opened,notes\n"
                       "HRF,Mar-18,CR.036,Recruitment,,8,12,,,,\n")  # fmt: skip
            failed = run_job(bad, instance, "load_and_update")
            assert not failed.success
            events = {(e.step_key, e.event_type_value) for e in failed.all_events}
            assert ("scorecard_dbt_assets", "STEP_FAILURE") in events
            assert not any(step == "published_warehouse" for step, _ in events)  # never started
        time.sleep(0.5)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    assert orch["published_path"].read_bytes() == published_bytes
    with duckdb.connect(str(orch["published_path"]), read_only=True) as con:
        latest = con.execute(
            "select period_month, value, rag_status from marts.fct_scorecard_latest"
            " where organisation_code = 'SD004' and indicator_code = 'FD 3'"
        ).fetchone()
        build_id = con.execute("select build_id from marts.build_info").fetchone()[0]
    assert (str(latest[0]), latest[1], latest[2]) == ("2018-03-01", 84, "Red")
    assert build_id == mar.run_id
    seen = json.loads(summary.read_text())
    assert seen["errors"] == []
    assert seen["reads"] > 0
    assert all(complete for _, complete in seen["builds"])
    assert {build for build, _ in seen["builds"]} <= {feb.run_id, mar.run_id}
    alerts = read_alerts()
    assert any(a["kind"] == "step_failed" and "scorecard_dbt_assets" in a["subject"] for a in alerts)
    assert any(
        a["kind"] == "check_failed" and a["subject"].startswith("marts/fct_risk: expression_is_true") for a in alerts
    ), [a["subject"] for a in alerts]
