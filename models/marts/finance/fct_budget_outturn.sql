-- Budget outturn: one row per organisation x service (line, subtotal or
-- directorate total) x report month, in £000. Subtotals and totals are
-- computed from the lines through the service hierarchy and reconciled
-- against the figures the report printed.
--
-- Incremental (dbt_project.yml): on an incremental run only the councils with a
-- report loaded since the last build are recomputed, from the earliest report
-- month loaded (a resent month and the months after it, whose previous variance
-- may fall back to it), and all rows of those months are replaced.

with

all_rolled_up as (

    select * from {{ ref('int_budget_lines_rolled_up') }}

),

printed as (

    select * from {{ ref('int_budget_outturn_latest_report') }}

),

{% if is_incremental() %}
changed_from as (

    select
        organisation_code,
        min(report_month) as first_changed_month

    from printed
    where {{ loaded_since_last_build('loaded_at') }}
    group by organisation_code

),
{% endif %}

rolled_up as (

    select all_rolled_up.*

    from all_rolled_up
    {% if is_incremental() %}
        inner join changed_from
            on
                all_rolled_up.organisation_code = changed_from.organisation_code
                and all_rolled_up.report_month >= changed_from.first_changed_month
    {% endif %}

),

hierarchy as (

    select * from {{ ref('service_hierarchy') }}

),

combined as (

    select
        rolled_up.organisation_code,
        rolled_up.report_month,
        rolled_up.service_code,
        hierarchy.service_name,
        hierarchy.service_level,
        hierarchy.parent_service_code,
        hierarchy.sort_order,
        rolled_up.lines_in_rollup,
        coalesce(rolled_up.gross_budget, printed.printed_gross_budget) as gross_budget,
        coalesce(rolled_up.net_budget, printed.printed_net_budget) as net_budget,
        coalesce(rolled_up.forecast_outturn, printed.printed_forecast_outturn) as forecast_outturn,
        coalesce(rolled_up.variance, printed.printed_variance) as variance,
        coalesce(rolled_up.previous_variance, printed.printed_previous_variance) as previous_variance,
        printed.printed_gross_budget,
        printed.printed_net_budget,
        printed.printed_forecast_outturn,
        printed.printed_variance,
        printed.printed_previous_variance,
        printed.printed_movement,
        rolled_up.lines_in_rollup * {{ var('budget_rounding_tolerance_per_line') }}
            as reconciliation_tolerance,
        rolled_up.last_loaded_at

    from rolled_up
    inner join hierarchy
        on
            rolled_up.organisation_code = hierarchy.organisation_code
            and rolled_up.service_code = hierarchy.service_code
    left join printed
        on
            rolled_up.organisation_code = printed.organisation_code
            and rolled_up.report_month = printed.report_month
            and rolled_up.service_code = printed.service_code

),

measured as (

    select
        *,
        variance - previous_variance as movement

    from combined

),

final as (

    select
        organisation_code,
        report_month,
        {{ financial_year_label('report_month') }} as financial_year,
        service_code,
        service_name,
        service_level,
        parent_service_code,
        sort_order,
        cast(lines_in_rollup as integer) as lines_in_rollup,
        cast(gross_budget as decimal(18, 4)) as gross_budget,
        cast(net_budget as decimal(18, 4)) as net_budget,
        cast(forecast_outturn as decimal(18, 4)) as forecast_outturn,
        cast(variance as decimal(18, 4)) as variance,
        cast(previous_variance as decimal(18, 4)) as previous_variance,
        cast(movement as decimal(18, 4)) as movement,
        {{ spend_assessment('variance') }} as variance_assessment,
        {{ spend_assessment('movement') }} as movement_assessment,
        case
            when net_budget <> 0 then round(100.0 * variance / abs(net_budget), 2)
        end as variance_pct_of_net_budget,
        printed_gross_budget,
        printed_net_budget,
        printed_forecast_outturn,
        printed_variance,
        printed_previous_variance,
        printed_movement,
        cast(reconciliation_tolerance as decimal(18, 4)) as reconciliation_tolerance,
        coalesce(abs(gross_budget - printed_gross_budget) <= reconciliation_tolerance, true)
        and coalesce(abs(net_budget - printed_net_budget) <= reconciliation_tolerance, true)
        and coalesce(abs(forecast_outturn - printed_forecast_outturn) <= reconciliation_tolerance, true)
        and coalesce(abs(variance - printed_variance) <= reconciliation_tolerance, true)
        and coalesce(abs(previous_variance - printed_previous_variance) <= reconciliation_tolerance, true)
        and coalesce(abs(movement - printed_movement) <= reconciliation_tolerance, true)
            as is_reconciled,
        last_loaded_at

    from measured

)

select * from final
