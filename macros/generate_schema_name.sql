{#
    Use the custom schema name as it is (`marts`, `staging`, ...) instead of
    dbt's default `<target schema>_<custom schema>`, so that BI tools always
    find the marts in the schema `marts`.

    On PostgreSQL dbt builds into the working schemas `build_marts`, `build_staging`, ...
    (prefix SCORECARD_PG_BUILD_PREFIX), which no reader is granted; `scorecard publish`
    copies `build_marts` into `marts` and swaps it in, in one transaction
    (scorecard/postgres.py). The raw schema, written by the loader, is a source, not built.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.type == 'postgres' -%}
        {{ env_var('SCORECARD_PG_BUILD_PREFIX', 'build_') }}{{ custom_schema_name | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
