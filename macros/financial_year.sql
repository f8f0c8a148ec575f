{#
    financial_year_start(month): the calendar year in which the financial
    year (April to March) containing the date starts.
#}
{% macro financial_year_start(month) -%}
    (case when month({{ month }}) >= 4 then year({{ month }}) else year({{ month }}) - 1 end)
{%- endmacro %}


{#
    financial_year_label(month): the financial year as written in packs,
    e.g. 2017-04-01 -> '2017/18'.
#}
{% macro financial_year_label(month) -%}
    (
        cast({{ financial_year_start(month) }} as varchar)
        || '/'
        || lpad(cast(({{ financial_year_start(month) }} + 1) % 100 as varchar), 2, '0')
    )
{%- endmacro %}


{#
    financial_quarter(month): 1 for April-June ... 4 for January-March.
#}
{% macro financial_quarter(month) -%}
    (((month({{ month }}) + 8) % 12) // 3 + 1)
{%- endmacro %}
