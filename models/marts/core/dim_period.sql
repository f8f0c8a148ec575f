-- The monthly calendar: one row per month, with its financial year (April to
-- March) and financial quarter.

with

months as (

    select cast(calendar_months.month_start as date) as period_month
    from {{ calendar_months() }}

),

final as (

    select
        period_month,
        {{ month_label('period_month') }} as month_label,
        cast(extract(year from period_month) as integer) as calendar_year,
        cast(extract(month from period_month) as integer) as calendar_month,
        {{ financial_year_label('period_month') }} as financial_year,
        cast({{ financial_year_start('period_month') }} as integer) as financial_year_start,
        'Q' || cast({{ financial_quarter('period_month') }} as {{ dbt.type_string() }}) as financial_quarter,
        cast(mod(cast(extract(month from period_month) as integer) + 8, 12) + 1 as integer) as financial_month_number,
        extract(month from period_month) in (6, 9, 12, 3) as is_quarter_end,
        extract(month from period_month) = 3 as is_financial_year_end

    from months

)

select * from final
