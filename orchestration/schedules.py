"""The monthly build, early in the month, Europe/London time."""

from __future__ import annotations

import os

import dagster as dg

from orchestration.jobs import land_and_build

monthly_build = dg.ScheduleDefinition(
    name="monthly_build",
    job=land_and_build,
    cron_schedule=os.environ.get("SCORECARD_SCHEDULE_CRON", "0 6 3 * *"),
    execution_timezone="Europe/London",
    description="Load anything landed and rebuild everything "
    "(cron: SCORECARD_SCHEDULE_CRON, default 06:00 on the 3rd).",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
