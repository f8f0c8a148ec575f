-- Budget lines rolled up through the service hierarchy: one row per
-- organisation x report month x service (line, subtotal or directorate) with
-- the sums of the lines beneath it. A line's variance is forecast outturn
-- minus net budget; its previous variance is the one the report printed or,
-- failing that, the line's variance at the previous report loaded for the
-- same financial year.

with

budget as (

    select * from {{ ref('int_budget_outturn_latest_report') }}

),

hierarchy as (

    select * from {{ ref('service_hierarchy') }}

),

service_ancestors as (

    select * from {{ ref('int_service_hierarchy_flattened') }}

),

lines as (

    select
        budget.organisation_code,
        budget.report_month,
        budget.service_code,
        budget.printed_gross_budget as gross_budget,
        budget.printed_net_budget as net_budget,
        budget.printed_forecast_outturn as forecast_outturn,
        budget.printed_previous_variance,
        budget.loaded_at,
        coalesce(
            budget.printed_forecast_outturn - budget.printed_net_budget, budget.printed_variance
        ) as variance

    from budget
    inner join hierarchy
        on
            budget.organisation_code = hierarchy.organisation_code
            and budget.service_code = hierarchy.service_code
    where hierarchy.service_level = 'line'

),

lines_with_previous as (

    select
        *,
        coalesce(
            printed_previous_variance,
            lag(variance) over (
                partition by
                    organisation_code,
                    service_code,
                    {{ financial_year_start('report_month') }}
                order by report_month
            )
        ) as previous_variance

    from lines

),

final as (

    select
        lines_with_previous.organisation_code,
        lines_with_previous.report_month,
        service_ancestors.ancestor_code as service_code,
        count(*) as lines_in_rollup,
        sum(lines_with_previous.gross_budget) as gross_budget,
        sum(lines_with_previous.net_budget) as net_budget,
        sum(lines_with_previous.forecast_outturn) as forecast_outturn,
        sum(lines_with_previous.variance) as variance,
        sum(lines_with_previous.previous_variance) as previous_variance,
        max(lines_with_previous.loaded_at) as last_loaded_at

    from lines_with_previous
    inner join service_ancestors
        on
            lines_with_previous.organisation_code = service_ancestors.organisation_code
            and lines_with_previous.service_code = service_ancestors.service_code
    group by
        lines_with_previous.organisation_code,
        lines_with_previous.report_month,
        service_ancestors.ancestor_code

)

select * from final
