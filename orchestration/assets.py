"""Assets: landed extracts (the raw tables), the dbt models, and the published warehouse."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.project import ensure_manifest, run_target_dir, scorecard_dbt
from scorecard.alerts import send_alert
from scorecard.contracts import CONTRACTS
from scorecard.loader import load_paths
from scorecard.publish import publish
from scorecard.routine import LATEST_BUILD_ONLY_VARS, publish_build, retractions_need_full_refresh
from scorecard.settings import landing_dir, warehouse_path, warehouse_target

RAW_KEYS = {name: dg.AssetKey(["raw", contract.table]) for name, contract in CONTRACTS.items()}


class LandingConfig(dg.Config):
    """Files to load; empty means every extract file in the landing folder."""

    files: list[str] = []  # noqa: RUF012 - dagster Config is a pydantic model: the default is copied


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key, group_name="landing", description=f"Raw table raw.{key.path[-1]}: {CONTRACTS[name].description}"
        )
        for name, key in RAW_KEYS.items()
    ],
    can_subset=True,
)
def landed_extracts(context: dg.AssetExecutionContext, config: LandingConfig):
    """Check and load landed extract files into the append-only raw tables (refused files are quarantined)."""
    paths = [Path(f) for f in config.files] or [landing_dir()]
    results = load_paths(paths, raise_on_reject=False)
    rejected = [r for r in results if r.status in ("rejected", "missing")]
    for r in results:
        context.log.info(f"{r.status} {r.file.name}: {r.rows} rows {'; '.join(r.messages)}")
    # Each file stands alone: refused files are quarantined and alerted, the others are built and published.
    # Only a run in which every file was refused fails here (there is nothing new to build).
    for r in rejected:
        first = r.problems[0] if r.problems else "; ".join(r.messages)
        details = {"run_id": context.run.run_id, "rejects_report": str(r.report or ""), "problems": len(r.problems)}
        send_alert("file_refused", r.file.name, str(first), details)
    if rejected and not any(r.status in ("loaded", "skipped") for r in results):
        raise dg.Failure(
            description="Refused: " + "; ".join(f"{r.file.name}: {r.problems[0]}" for r in rejected),
            metadata={
                "rejected_files": [r.file.name for r in rejected],
                "rejects_report": dg.MetadataValue.path(str(rejected[0].report)) if rejected[0].report else "",
                "problems": dg.MetadataValue.md("\n".join(f"- {p}" for r in rejected for p in r.problems[:50])),
            },
        )
    for name, key in RAW_KEYS.items():
        if key in context.selected_asset_keys:
            loaded = [r for r in results if r.extract == name and r.status == "loaded"]
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "files_loaded": len(loaded),
                    "rows_loaded": sum(r.rows for r in loaded),
                    "files_skipped": sum(r.extract == name and r.status == "skipped" for r in results),
                },
            )


class ScorecardTranslator(DagsterDbtTranslator):
    """Each dbt source maps onto the raw-table asset that fills it, so the graph is connected."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        path = dbt_resource_props.get("path", "")
        return path.split("/")[0] if "/" in path else "warehouse"


# The manifest parsed at deploy time (parsed here only if missing or stale, and never in a run worker).
ensure_manifest()


@dbt_assets(manifest=scorecard_dbt.manifest_path, dagster_dbt_translator=ScorecardTranslator())
def scorecard_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """dbt build: seeds, models and data tests (error-severity tests block downstream).

    Unit tests check the SQL, not the data, and their inputs are fixed: they run in CI
    (`make test`), not in every production build, as dbt recommends. Every failed test,
    blocking or not, also raises an alert. dbt writes into a folder of its own for this
    run, which is removed once its events are streamed (orchestration/project.py).
    """
    # Tests read the rows this run wrote (all of them on a full refresh): macros/tests/get_where_subquery.sql.
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", LATEST_BUILD_ONLY_VARS]
    if retractions_need_full_refresh(warehouse_path()):
        # A retracted load's rows are still in the incremental tables: rebuild them without it.
        args.append("--full-refresh")
    with run_target_dir(context.run.run_id) as target:
        for event in dbt.cli(args, context=context, target_path=target).stream():
            if isinstance(event, dg.AssetCheckResult) and not event.passed:
                send_alert(
                    "check_failed",
                    f"{event.asset_key.to_user_string()}: {event.check_name}",
                    f"dbt test failed ({event.severity.value.lower()})",
                    {"run_id": context.run.run_id},
                )
            yield event


MART_KEYS = [
    dg.AssetKey(["marts", name])
    for name in (
        "dim_organisation", "dim_indicator", "dim_period", "dim_service", "fct_indicator_period",
        "fct_scorecard_latest", "fct_budget_outturn", "fct_workforce_measure_period", "fct_risk",
        "fct_programme_milestone", "rpt_data_quality_findings",
    )
]  # fmt: skip


@dg.asset(deps=MART_KEYS, group_name="published", kinds={"postgres" if warehouse_target() == "postgres" else "duckdb"})
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The marts for BI tools and their exports, published atomically once the build and its blocking checks pass."""
    # The graph reaches this step only after the build and its blocking checks passed.
    # It holds the marts only; the exports (Parquet, CSV, a workbook per council, manifest.json) are
    # written beside it in the same step, and a failure in either leaves both as they were.
    if warehouse_target() == "postgres":  # build_marts swapped in for marts in one transaction
        summary = publish_build(warehouse_path(), build_id=context.run.run_id, require_passing_build=False)
        return dg.MaterializeResult(metadata={"build_id": context.run.run_id, "published": summary})
    publication = publish(build_id=context.run.run_id, require_passing_build=False)
    files = publication.manifest.get("files", [])
    return dg.MaterializeResult(
        metadata={
            "build_id": publication.build_id,
            "path": dg.MetadataValue.path(str(publication.published)),
            "exports": dg.MetadataValue.path(str(publication.exports)),
            "export_files": len(files),
            "council_workbooks": sum(f["format"] == "xlsx" for f in files),
            **{f"rows_{name}": count for name, count in publication.mart_rows.items()},
        }
    )
