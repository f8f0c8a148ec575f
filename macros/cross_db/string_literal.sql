{#-
    string_literal(text): a SQL string literal that the engine reads back as exactly `text`
    (a Jinja string, not quoted). DuckDB and PostgreSQL (standard_conforming_strings) take a
    backslash as it is and a quote doubled. Spark unescapes backslash sequences in every string
    literal ('\s' reads as 's', '\.' as '.'), so there a backslash is doubled too. Regular
    expressions with backslashes (\s, \.) are written through it, so every engine gets the same
    pattern.
-#}
{% macro string_literal(text) -%}
    {{ return(adapter.dispatch('string_literal', 'council_scorecard')(text)) }}
{%- endmacro %}

{% macro default__string_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__string_literal(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
