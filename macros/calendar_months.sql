{#
    calendar_months(): a relation of the months the marts cover, one row per
    month from var('calendar_start') to var('calendar_end'), in a column
    month_start (a timestamp at the first of the month). dim_period and the
    rule resolution read the calendar from here only.
#}
{% macro calendar_months() -%}
    range(
        date '{{ var("calendar_start") }}',
        date '{{ var("calendar_end") }}' + interval 1 month,
        interval 1 month
    ) as calendar_months (month_start)
{%- endmacro %}
