{#
    boundary_side(polarity, inclusive, side): the words for one side of a RAG
    boundary. side 'within' is the side a colour takes (at or above, above,
    at or below, below: by polarity and whether the boundary is inclusive);
    'beyond' is the other side (below, at or below, above, at or above).

    rag_method_description(template, polarity, green_boundary, green_inclusive,
    amber_boundary, amber_inclusive, target, figure_template): the template of
    the rule kind (rag_rule_kinds seed) with its placeholders filled: {green},
    {amber}, {target} written with the unit's figure template ({n} for the
    number), {green_from}, {amber_from}, {red_from} and {short_of}. Null when
    the template, the polarity or a placeholder the template uses is null.
#}
{% macro boundary_side(polarity, inclusive, side) -%}
    {%- if side == 'within' -%}
        case
            when {{ polarity }} = 'BIB' and {{ inclusive }} then 'at or above'
            when {{ polarity }} = 'BIB' then 'above'
            when {{ polarity }} = 'SIB' and {{ inclusive }} then 'at or below'
            when {{ polarity }} = 'SIB' then 'below'
        end
    {%- else -%}
        case
            when {{ polarity }} = 'BIB' and {{ inclusive }} then 'below'
            when {{ polarity }} = 'BIB' then 'at or below'
            when {{ polarity }} = 'SIB' and {{ inclusive }} then 'above'
            when {{ polarity }} = 'SIB' then 'at or above'
        end
    {%- endif -%}
{%- endmacro %}

{% macro written_figure(expression, figure_template) -%}
    replace(
        coalesce({{ figure_template }}, '{n}'),
        '{n}',
        regexp_replace(cast(cast({{ expression }} as {{ type_double() }}) as {{ dbt.type_string() }}), '[.]0$', '')
    )
{%- endmacro %}

{% macro rag_method_description(template, polarity, green_boundary, green_inclusive, amber_boundary, amber_inclusive, target, figure_template) -%}
    {%- set placeholders = [
        ('green', written_figure(green_boundary, figure_template)),
        ('amber', written_figure(amber_boundary, figure_template)),
        ('target', written_figure(target, figure_template)),
        ('green_from', boundary_side(polarity, green_inclusive, 'within')),
        ('amber_from', boundary_side(polarity, amber_inclusive, 'within')),
        ('red_from', boundary_side(polarity, amber_inclusive, 'beyond')),
        ('short_of', boundary_side(polarity, 'true', 'beyond')),
    ] -%}
    {#- a placeholder whose value is null stays as it is, and leaves the description null -#}
    {%- set ns = namespace(filled=template) -%}
    {%- for name, expression in placeholders -%}
        {%- set ns.filled = "replace(" ~ ns.filled ~ ", '{" ~ name ~ "}', coalesce(" ~ expression ~ ", '{" ~ name ~ "}'))" -%}
    {%- endfor -%}
    nullif(regexp_replace({{ ns.filled }}, '.*[{}].*', '{}'), '{}')
{%- endmacro %}
