{#
    Generic test: within each partition (e.g. organisation and indicator) the
    date ranges [from_column, to_column] do not overlap, so every period has
    exactly one applicable row. A null to_column means open-ended.
#}
{% test no_overlapping_ranges(model, partition_by, from_column, to_column) %}
    with ranges as (
        select * from {{ model }}
    )

    select
        earlier.*
    from ranges as earlier
    inner join ranges as later
        on
            {% for column in partition_by -%}
                earlier.{{ column }} = later.{{ column }} and
            {% endfor -%}
            earlier.{{ from_column }} < later.{{ from_column }}
            and coalesce(earlier.{{ to_column }}, date '9999-12-31') >= later.{{ from_column }}
{% endtest %}
