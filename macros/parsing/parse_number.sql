{#
    parse_number(text): the leading number of a figure as printed in a pack,
    as decimal(18, 4), or null when the text does not start with a number.

    Handles `92.6%` -> 92.6 (percentages stay in percent points), `(1,234)` ->
    -1234 (brackets are negatives), `-£5` / `£-5` -> -5, `£1,200` -> 1200,
    `13 ¹` -> 13 (footnote markers), `32.6% (395/1221)` -> 32.6 (the ratio is
    read by parse_ratio_part). Placeholders such as `-` or `New` give null:
    classify them with value_status().
#}
{% macro parse_number(text) -%}
    (
        case
            when regexp_matches(trim({{ text }}), '^\(\s*£?\s*[0-9][0-9,]*(\.[0-9]+)?\s*%?\s*\)')
                then -1
            when regexp_matches(trim({{ text }}), '^(-\s*£?|£\s*-)\s*[0-9]')
                then -1
            else 1
        end
        * try_cast(
            nullif(
                replace(
                    regexp_extract(
                        trim({{ text }}), '^\(?\s*-?\s*£?\s*-?\s*([0-9][0-9,]*(\.[0-9]+)?)', 1
                    ),
                    ',', ''
                ),
                ''
            ) as decimal(18, 4)
        )
    )
{%- endmacro %}


{#
    printed_decimals(text): how many decimal places the leading number of a
    figure was printed with (`32.6%` -> 1, `18` -> 0). Used for rounding
    tolerances: a printed figure is exact to half a unit of its last digit.
#}
{% macro printed_decimals(text) -%}
    length(regexp_extract(trim({{ text }}), '^\(?\s*-?\s*£?\s*-?\s*[0-9][0-9,]*\.([0-9]+)', 1))
{%- endmacro %}


{#
    parse_ratio_part(text, part): the numerator or denominator printed in
    brackets after a figure, e.g. `32.6% (395/1221)` -> 395 or 1221.
    part is 'numerator' or 'denominator'.
#}
{% macro parse_ratio_part(text, part) -%}
    {%- set group = 1 if part == 'numerator' else 2 -%}
    try_cast(
        nullif(
            replace(
                regexp_extract(
                    {{ text }}, '\(\s*([0-9][0-9,]*)\s*/\s*([0-9][0-9,]*)\s*\)', {{ group }}
                ),
                ',', ''
            ),
            ''
        ) as decimal(18, 4)
    )
{%- endmacro %}


{#
    value_qualifier(text): what is printed beside the number, e.g. `(6m+)`,
    `*Q4 only`, `¹`; null when nothing is.
#}
{% macro value_qualifier(text) -%}
    nullif(
        trim(
            regexp_replace(
                regexp_replace(
                    trim({{ text }}),
                    '^\(?\s*-?\s*£?\s*-?\s*[0-9][0-9,]*(\.[0-9]+)?\s*%?\s*\)?',
                    ''
                ),
                '\(\s*[0-9][0-9,]*\s*/\s*[0-9][0-9,]*\s*\)',
                ''
            )
        ),
        ''
    )
{%- endmacro %}
