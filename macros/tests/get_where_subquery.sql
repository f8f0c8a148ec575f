{#
    get_where_subquery(relation): what a data test reads from the model it tests.
    Overrides dbt's own: the test's `where` config as dbt applies it and, when the
    var test_rows_built_since is set (a production incremental run:
    `scorecard monthly`, the Dagster jobs), the rows of the large incremental
    models (var models_tested_by_rows_built) that this run wrote, i.e. stamped
    built_at on or after that time. CI, `make build` and the scheduled full check
    leave the var unset and test every row, which is what catches a duplicate
    across old and new rows.
#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set since = var('test_rows_built_since', none) -%}
    {%- if since and relation.identifier in var('models_tested_by_rows_built') -%}
        {%- do conditions.append("built_at >= cast('" ~ since ~ "' as timestamp)") -%}
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
