{#
    Use the custom schema name as it is (`marts`, `staging`, ...) instead of
    dbt's default `<target schema>_<custom schema>`, so that BI tools always
    find the marts in the schema `marts`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
