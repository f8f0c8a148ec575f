{#
    Benchmark rules: confidence intervals, the comparison with England and the
    quartile band. Documented in _rules__macros.yml; pinned by the unit tests of
    fct_authority_benchmark.
#}

{% macro wilson_bound(numerator, denominator, per, bound) -%}
    {%- set z = 1.959963984540054 -%}
    {%- set sign = '-' if bound == 'lower' else '+' -%}
    case
        when {{ denominator }} > 0 and {{ numerator }} >= 0 and {{ numerator }} <= {{ denominator }}
            then
                cast({{ per }} as {{ type_double() }}) * (
                    2 * cast({{ numerator }} as {{ type_double() }}) + {{ z * z }}
                    {{ sign }} {{ z }} * sqrt(
                        {{ z * z }} + 4 * cast({{ numerator }} as {{ type_double() }})
                        * (1 - cast({{ numerator }} as {{ type_double() }}) / cast({{ denominator }} as {{ type_double() }}))
                    )
                ) / (2 * (cast({{ denominator }} as {{ type_double() }}) + {{ z * z }}))
    end
{%- endmacro %}

{% macro byar_bound(numerator, denominator, per, bound) -%}
    {%- set z = 1.959963984540054 -%}
    case
        when {{ denominator }} > 0 and {{ numerator }} >= 0
            then
                {%- if bound == 'lower' %}
                    case
                        when {{ numerator }} = 0 then 0
                        else
                            cast({{ numerator }} as {{ type_double() }}) * power(
                                1 - 1 / (9 * cast({{ numerator }} as {{ type_double() }}))
                                - {{ z }} / (3 * sqrt(cast({{ numerator }} as {{ type_double() }}))),
                                3
                            )
                    end
                {%- else %}
                    (cast({{ numerator }} as {{ type_double() }}) + 1) * power(
                        1 - 1 / (9 * (cast({{ numerator }} as {{ type_double() }}) + 1))
                        + {{ z }} / (3 * sqrt(cast({{ numerator }} as {{ type_double() }}) + 1)),
                        3
                    )
                {%- endif %}
                / cast({{ denominator }} as {{ type_double() }}) * {{ per }}
    end
{%- endmacro %}

{% macro compared_with(lower, upper, reference, polarity) -%}
    case
        when {{ lower }} is null or {{ upper }} is null or {{ reference }} is null then 'not_compared'
        when {{ lower }} > {{ reference }}
            then case {{ polarity }} when 'BIB' then 'better' when 'SIB' then 'worse' else 'higher' end
        when {{ upper }} < {{ reference }}
            then case {{ polarity }} when 'BIB' then 'worse' when 'SIB' then 'better' else 'lower' end
        else 'similar'
    end
{%- endmacro %}

{% macro quartile_band(rank, ranked) -%}
    case
        when {{ rank }} is not null and {{ ranked }} > 0
            then substr('ABCD', least(4, cast(ceil(4.0 * {{ rank }} / {{ ranked }}) as integer)), 1)
    end
{%- endmacro %}

{% macro authority_existed(start_date, end_date, period_month) -%}
    {%- set period_end = "cast(" ~ period_month ~ " + interval '1 month' - interval '1 day' as date)" -%}
    (
        ({{ start_date }} is null or {{ start_date }} <= {{ period_end }})
        and ({{ end_date }} is null or {{ end_date }} >= {{ period_end }})
    )
{%- endmacro %}
