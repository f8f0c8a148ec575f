{#
    natural_sort_key(column): a text key that sorts codes naturally, e.g.
    CP 5 before CP 10, W 1 before W1 a before W1 b before W 2, LAC 19 before
    LAC 19 (12m) before LAC 20. Lower case; every run of digits zero-padded
    to 10 digits (a run of more keeps all its digits); every character other
    than a-z and 0-9 dropped, so spacing and punctuation do not decide the
    order. Plain regexp_replace, dispatched: the default (DuckDB, PostgreSQL)
    replaces every match with the 'g' flag; Spark replaces every match anyway
    and writes a back-reference as $1.
#}
{% macro natural_sort_key(column) -%}
    {{ return(adapter.dispatch('natural_sort_key', 'council_scorecard')(column)) }}
{%- endmacro %}

{% macro default__natural_sort_key(column) -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(lower({{ column }}), '([0-9]+)', '0000000000\1', 'g'),
            '0*([0-9]{10})', '\1', 'g'
        ),
        '[^a-z0-9]', '', 'g'
    )
{%- endmacro %}

{% macro spark__natural_sort_key(column) -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(lower({{ column }}), '([0-9]+)', '0000000000$1'),
            '0*([0-9]{10})', '$1'
        ),
        '[^a-z0-9]', ''
    )
{%- endmacro %}
