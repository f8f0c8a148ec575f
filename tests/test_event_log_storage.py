"""The Dagster instance's event log storage (orchestration/event_log_storage.py), as dagster.yaml configures it."""

import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml
from sqlalchemy import event
from sqlalchemy.engine import Engine

from orchestration.event_log_storage import OPEN_FILES, KeptOpenSqliteEventLogStorage
from tests.conftest import PROJECT_DIR


@dg.asset
def upstream() -> int:
    return 1


@dg.asset
def downstream(upstream: int) -> int:
    return upstream + 1


@dg.asset_check(asset=downstream)
def downstream_is_two(downstream: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=downstream == 2)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A DAGSTER_HOME with the project's dagster.yaml, as `make dev` and the benchmark set it up."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    shutil.copyfile(PROJECT_DIR / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    return tmp_path


@pytest.fixture
def connections_opened():
    """The files of the SQLite connections SQLAlchemy opens while the test runs, one entry a connection."""
    opened = []

    def count(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        opened.append(Path(cursor.execute("pragma database_list").fetchone()[2]))
        cursor.close()

    event.listen(Engine, "connect", count)
    yield opened
    event.remove(Engine, "connect", count)


def test_a_run_opens_each_file_once_and_a_new_process_reads_every_event(home, connections_opened):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, KeptOpenSqliteEventLogStorage)
        # Dagster's default place, written into the configuration a run worker is started from.
        assert yaml.safe_load(storage.inst_data.config_yaml) == {"base_dir": str(home / "history" / "runs")}
        # The first run also makes the instance's one-off checks of the index.
        assert dg.materialize([upstream, downstream, downstream_is_two], instance=instance).success
        first = len(connections_opened)
        result = dg.materialize([upstream, downstream, downstream_is_two], instance=instance)
        assert result.success
        stored = len(instance.all_logs(result.run_id))
    # Dagster's own class opens a connection for every event (two for asset and check events): here
    # a run opens its own file once, for all of its events, and the index stays open.
    assert stored > 20
    runs = home / "history" / "runs"
    assert [p.name for p in connections_opened[first:] if p.parent == runs] == [f"{result.run_id}.db"]
    # Another process (the UI, the daemon) reads the same events and the check's result.
    script = f"""
import dagster as dg
with dg.DagsterInstance.get() as instance:
    logs = instance.all_logs("{result.run_id}")
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey("downstream"), "downstream_is_two")])
    print(len(logs), [e.status.value for e in check.values()])
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PROJECT_DIR)
    assert out.stdout.split()[0] == str(stored)
    assert "SUCCEEDED" in out.stdout


def test_only_the_most_recent_files_stay_open(home):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = [dg.materialize([upstream], instance=instance).run_id for _ in range(OPEN_FILES + 2)]
        storage = instance.event_log_storage
        assert len(storage._engines) == OPEN_FILES
        assert {shard for _, shard in storage._engines} == {"index", *runs[-(OPEN_FILES - 1) :]}
        # A run whose file was closed reads as before, and is then among the open ones.
        assert any(e.dagster_event_type == dg.DagsterEventType.RUN_SUCCESS for e in instance.all_logs(runs[0]))
        assert runs[0] in {shard for _, shard in storage._engines}
