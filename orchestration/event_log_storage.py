"""Dagster's SQLite event log, with its connections kept open between events.

Dagster's own `SqliteEventLogStorage` creates a SQLAlchemy engine and opens a
new SQLite connection for every event it stores, twice for an asset or check
event (the run's file and the cross-run index), and closes it again; closing
the last connection to a WAL database also checkpoints it. A run of
`land_and_build` stores about 1,700 events (550 of them planned materialisations
and checks, stored before the run starts; then the dbt build's), so at national
size that was 4.6 s before the run started and more during the dbt step
(docs/scale.md, "Benchmark").

This class stores the same rows in the same files (`$DAGSTER_HOME/history/runs/`,
Dagster's default place, so an existing `.dagster_home` keeps its history). It
only keeps one engine, holding one open connection, for each of the few files in
use: the index and the most recent runs. Every use is still one transaction
under the storage's lock, as in Dagster's class, so other processes (the daemon,
the UI) read and write the files as before; SQLite's WAL mode lets them.

Configured in orchestration/dagster.yaml (`event_log_storage`).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
import yaml
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import create_db_conn_string
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

# SQLite files kept open at once: the index and the runs being written or read. A daemon or UI
# that reads many runs' files closes the least recently used one beyond this.
OPEN_FILES = 4
# As Dagster's own SQLite storage waits for a lock held by another process.
BUSY_TIMEOUT_SECONDS = 30


def default_base_dir() -> str:
    """Where Dagster keeps run event logs by default: DAGSTER_HOME/history/runs."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise dg.DagsterInvariantViolationError(
            "orchestration/dagster.yaml keeps the event log in $DAGSTER_HOME/history/runs: set DAGSTER_HOME"
        )
    return os.path.join(home, "history", "runs")


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log storage, with one open connection for each file in use."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # Set before Dagster's constructor, which already opens the index file.
        self._engines: OrderedDict[tuple[int, str], Engine] = OrderedDict()
        self._tables_present: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> KeptOpenSqliteEventLogStorage:
        base_dir = config_value.get("base_dir") or default_base_dir()
        if inst_data is not None:
            # Written into the instance's configuration, so a run worker started from it (another
            # process, perhaps another DAGSTER_HOME in its environment) writes to the same files.
            inst_data = ConfigurableClassData(
                inst_data.module_name, inst_data.class_name, yaml.safe_dump({"base_dir": base_dir})
            )
        return cls(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        # Keyed by process too: an engine is never shared with a forked child.
        key = (os.getpid(), shard)
        engine = self._engines.get(key)
        if engine is None:
            engine = create_engine(
                create_db_conn_string(self._base_dir, shard),
                poolclass=StaticPool,
                # One connection, used under self._db_lock by whichever thread holds it.
                connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            self._engines[key] = engine
            while len(self._engines) > OPEN_FILES:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
        else:
            self._engines.move_to_end(key)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def has_table(self, table_name: str) -> bool:
        # Asked before writing some events; a table, once there, stays.
        if table_name not in self._tables_present and super().has_table(table_name):
            self._tables_present.add(table_name)
        return table_name in self._tables_present

    def wipe(self) -> None:
        # Removes the runs' files: close them first.
        self._close()
        super().wipe()

    def dispose(self) -> None:
        self._close()
        super().dispose()

    def _close(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
