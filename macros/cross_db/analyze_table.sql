{#
    A post-hook on every model and seed (dbt_project.yml): after a table is built, refresh the
    statistics the engine plans later queries with. PostgreSQL plans a join from each
    table's statistics, and a table dbt has just created has none until autovacuum gets
    to it: a model reading it would be planned as if it held a handful of rows (nested
    loops over a whole national dataset). DuckDB keeps its statistics as it writes, so
    there is nothing to run there. Views have no statistics of their own. The loader
    analyzes the raw tables it writes on PostgreSQL (scorecard/loader.py).
#}
{% macro analyze_table(relation) -%}
    {{ return(adapter.dispatch('analyze_table', 'council_scorecard')(relation)) }}
{%- endmacro %}

{% macro default__analyze_table(relation) -%}
{%- endmacro %}

{% macro postgres__analyze_table(relation) -%}
    {%- if config.get('materialized') in ('seed', 'table', 'incremental') -%}
        analyze {{ relation }}
    {%- endif -%}
{%- endmacro %}
