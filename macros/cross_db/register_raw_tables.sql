{#-
    register_raw_tables(): the on-run-start hook that gives Spark its raw tables. On Spark the
    loader writes each batch as Parquet under the raw location (scorecard/spark.py); this declares
    one external Parquet table per raw folder in the raw schema, with the columns and types of the
    sources file (generated from the extract contracts), and refreshes its file listing, so the run
    reads every load committed before it began. The definitions are made again each run (dropping
    an external table leaves its files), so a column the contracts add reaches Spark with them.
    Nothing on DuckDB and PostgreSQL, where the loader writes the raw tables itself.
-#}
{% macro register_raw_tables() -%}
    {{ return(adapter.dispatch('register_raw_tables', 'council_scorecard')()) }}
{%- endmacro %}

{% macro default__register_raw_tables() -%}
{%- endmacro %}

{% macro spark__register_raw_tables() -%}
    {%- if execute -%}
        {#- the loader's folder (scorecard/settings.py spark_raw_dir(): same settings, same default), or
            SCORECARD_SPARK_RAW_LOCATION where Spark names that folder otherwise (dbfs:/mnt/..., abfss://...) -#}
        {%- set folder = env_var('SCORECARD_SPARK_RAW_DIR', env_var('SCORECARD_SPARK_DIR', '/tmp/spark-wh') ~ '/raw') -%}
        {%- set location = env_var('SCORECARD_SPARK_RAW_LOCATION', folder) -%}
        {%- set schema = var('raw_schema') -%}
        {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- for source in graph.sources.values() | selectattr('source_name', 'equalto', 'extracts') -%}
            {%- set columns = [] -%}
            {%- for column in source.columns.values() -%}
                {%- do columns.append('`' ~ column.name ~ '` ' ~ spark_type(column.data_type)) -%}
            {%- endfor -%}
            {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ source.identifier) -%}
            {%- do run_query(
                'create table ' ~ schema ~ '.' ~ source.identifier ~ ' (' ~ columns | join(', ') ~ ')'
                ~ " using parquet options (recursiveFileLookup 'true')"
                ~ ' location ' ~ string_literal(location ~ '/' ~ source.identifier)
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
