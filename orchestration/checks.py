"""Freshness and completeness checks on the facts, run after each build (warnings: they alert, never block)."""

from __future__ import annotations

import os
from datetime import date

import dagster as dg
import duckdb

from scorecard.alerts import send_alert
from scorecard.settings import warehouse_path

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
        with duckdb.connect(str(warehouse_path()), read_only=True) as con:
            latest = con.execute(
                f"select organisation_code, max({column}) from marts.{table} group by 1 order by 1"
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
    asset=dg.AssetKey(["marts", "fct_indicator_period"]),
    name="indicators_due_have_values",
    blocking=False,
    description="In each organisation's latest month, every catalogue indicator due that month (monthly, or "
    "quarterly at a quarter end, or annual in March) has a figure.",
)
def indicators_due_have_values() -> dg.AssetCheckResult:
    with duckdb.connect(str(warehouse_path()), read_only=True) as con:
        missing = con.execute(
            """
            with latest as (
                select organisation_code, max(period_month) as period_month
                from marts.fct_indicator_period group by 1
            ),
            due as (
                select latest.organisation_code, latest.period_month, indicator.indicator_code
                from latest
                inner join marts.dim_indicator as indicator
                    on indicator.organisation_code = latest.organisation_code
                where indicator.frequency in ('monthly', 'monthly_rolling_3m')
                    or (indicator.frequency = 'quarterly' and month(latest.period_month) in (3, 6, 9, 12))
                    or (indicator.frequency = 'annual' and month(latest.period_month) = 3)
            )
            select due.organisation_code, strftime(due.period_month, '%b-%y'), due.indicator_code
            from due
            left join marts.fct_indicator_period as fact
                on fact.organisation_code = due.organisation_code
                and fact.indicator_code = due.indicator_code
                and fact.period_month = due.period_month
            where fact.value is null
            order by 1, 3
            """
        ).fetchall()
    return _result(
        "indicator completeness",
        not missing,
        f"{len(missing)} due indicator(s) have no figure" if missing else "complete",
        {"missing": [f"{org} {month} {code}" for org, month, code in missing]},
    )


freshness_checks = [_freshness_check(table, column) for table, column in FACT_PERIODS.items()]
