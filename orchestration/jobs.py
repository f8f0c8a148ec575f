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

# What a landing run needs: the raw tables, the models and tests downstream of them and the
# publish. Seeds and the dimensions built only from seeds are left as they are (the monthly
# schedule rebuilds everything), so a month's files cost one month of work.
load_and_update = dg.define_asset_job(
    "load_and_update",
    selection=dg.AssetSelection.groups("landing").downstream(),
    description="Load the landed files, then build and test only what depends on the raw tables, then publish.",
    hooks={alert_on_step_failure},
    executor_def=dg.in_process_executor,
)
