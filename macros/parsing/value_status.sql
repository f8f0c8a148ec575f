{#
    value_status(text): why a printed figure is or is not a number.

    - 'blank' for null or empty text;
    - the status of the first matching marker in the value_placeholders seed
      (`-`, `New`, `NA`, `establish baseline`, `under development`,
      suppression markers such as `c`, `[x]`, `<5` ...), exact matches first,
      then text containing a marker; matching ignores case and surrounding
      space;
    - 'reported' when the text starts with a number;
    - 'unparseable' otherwise (a data test fails the build on these).
#}
{% macro value_status(text) -%}
    coalesce(
        case when nullif(trim({{ text }}), '') is null then 'blank' end,
        (
            select placeholder.value_status
            from {{ ref('value_placeholders') }} as placeholder
            where
                (
                    placeholder.match_type = 'exact'
                    and lower(trim({{ text }})) = lower(placeholder.marker)
                )
                or (
                    placeholder.match_type = 'contains'
                    and contains(lower({{ text }}), lower(placeholder.marker))
                )
            order by case placeholder.match_type when 'exact' then 0 else 1 end, placeholder.marker
            limit 1
        ),
        case when {{ parse_number(text) }} is not null then 'reported' end,
        'unparseable'
    )
{%- endmacro %}
