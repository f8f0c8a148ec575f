{#
    Generic test: every non-null value of column_name names a row of `to` for
    the same council: (organisation_code, column_name) exists as
    (organisation_code, field) in `to`. Codes belong to a council, so a plain
    relationships test on the code alone would accept another council's code.
    Fails with one row per unknown pair.
#}
{% test relationships_within_council(model, column_name, to, field) %}
    with child as (
        select * from {{ model }}
    )

    select
        child.organisation_code,
        child.{{ column_name }}
    from child
    left join {{ to }} as parent
        on
            child.organisation_code = parent.organisation_code
            and child.{{ column_name }} = parent.{{ field }}
    where child.{{ column_name }} is not null and parent.{{ field }} is null
{% endtest %}
