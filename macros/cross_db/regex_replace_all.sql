{#- Every match of the regular expression replaced (a back-reference is not portable: Spark writes
    it $1, the others \1). DuckDB and PostgreSQL replace the first match only unless given the 'g'
    flag; Spark's regexp_replace replaces every match and its fourth argument is a position. -#}
{% macro regex_replace_all(value, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'council_scorecard')(value, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__regex_replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}
