-- MetricFlow's time spine: one row per day of the calendar the warehouse
-- covers (dbt_project.yml vars calendar_start to the last day of the month
-- calendar_end), with the financial year (April to March) and quarter of each
-- day. The semantic layer (models/marts/_semantic_models.yml) uses it for
-- metric_time and for the custom granularities financial_year and
-- financial_quarter.

{#- days from calendar_start to the last day of the month calendar_end, counted at compile time -#}
{%- set first = modules.datetime.date.fromisoformat(var("calendar_start")) -%}
{%- set last_month = modules.datetime.date.fromisoformat(var("calendar_end")) -%}
{%- set after = modules.datetime.date(last_month.year + (last_month.month // 12), last_month.month % 12 + 1, 1) -%}
{%- set days_covered = (after - first).days %}

with

days as (

    select cast(calendar_days.day_start as date) as date_day
    from (
        select
            {{ dbt.dateadd('day', 'cast(generated_number as integer) - 1', "cast('" ~ var('calendar_start') ~ "' as date)") }}
                as day_start
        from ({{ dbt.generate_series(days_covered) }}) as day_numbers
    ) as calendar_days

),

final as (

    select
        date_day,
        {{ financial_year_label('date_day') }} as financial_year,
        {{ financial_year_label('date_day') }} || ' Q'
        || cast({{ financial_quarter('date_day') }} as {{ dbt.type_string() }}) as financial_quarter

    from days

)

select * from final
