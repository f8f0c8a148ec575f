{#-
    dbt-spark's seed loader, on Spark only (dbt_project.yml puts this project first in the dbt
    namespace's dispatch search order). dbt-spark 1.11's own spark__load_csv_rows binds each value
    with Python's `%` and quotes it as it is, which on the `session` method leaves a quote inside a
    value unescaped (Children's ...) and writes an empty cell as the text 'None'. Here every value is
    a literal written by spark__string_literal (backslashes and quotes escaped, so Spark's string
    unescaping gives the value back exactly) and an empty cell is null; each is cast to the seed's
    column type as before.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    {%- set value = row[loop.index0] -%}
                    cast({{ 'null' if value is none else council_scorecard.spark__string_literal(value | string) }} as {{ council_scorecard.spark_type(type) }})
                    {%- if not loop.last %},{% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

