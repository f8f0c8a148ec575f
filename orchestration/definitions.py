"""The one Dagster entry point: `dagster dev` finds it through pyproject.toml ([tool.dagster])."""

from __future__ import annotations

import dagster as dg

from orchestration.assets import landed_extracts, published_warehouse, scorecard_dbt_assets
from orchestration.checks import freshness_checks, indicators_due_have_values
from orchestration.jobs import land_and_build, load_and_update
from orchestration.project import dbt_resource
from orchestration.schedules import monthly_build
from orchestration.sensors import alert_on_run_failure, landing_sensor

defs = dg.Definitions(
    assets=[landed_extracts, scorecard_dbt_assets, published_warehouse],
    asset_checks=[*freshness_checks, indicators_due_have_values],
    jobs=[land_and_build, load_and_update],
    schedules=[monthly_build],
    sensors=[landing_sensor, alert_on_run_failure],
    resources={"dbt": dbt_resource()},
)
