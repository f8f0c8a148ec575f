-- Budget outturn: one row per organisation x service (line, subtotal or
-- directorate total) x report month, in £000. Each figure is the one the
-- report printed; where it printed none, the computed one. Beside it the
-- computed figure (a line's arithmetic, or the sum of the lines beneath a
-- total: int_budget_lines_rolled_up), the difference and the tolerance the
-- printed precision allows. A total whose lines are not all of it
-- (service_hierarchy.lines_exhaustive false, or a total beneath it so) has no
-- computed sums and is never reconciled.
--
-- Incremental (dbt_project.yml): on an incremental run only the councils with a
-- report loaded since the last build are recomputed, from the earliest report
-- month loaded (a resent month and the months after it, whose previous variance
-- may fall back to it), and all rows of those months are replaced.

{% set measures = ['gross_budget', 'net_budget', 'forecast_outturn', 'variance', 'previous_variance', 'movement'] %}

with

all_rolled_up as (

    select * from {{ ref('int_budget_lines_rolled_up') }}

),

all_printed as (

    select * from {{ ref('int_budget_outturn_latest_report') }}

),

{% if is_incremental() %}
changed_from as (

    select
        organisation_code,
        min(report_month) as first_changed_month

    from all_printed
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

printed as (

    select all_printed.*

    from all_printed
    {% if is_incremental() %}
        inner join changed_from
            on
                all_printed.organisation_code = changed_from.organisation_code
                and all_printed.report_month >= changed_from.first_changed_month
    {% endif %}

),

hierarchy as (

    select * from {{ ref('service_hierarchy') }}

),

service_ancestors as (

    select * from {{ ref('int_service_hierarchy_flattened') }}

),

-- a total is exhaustive when it and every total beneath it print all of their lines
exhaustive as (

    select
        service_ancestors.organisation_code,
        service_ancestors.ancestor_code as service_code,
        bool_and(coalesce(hierarchy.lines_exhaustive, true)) as lines_exhaustive

    from service_ancestors
    inner join hierarchy
        on
            service_ancestors.organisation_code = hierarchy.organisation_code
            and service_ancestors.service_code = hierarchy.service_code
    where hierarchy.service_level <> 'line'
    group by service_ancestors.organisation_code, service_ancestors.ancestor_code

),

-- every row the report printed or its lines sum to (a total printed without lines too)
report_rows as (

    select
        organisation_code,
        report_month,
        service_code
    from rolled_up
    union
    select
        organisation_code,
        report_month,
        service_code
    from printed

),

combined as (

    select
        report_rows.organisation_code,
        report_rows.report_month,
        report_rows.service_code,
        hierarchy.service_name,
        hierarchy.service_level,
        hierarchy.parent_service_code,
        hierarchy.sort_order,
        coalesce(rolled_up.lines_in_rollup, 0) as lines_in_rollup,
        exhaustive.lines_exhaustive,
        {%- for measure in measures %}
        printed.printed_{{ measure }},
        {{ printed_rounding('printed.printed_' ~ measure ~ '_decimals') }} as printed_{{ measure }}_rounding,
        case
            when coalesce(exhaustive.lines_exhaustive, true) then rolled_up.computed_{{ measure }}
        end as computed_{{ measure }},
        case
            when coalesce(exhaustive.lines_exhaustive, true) then rolled_up.computed_{{ measure }}_rounding
        end as computed_{{ measure }}_rounding,
        {%- endfor %}
        coalesce(printed.loaded_at, rolled_up.last_loaded_at) as last_loaded_at

    from report_rows
    inner join hierarchy
        on
            report_rows.organisation_code = hierarchy.organisation_code
            and report_rows.service_code = hierarchy.service_code
    left join rolled_up
        on
            report_rows.organisation_code = rolled_up.organisation_code
            and report_rows.report_month = rolled_up.report_month
            and report_rows.service_code = rolled_up.service_code
    left join printed
        on
            report_rows.organisation_code = printed.organisation_code
            and report_rows.report_month = printed.report_month
            and report_rows.service_code = printed.service_code
    left join exhaustive
        on
            report_rows.organisation_code = exhaustive.organisation_code
            and report_rows.service_code = exhaustive.service_code

),

-- the printed figure where printed, else the computed one; the difference and its
-- tolerance: half a unit of the last digit of every printed figure compared
measured as (

    select
        combined.*,
        {%- for measure in measures %}
        coalesce(printed_{{ measure }}, computed_{{ measure }}) as {{ measure }},
        coalesce(printed_{{ measure }}, computed_{{ measure }}) - computed_{{ measure }}
            as {{ measure }}_difference,
        case
            when printed_{{ measure }} is not null and computed_{{ measure }} is not null
                then printed_{{ measure }}_rounding + computed_{{ measure }}_rounding
        end as {{ measure }}_tolerance,
        {%- endfor %}
        concat_ws(
            ','
            {%- for measure in measures %},
            case when printed_{{ measure }} is not null then '{{ measure }}' end
            {%- endfor %}
        ) as printed_measures

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
        lines_exhaustive,
        {%- for measure in measures %}
        cast({{ measure }} as decimal(18, 4)) as {{ measure }},
        {%- endfor %}
        {{ spend_assessment('variance') }} as variance_assessment,
        {{ spend_assessment('movement') }} as movement_assessment,
        cast(
            case when net_budget <> 0 then round(100.0 * variance / abs(net_budget), 2) end as decimal(18, 2)
        ) as variance_pct_of_net_budget,
        printed_measures,
        {%- for measure in measures %}
        cast(computed_{{ measure }} as decimal(18, 4)) as computed_{{ measure }},
        {%- endfor %}
        {%- for measure in measures %}
        cast({{ measure }}_difference as decimal(18, 4)) as {{ measure }}_difference,
        {%- endfor %}
        {%- for measure in measures %}
        cast({{ measure }}_tolerance as decimal(18, 4)) as {{ measure }}_tolerance,
        {%- endfor %}
        cast(greatest(
            {%- for measure in measures %}
            {{ measure }}_tolerance{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as decimal(18, 4)) as reconciliation_tolerance,
        {%- for measure in measures %}
        coalesce(abs({{ measure }}_difference) <= {{ measure }}_tolerance, true)
        {%- if not loop.last %} and{% endif %}
        {%- endfor %}
            as is_reconciled,
        last_loaded_at,
        {{ built_at() }} as built_at

    from measured

)

select * from final
