{#
    Written after `as` in a CTE that a large query reads in a nested loop: the engine
    computes it once. PostgreSQL inlines a CTE read once into the query, and when it
    misjudges the outer side as a handful of rows it re-runs the CTE for every outer row
    (int_national_statistics_mapped's code mapping, a LIKE join, ran for minutes at
    national size); MATERIALIZED stops that. DuckDB and Spark plan it well as it is.
#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'council_scorecard')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro postgres__materialized_cte() -%}
    materialized
{%- endmacro %}
