-- What the budget figures should be, from the arithmetic: one row per
-- organisation x report month x service (line, subtotal or directorate).
-- For a line: variance = forecast outturn - net budget; previous variance =
-- the line's variance at the previous report loaded for the same financial
-- year (as printed, else that report's forecast - net); movement = variance -
-- previous variance, each from the line's figures as printed where printed.
-- For a subtotal or the directorate: the sums of its lines' figures (as
-- printed where printed, else computed). Beside each computed figure, its
-- rounding: half a unit of the last printed digit of every printed figure it
-- comes from, summed (printed_rounding), which is what fct_budget_outturn
-- allows between it and a printed figure.

{% set measures = ['gross_budget', 'net_budget', 'forecast_outturn', 'variance', 'previous_variance', 'movement'] %}

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
        budget.loaded_at,
        {%- for measure in measures %}
        budget.printed_{{ measure }},
        {{ printed_rounding('budget.printed_' ~ measure ~ '_decimals') }} as printed_{{ measure }}_rounding,
        {%- endfor %}
        budget.printed_forecast_outturn - budget.printed_net_budget as computed_variance,
        {{ printed_rounding('budget.printed_forecast_outturn_decimals') }}
        + {{ printed_rounding('budget.printed_net_budget_decimals') }} as computed_variance_rounding

    from budget
    inner join hierarchy
        on
            budget.organisation_code = hierarchy.organisation_code
            and budget.service_code = hierarchy.service_code
    where hierarchy.service_level = 'line'

),

lines_with_variance as (

    select
        *,
        coalesce(printed_variance, computed_variance) as variance,
        case
            when printed_variance is not null then printed_variance_rounding else computed_variance_rounding
        end as variance_rounding

    from lines

),

lines_with_previous as (

    select
        *,
        lag(variance) over (
            partition by organisation_code, service_code, {{ financial_year_start('report_month') }}
            order by report_month
        ) as computed_previous_variance,
        lag(variance_rounding) over (
            partition by organisation_code, service_code, {{ financial_year_start('report_month') }}
            order by report_month
        ) as computed_previous_variance_rounding

    from lines_with_variance

),

lines_with_previous_figure as (

    select
        *,
        coalesce(printed_previous_variance, computed_previous_variance) as previous_variance,
        case
            when printed_previous_variance is not null then printed_previous_variance_rounding
            else computed_previous_variance_rounding
        end as previous_variance_rounding

    from lines_with_previous

),

line_figures as (

    select
        *,
        variance - previous_variance as computed_movement,
        variance_rounding + previous_variance_rounding as computed_movement_rounding,
        coalesce(printed_movement, variance - previous_variance) as movement,
        case
            when printed_movement is not null then printed_movement_rounding
            else variance_rounding + previous_variance_rounding
        end as movement_rounding

    from lines_with_previous_figure

),

-- a line's own arithmetic; nothing to compute for its budgets and forecast
line_rows as (

    select
        organisation_code,
        report_month,
        service_code,
        1 as lines_in_rollup,
        {%- for measure in measures %}
        {%- if measure in ['gross_budget', 'net_budget', 'forecast_outturn'] %}
        cast(null as decimal(18, 4)) as computed_{{ measure }},
        cast(null as decimal(18, 4)) as computed_{{ measure }}_rounding,
        {%- else %}
        cast(computed_{{ measure }} as decimal(18, 4)) as computed_{{ measure }},
        cast(computed_{{ measure }}_rounding as decimal(18, 4)) as computed_{{ measure }}_rounding,
        {%- endif %}
        {%- endfor %}
        loaded_at as last_loaded_at

    from line_figures

),

-- subtotals and the directorate: the sums of the lines beneath them
total_rows as (

    select
        line_figures.organisation_code,
        line_figures.report_month,
        service_ancestors.ancestor_code as service_code,
        count(*) as lines_in_rollup,
        {%- for measure in measures %}
        {%- set figure = 'printed_' ~ measure if measure in ['gross_budget', 'net_budget', 'forecast_outturn'] else measure %}
        cast(sum(line_figures.{{ figure }}) as decimal(18, 4)) as computed_{{ measure }},
        cast(sum(line_figures.{{ figure }}_rounding) as decimal(18, 4)) as computed_{{ measure }}_rounding,
        {%- endfor %}
        max(line_figures.loaded_at) as last_loaded_at

    from line_figures
    inner join service_ancestors
        on
            line_figures.organisation_code = service_ancestors.organisation_code
            and line_figures.service_code = service_ancestors.service_code
    where service_ancestors.levels_up > 0
    group by
        line_figures.organisation_code,
        line_figures.report_month,
        service_ancestors.ancestor_code

),

final as (

    select * from line_rows
    union all
    select * from total_rows

)

select * from final
