{#- The text of capture group `group` (1 or more) of the first match, null when the text does not
    match. DuckDB returns '' for no match, hence the nullif: all engines agree. -#}
{% macro regex_extract(value, pattern, group) -%}
    {%- if group is not number or group < 1 -%}
        {{ exceptions.raise_compiler_error("regex_extract: group must be a capture group number, 1 or more, not " ~ group) }}
    {%- endif -%}
    {{ return(adapter.dispatch('regex_extract', 'council_scorecard')(value, pattern, group)) }}
{%- endmacro %}

{% macro default__regex_extract(value, pattern, group) -%}
    nullif(regexp_extract({{ value }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{% macro postgres__regex_extract(value, pattern, group) -%}
    nullif((regexp_match({{ value }}, {{ pattern }}))[{{ group }}], '')
{%- endmacro %}

{% macro spark__regex_extract(value, pattern, group) -%}
    nullif(regexp_extract({{ value }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}
