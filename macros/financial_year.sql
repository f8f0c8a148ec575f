{#
    financial_year_start(month): the calendar year in which the financial
    year (April to March) containing the date starts.
#}
{% macro financial_year_start(month) -%}
    cast(
        case
            when extract(month from {{ month }}) >= 4 then extract(year from {{ month }})
            else extract(year from {{ month }}) - 1
        end as integer
    )
{%- endmacro %}


{#
    financial_year_label(month): the financial year as written in packs,
    e.g. 2017-04-01 -> '2017/18'.
#}
{% macro financial_year_label(month) -%}
    (
        cast({{ financial_year_start(month) }} as {{ dbt.type_string() }})
        || '/'
        || lpad(cast(mod({{ financial_year_start(month) }} + 1, 100) as {{ dbt.type_string() }}), 2, '0')
    )
{%- endmacro %}


{#
    financial_quarter(month): 1 for April-June ... 4 for January-March.
#}
{% macro financial_quarter(month) -%}
    (cast(floor(mod(cast(extract(month from {{ month }}) as integer) + 8, 12) / 3.0) as integer) + 1)
{%- endmacro %}
