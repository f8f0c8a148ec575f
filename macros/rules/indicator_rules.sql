{#
    rag_status(value, polarity, green_boundary, green_inclusive,
               amber_boundary, amber_inclusive):
    the RAG of a value under one unambiguous rule.

    Bigger is better (BIB): Green when value > green_boundary (or equal and
    green_inclusive), else Amber when value > amber_boundary (or equal and
    amber_inclusive), else Red. Smaller is better (SIB): the same with `<`.
    Null when the value, the polarity or a boundary is null (data-only
    indicators, missing figures, indicators with no methodology).
#}
{% macro rag_status(value, polarity, green_boundary, green_inclusive, amber_boundary, amber_inclusive) -%}
    (
        case
            when {{ value }} is null
                or {{ green_boundary }} is null
                or {{ amber_boundary }} is null
                then null
            when {{ polarity }} = 'BIB'
                then case
                    when {{ value }} > {{ green_boundary }}
                        or ({{ green_inclusive }} and {{ value }} = {{ green_boundary }})
                        then 'Green'
                    when {{ value }} > {{ amber_boundary }}
                        or ({{ amber_inclusive }} and {{ value }} = {{ amber_boundary }})
                        then 'Amber'
                    else 'Red'
                end
            when {{ polarity }} = 'SIB'
                then case
                    when {{ value }} < {{ green_boundary }}
                        or ({{ green_inclusive }} and {{ value }} = {{ green_boundary }})
                        then 'Green'
                    when {{ value }} < {{ amber_boundary }}
                        or ({{ amber_inclusive }} and {{ value }} = {{ amber_boundary }})
                        then 'Amber'
                    else 'Red'
                end
        end
    )
{%- endmacro %}


{#
    direction_of_travel(value, previous_value, level_band='0'): which way the
    figure moved from the one it is compared with, 'up', 'down' or 'level';
    null when either is null. A change no bigger than level_band (an amount in
    the figure's unit, 0 by default) is 'level'. Says nothing about whether
    that is good: see performance_against_polarity.
#}
{% macro direction_of_travel(value, previous_value, level_band='0') -%}
    (
        case
            when {{ value }} is null or {{ previous_value }} is null then null
            when abs({{ value }} - {{ previous_value }}) <= coalesce({{ level_band }}, 0) then 'level'
            when {{ value }} > {{ previous_value }} then 'up'
            else 'down'
        end
    )
{%- endmacro %}


{#
    level_band_amount(level_band, level_band_kind, compared_with): the level
    band as an amount in the figure's unit: level_band itself when absolute,
    level_band percent of the figure compared with when relative.
#}
{% macro level_band_amount(level_band, level_band_kind, compared_with) -%}
    (
        case
            when {{ level_band_kind }} = 'relative' then {{ level_band }} / 100.0 * abs({{ compared_with }})
            else {{ level_band }}
        end
    )
{%- endmacro %}



{#
    performance_against_polarity(direction, polarity): 'improving',
    'worsening' or 'no change' given the direction of travel and the
    indicator's polarity (BIB/SIB); null for data-only indicators (no
    polarity) and when there is no direction.
#}
{% macro performance_against_polarity(direction, polarity) -%}
    (
        case
            when {{ direction }} is null or {{ polarity }} is null then null
            when {{ direction }} = 'level' then 'no change'
            when ({{ direction }} = 'up') = ({{ polarity }} = 'BIB') then 'improving'
            else 'worsening'
        end
    )
{%- endmacro %}


{#
    favourable_difference(value, reference, polarity): value minus reference,
    signed so that a positive result is better than the reference and a
    negative one worse (reference minus value when smaller is better).
    Used for variance to target. Null without a polarity.
#}
{% macro favourable_difference(value, reference, polarity) -%}
    (
        case
            when {{ polarity }} = 'BIB' then {{ value }} - {{ reference }}
            when {{ polarity }} = 'SIB' then {{ reference }} - {{ value }}
        end
    )
{%- endmacro %}


{#
    spend_assessment(amount): 'adverse' for an overspend or a worsening
    (positive amount), 'favourable' for an underspend or an improvement
    (negative), 'nil' for zero. Money follows the finance convention:
    over / (under) spend, adverse / (favourable) movement.
#}
{% macro spend_assessment(amount) -%}
    (
        case
            when {{ amount }} > 0 then 'adverse'
            when {{ amount }} < 0 then 'favourable'
            when {{ amount }} = 0 then 'nil'
        end
    )
{%- endmacro %}
