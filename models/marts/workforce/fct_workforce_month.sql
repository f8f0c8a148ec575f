-- Staffing: one row per organisation x month, one column per measure (the
-- latest figure reported for that month), with month-on-month movement and
-- the agency share of FTE.

{% set measures = ['fte', 'headcount', 'permanent_cost', 'agency_fte', 'agency_cost', 'absence_days_per_fte', 'turnover_rate'] %}
{% set moving = ['fte', 'headcount', 'permanent_cost', 'agency_fte', 'agency_cost'] %}

with

workforce as (

    select * from {{ ref('stg_extracts__workforce') }}

),

latest as (

    select *
    from workforce
    qualify
        row_number() over (
            partition by organisation_code, period_month, measure_code
            order by reported_in desc, loaded_at desc, source_row_number desc
        ) = 1

),

pivoted as (

    select
        organisation_code,
        period_month,
        {% for measure in measures %}
        max(case when measure_code = '{{ measure }}' then value end) as {{ measure }},
        {% endfor %}
        max(reported_in) as reported_in

    from latest
    group by organisation_code, period_month

),

with_previous as (

    select
        *,
        lag(fte) over by_month as previous_fte,
        lag(headcount) over by_month as previous_headcount,
        lag(permanent_cost) over by_month as previous_permanent_cost,
        lag(agency_fte) over by_month as previous_agency_fte,
        lag(agency_cost) over by_month as previous_agency_cost,
        lag(period_month) over by_month as previous_month

    from pivoted
    window by_month as (partition by organisation_code order by period_month)

),

final as (

    select
        organisation_code,
        period_month,
        {{ financial_year_label('period_month') }} as financial_year,
        {% for measure in measures %}
        {{ measure }},
        {% endfor %}
        {% for measure in moving %}
        case
            when previous_month = period_month - interval 1 month
                then {{ measure }} - previous_{{ measure }}
        end as {{ measure }}_change,
        {% endfor %}
        case
            when fte + agency_fte > 0 then round(100.0 * agency_fte / (fte + agency_fte), 2)
        end as agency_share_of_fte_pct,
        reported_in

    from with_previous

)

select * from final
