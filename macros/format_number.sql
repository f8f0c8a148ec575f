{#
    format_number(expression): a decimal as short text for messages,
    e.g. 18.0000 -> '18', 383.9100 -> '383.91', null -> 'blank'.
#}
{% macro format_number(expression) -%}
    coalesce(
        regexp_replace(cast(cast({{ expression }} as {{ type_double() }}) as {{ dbt.type_string() }}), '[.]0$', ''),
        'blank'
    )
{%- endmacro %}
