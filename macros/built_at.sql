{#
    built_at(): the time (UTC) the dbt invocation that writes a row started, as a
    timestamp. Every incremental model stamps the rows it writes with it, so a
    production run can limit its data tests to the rows it wrote
    (get_where_subquery, var test_rows_built_since).
#}
{% macro built_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
