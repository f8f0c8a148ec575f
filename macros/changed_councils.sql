{#
    changed_councils(relation, month_column, loaded_column): a query of one row per council
    with rows in `relation` loaded since the last build of this model
    (loaded_since_last_build), with the earliest of their months: columns
    organisation_code and first_changed_month. The councils are read once, when the model
    runs, and written into its SQL as literal values, so the engine plans a fixed list, not
    a subquery over this model's own table inlined into every query that uses it (Spark).
#}
{% macro changed_councils(relation, month_column, loaded_column) -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- set query -%}
            select
                organisation_code,
                cast(min({{ month_column }}) as {{ dbt.type_string() }}) as first_changed_month
            from {{ relation }}
            where {{ loaded_since_last_build(loaded_column) }}
            group by organisation_code
            order by organisation_code
        {%- endset -%}
        {%- set rows = run_query(query).rows -%}
    {%- endif -%}
    {%- if rows | length > 0 -%}
        select
            changed.organisation_code,
            cast(changed.first_changed_month as date) as first_changed_month
        from (values
            {%- for row in rows %}
                ({{ string_literal(row[0]) }}, {{ string_literal(row[1]) }}){{ ',' if not loop.last }}
            {%- endfor %}
        ) as changed (organisation_code, first_changed_month)
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as organisation_code,
            cast(null as date) as first_changed_month
        where false
    {%- endif -%}
{%- endmacro %}
