{#
    Written after `as` in a CTE that a large query reads in a nested loop: the engine
    computes it once. PostgreSQL inlines a CTE read once into the query, and when it
    misjudges the outer side as a handful of rows it re-runs the CTE for every outer row
    (int_national_statistics_mapped's code mapping, a LIKE join, ran for minutes at
    national size); MATERIALIZED stops that. The other way round, a CTE read several
    times is computed once and its filters estimated blind (0.5% of its rows): where each
    reader filters it differently, `materialized_cte(false)` (NOT MATERIALIZED) lets each
    reader's filter be planned on the table's own statistics (fct_authority_benchmark's
    figures). DuckDB and Spark plan both well as they are.
#}
{% macro materialized_cte(materialized=true) -%}
    {{ return(adapter.dispatch('materialized_cte', 'council_scorecard')(materialized)) }}
{%- endmacro %}

{% macro default__materialized_cte(materialized=true) -%}
{%- endmacro %}

{% macro postgres__materialized_cte(materialized=true) -%}
    {{ 'materialized' if materialized else 'not materialized' }}
{%- endmacro %}
