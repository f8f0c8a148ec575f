{#
    calendar_months(): a relation of the months the marts cover, one row per
    month from var('calendar_start') to var('calendar_end'), in a column
    month_start (a timestamp at the first of the month). dim_period and the
    rule resolution read the calendar from here only. Built from dbt's
    cross-database generate_series and dateadd, so it runs on every engine.
#}
{% macro calendar_months() -%}
    {%- set first = var("calendar_start") -%}
    {%- set last = var("calendar_end") -%}
    {%- set months = (last[:4] | int - first[:4] | int) * 12 + (last[5:7] | int - first[5:7] | int) + 1 -%}
    (
        select
            {{ dbt.dateadd('month', 'cast(generated_number as integer) - 1', "cast('" ~ first ~ "' as date)") }}
            as month_start
        from ({{ dbt.generate_series(months) }}) as month_numbers
    ) as calendar_months
{%- endmacro %}
