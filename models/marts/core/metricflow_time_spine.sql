-- MetricFlow's time spine: one row per day of the calendar the warehouse
-- covers (dbt_project.yml vars calendar_start to the last day of the month
-- calendar_end), with the financial year (April to March) and quarter of each
-- day. The semantic layer (models/marts/_semantic_models.yml) uses it for
-- metric_time and for the custom granularities financial_year and
-- financial_quarter.

with

days as (

    select cast(calendar_days.day_start as date) as date_day
    from
        range(
            date '{{ var("calendar_start") }}',
            date '{{ var("calendar_end") }}' + interval 1 month,
            interval 1 day
        ) as calendar_days (day_start)

),

final as (

    select
        date_day,
        {{ financial_year_label('date_day') }} as financial_year,
        {{ financial_year_label('date_day') }} || ' Q'
        || cast({{ financial_quarter('date_day') }} as varchar) as financial_quarter

    from days

)

select * from final
