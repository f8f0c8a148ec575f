{#
    sample_rows_filter(): a where-clause condition that leaves out rows loaded
    from the bundled sample extracts when the variable include_sample_data
    (environment SCORECARD_INCLUDE_SAMPLE) is false. Used by every staging
    model over an extract source.
#}
{% macro sample_rows_filter() -%}
    {%- if var('include_sample_data') | string | lower in ['false', '0', 'no'] -%}
        not coalesce(_is_sample, false)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
