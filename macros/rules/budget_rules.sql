{#
    printed_rounding(decimals): half a unit of the last digit a money figure
    was printed with, in £000: how far the printed figure may be from the
    unrounded one. 0.5 for whole £000 (decimals 0), 0.05 for one decimal
    place, 50 for £0.1m (decimals -2). Null when nothing was printed.
    Budget reconciliation tolerances are sums of these.
#}
{% macro printed_rounding(decimals) -%}
    cast(0.5 * power(10.0, -({{ decimals }})) as decimal(18, 4))
{%- endmacro %}
