"""Freshness and completeness checks on the facts, run after each build (warnings: they alert, never block).

They read the layer the build just wrote on the warehouse's own target, with the same settings as
dbt's profile: the working DuckDB file (SCORECARD_DUCKDB_PATH), or on PostgreSQL
(SCORECARD_TARGET=postgres) the build schema `build_marts` through the PG* settings. Their SQL is
plain enough for both. Which indicators are due in a month is a rule, so it lives in dbt
(rpt_indicator_completeness, from the frequencies seed); the checks only read it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import date

import dagster as dg
import duckdb

from scorecard import postgres
from scorecard.alerts import send_alert
from scorecard.settings import warehouse_path, warehouse_target

FACT_PERIODS = {
    "fct_indicator_period": "period_month",
    "fct_workforce_measure_period": "period_month",
    "fct_budget_outturn": "report_month",
}


def as_of() -> date:
    """Today, or SCORECARD_AS_OF (YYYY-MM-DD) to check as at another date."""
    text = os.environ.get("SCORECARD_AS_OF")
    return date.fromisoformat(text) if text else date.today()


def expected_latest_month(today: date, due_day: int) -> date:
    """The last complete month, once the due day of this month has passed; the month before until then."""
    year, month = today.year, today.month - (1 if today.day >= due_day else 2)
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


@contextlib.contextmanager
def built_marts() -> Iterator[tuple[object, str]]:
    """A connection to the marts the build just wrote, and their schema: DuckDB's `marts`, PostgreSQL's build schema."""
    if warehouse_target() == "postgres":
        with postgres.Connection() as con:
            yield con, postgres.build_schema()
    else:
        with duckdb.connect(str(warehouse_path()), read_only=True) as con:
            yield con, "marts"


def _result(subject: str, passed: bool, description: str, metadata: dict) -> dg.AssetCheckResult:
    """A warning-level check result; a failed check also raises an alert."""
    if not passed:
        send_alert("check_failed", subject, description, metadata)
    return dg.AssetCheckResult(
        passed=passed, severity=dg.AssetCheckSeverity.WARN, description=description, metadata=metadata
    )


def _freshness_check(table: str, column: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["marts", table]),
        name=f"{table}_is_fresh",
        blocking=False,
        description=f"Each organisation's latest {column} is no older than the last complete month "
        "once the due day (SCORECARD_DUE_DAY, default 10) has passed.",
    )
    def _check() -> dg.AssetCheckResult:
        expected = expected_latest_month(as_of(), int(os.environ.get("SCORECARD_DUE_DAY", "10")))
        with built_marts() as (con, schema):
            latest = con.execute(
                f"select organisation_code, max({column}) from {schema}.{table} "
                "group by organisation_code order by organisation_code"
            ).fetchall()
        stale = {org: str(month) for org, month in latest if month < expected}
        return _result(
            f"{table} freshness",
            not stale,
            f"latest month older than {expected:%b-%y} for {len(stale)} organisation(s)" if stale else "fresh",
            {"expected_latest_month": str(expected), "stale": stale},
        )

    return _check


@dg.asset_check(
    asset=dg.AssetKey(["marts", "rpt_indicator_completeness"]),
    name="indicators_due_have_values",
    blocking=False,
    description="In each organisation's latest month, every catalogue indicator due that month has a figure "
    "(rpt_indicator_completeness: monthly ones every month, quarterly at a financial quarter's end, annual in "
    "March, by the frequencies seed).",
)
def indicators_due_have_values() -> dg.AssetCheckResult:
    with built_marts() as (con, schema):
        missing = con.execute(
            f"select organisation_code, period_month, indicator_code from {schema}.rpt_indicator_completeness "
            "where not has_figure order by organisation_code, indicator_code"
        ).fetchall()
    return _result(
        "indicator completeness",
        not missing,
        f"{len(missing)} due indicator(s) have no figure" if missing else "complete",
        {"missing": [f"{org} {month:%b-%y} {code}" for org, month, code in missing]},
    )


freshness_checks = [_freshness_check(table, column) for table, column in FACT_PERIODS.items()]
