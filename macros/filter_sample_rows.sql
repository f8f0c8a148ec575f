{#
    sample_rows_filter(column='_is_sample'): a where-clause condition that
    leaves out rows loaded from the bundled sample extracts when the variable
    include_sample_data (environment SCORECARD_INCLUDE_SAMPLE) is false. Used
    by every staging model over an extract source (raw column `_is_sample`)
    and again after the incremental staging table (column `is_sample`).
#}
{% macro sample_rows_filter(column='_is_sample') -%}
    {%- if var('include_sample_data') | string | lower in ['false', '0', 'no'] -%}
        not coalesce({{ column }}, false)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
