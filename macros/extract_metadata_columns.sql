{#
    extract_metadata_columns(relation_alias=none): the load metadata every raw
    extract row carries, renamed for staging models: source_file,
    file_sha256, source_sheet, source_row_number, loaded_at, is_sample.
#}
{% macro extract_metadata_columns(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {{ prefix }}_source_file as source_file,
    {{ prefix }}_file_sha256 as file_sha256,
    {{ prefix }}_sheet as source_sheet,
    {{ prefix }}_row_number as source_row_number,
    {{ prefix }}_loaded_at as loaded_at,
    {{ prefix }}_is_sample as is_sample
{%- endmacro %}
