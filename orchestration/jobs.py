"""Jobs and the hook that alerts on any failed step."""

from __future__ import annotations

import dagster as dg

from scorecard.alerts import send_alert


@dg.failure_hook
def alert_on_step_failure(context: dg.HookContext) -> None:
    """A failed step (a refused file, a failed blocking test, a failed publish) raises an alert."""
    send_alert(
        "step_failed",
        f"{context.job_name}.{context.op.name}",
        str(context.op_exception) if context.op_exception else "step failed",
        {"run_id": context.run_id},
    )


land_and_build = dg.define_asset_job(
    "land_and_build",
    selection=dg.AssetSelection.all(),
    description="Load landed extracts, dbt build (models and tests), then publish the warehouse for readers.",
    hooks={alert_on_step_failure},
    executor_def=dg.in_process_executor,
)
