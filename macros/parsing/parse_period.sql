{#
    Periods as printed in packs and extracts. Every period is stored as the
    first day of its last month (`period_month`), so monthly, quarterly and
    annual figures share one calendar:

    - `Apr-17`, `April-2017`, `Apr 2017`, `2017-04` -> 2017-04-01 ('month');
    - `2017/18`, `2017-18` -> 2018-03-01, the end of the financial year
      ('financial_year'). `2011-12` reads as December 2011: write financial
      years with a slash when the years are 2011/12;
    - `Q3 2016/17` -> 2016-12-01, the last month of the financial quarter
      ('quarter').
#}
{% macro parse_period_month(text) -%}
    (
        case
            when {{ period_type(text) }} = 'financial_year'
                then make_date(
                    cast(regexp_extract(trim({{ text }}), '^([0-9]{4})', 1) as integer) + 1, 3, 1
                )
            when {{ period_type(text) }} = 'quarter'
                then cast(
                    make_date(
                        cast(regexp_extract(trim({{ text }}), '([0-9]{4})\s*[/-]\s*[0-9]{2}$', 1) as integer), 4, 1
                    )
                    + to_months(
                        3 * cast(regexp_extract(trim({{ text }}), '^[Qq]([1-4])', 1) as integer) - 1
                    )
                    as date
                )
            when {{ period_type(text) }} = 'month'
                then cast(
                    try_strptime(
                        regexp_replace(trim({{ text }}), '^([Ss]ept)', 'Sep'),
                        ['%b-%y', '%b-%Y', '%B-%y', '%B-%Y', '%b %y', '%b %Y', '%B %Y', '%Y-%m']
                    ) as date
                )
        end
    )
{%- endmacro %}


{#
    period_type(text): 'month', 'quarter' or 'financial_year' for a period as
    printed (see parse_period_month); null when it is none of them.
#}
{% macro period_type(text) -%}
    (
        case
            when regexp_matches(trim({{ text }}), '^[0-9]{4}\s*/\s*[0-9]{2}$')
                or (
                    regexp_matches(trim({{ text }}), '^[0-9]{4}-[0-9]{2}$')
                    and cast(right(trim({{ text }}), 2) as integer) > 12
                )
                then 'financial_year'
            when regexp_matches(trim({{ text }}), '^[Qq][1-4]\s+[0-9]{4}\s*[/-]\s*[0-9]{2}$')
                then 'quarter'
            when try_strptime(
                regexp_replace(trim({{ text }}), '^([Ss]ept)', 'Sep'),
                ['%b-%y', '%b-%Y', '%B-%y', '%B-%Y', '%b %y', '%b %Y', '%B %Y', '%Y-%m']
            ) is not null
                then 'month'
        end
    )
{%- endmacro %}


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
