{#-
    dbt's check for a changed column type on an incremental run (on_schema_change: fail),
    on PostgreSQL: compare type families, not spellings. The new rows' temporary table types
    a string expression `text` and a computed decimal `numeric`, while the table built under
    the model's enforced contract has `character varying` and `numeric(18,4)`: the same
    columns, which dbt's default comparison calls changed on every incremental run. The
    contract itself still fixes each column's exact type; a column added, removed, or moved
    to another family (text to numeric) still fails the run. dbt_project.yml puts this
    project first in the dbt namespace's dispatch search order.
-#}
{% macro postgres__diff_column_data_types(source_columns, target_columns) %}
    {%- set result = [] -%}
    {%- for source_column in source_columns -%}
        {%- set target_column = target_columns | selectattr("name", "equalto", source_column.name) | list | first -%}
        {%- if target_column
            and pg_type_family(source_column.data_type) != pg_type_family(target_column.data_type)
            and not source_column.can_expand_to(other_column=target_column) -%}
            {%- do result.append({'column_name': target_column.name, 'new_type': source_column.data_type}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(result) }}
{% endmacro %}

{#- The family of a PostgreSQL type name: every string type is `text`, every numeric(p,s) `numeric`. -#}
{% macro pg_type_family(data_type) -%}
    {%- set name = data_type | lower | trim -%}
    {%- if name == 'text' or name.startswith('character varying') or name.startswith('varchar') -%}
        {{ return('text') }}
    {%- elif name.startswith('numeric') or name.startswith('decimal') -%}
        {{ return('numeric') }}
    {%- else -%}
        {{ return(name) }}
    {%- endif -%}
{%- endmacro %}
