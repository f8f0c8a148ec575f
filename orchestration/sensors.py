"""Sensors: a landing sensor that loads each new file once, and an alert on any failed run."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from orchestration.assets import LandingConfig
from orchestration.jobs import land_and_build
from scorecard.alerts import send_alert
from scorecard.loader import extract_files
from scorecard.settings import landing_dir


def file_sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dg.sensor(job=land_and_build, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def landing_sensor(context: dg.SensorEvaluationContext):
    """A new or changed file in the landing folder starts one run that loads it and builds what depends on it.

    The run key is the file's SHA-256, so a file is processed once, also across restarts
    (the cursor and run keys live in DAGSTER_HOME). Refused files move to the quarantine folder.
    """
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    for path in extract_files([landing_dir()]) if landing_dir().exists() else []:
        sha = file_sha256(path)
        if sha in seen:
            continue
        seen.add(sha)
        yield dg.RunRequest(
            run_key=sha,
            run_config=dg.RunConfig(ops={"landed_extracts": LandingConfig(files=[str(path)])}),
            tags={"landing_file": path.name, "file_sha256": sha},
        )
    context.update_cursor(json.dumps(sorted(seen)))


@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    """Any failed run raises an alert (local log and table, and the webhook if configured)."""
    send_alert(
        "run_failed",
        context.dagster_run.job_name,
        context.failure_event.message or "run failed",
        {"run_id": context.dagster_run.run_id, "tags": dict(context.dagster_run.tags)},
    )
