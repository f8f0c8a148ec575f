{#- A date or timestamp as ISO text, e.g. '2018-04-05', for messages. -#}
{% macro iso_date(date) -%}
    {{ return(adapter.dispatch('iso_date', 'council_scorecard')(date)) }}
{%- endmacro %}

{% macro default__iso_date(date) -%}
    strftime({{ date }}, '%Y-%m-%d')
{%- endmacro %}

{% macro postgres__iso_date(date) -%}
    to_char({{ date }}, 'YYYY-MM-DD')
{%- endmacro %}

{% macro spark__iso_date(date) -%}
    date_format({{ date }}, 'yyyy-MM-dd')
{%- endmacro %}
