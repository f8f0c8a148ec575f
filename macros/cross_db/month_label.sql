{#- A month as packs print it, e.g. 2017-05-01 -> 'May-17': the one spelling of a month in text
    (dim_period.month_label and every finding that names a pack or report month). -#}
{% macro month_label(date) -%}
    {{ return(adapter.dispatch('month_label', 'council_scorecard')(date)) }}
{%- endmacro %}

{% macro default__month_label(date) -%}
    strftime({{ date }}, '%b-%y')
{%- endmacro %}

{% macro postgres__month_label(date) -%}
    to_char({{ date }}, 'Mon-YY')
{%- endmacro %}

{% macro spark__month_label(date) -%}
    date_format({{ date }}, 'MMM-yy')
{%- endmacro %}
