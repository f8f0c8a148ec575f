{#
    get_where_subquery(relation): what a data test reads from the model it tests.
    Overrides dbt's own: the test's `where` config as dbt applies it and, when the
    var test_latest_build_only is true (a production incremental run:
    `scorecard monthly`, the Dagster jobs), only the rows of the large incremental
    models (var models_tested_by_rows_built) that the latest run wrote: those
    stamped with the model's newest built_at. CI, `make build` and the scheduled
    full check leave the var false and test every row, which is what catches a
    duplicate across old and new rows. The var's value is the same on every
    production run, so dbt's partial parsing stays valid between runs (a
    changing var would make dbt re-parse the whole project each time).
#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if var('test_latest_build_only', false) and relation.identifier in var('models_tested_by_rows_built') -%}
        {%- do conditions.append('built_at = (select max(latest.built_at) from ' ~ relation ~ ' as latest)') -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
