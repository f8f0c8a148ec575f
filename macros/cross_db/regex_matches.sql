{#- True when the text matches the regular expression anywhere (a boolean on every engine).
    DuckDB's regexp_matches is a boolean; PostgreSQL's returns rows, so it uses the ~ operator;
    Spark uses rlike. A pattern may start with (?i) for a case-insensitive match on all three. -#}
{% macro regex_matches(value, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'council_scorecard')(value, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(value, pattern) -%}
    regexp_matches({{ value }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regex_matches(value, pattern) -%}
    ({{ value }} ~ {{ pattern }})
{%- endmacro %}

{% macro spark__regex_matches(value, pattern) -%}
    ({{ value }} rlike {{ pattern }})
{%- endmacro %}
