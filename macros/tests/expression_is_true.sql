{#
    Generic test: expression holds on every row (optionally only on rows
    where `where` holds). Fails with the rows where it does not.
#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
