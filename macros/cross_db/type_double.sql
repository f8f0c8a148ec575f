{#- An 8-byte floating point type. dbt.type_float() is a 4-byte float on DuckDB. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'council_scorecard')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
