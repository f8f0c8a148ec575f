{#- The one place a column type written for DuckDB and PostgreSQL becomes Spark's: Spark has no
    `varchar` without a length, and its text type is `string`. Used by Spark's casts (the contracts'
    empty query) and its seed tables, so the contracts and seed column types say `varchar` once. -#}
{% macro spark_type(type) -%}
    {{ 'string' if type | string | trim | lower == 'varchar' else type }}
{%- endmacro %}
