{#
    Generic test: a computed figure agrees with the figure the source printed
    to within a tolerance (a number, or a column/expression such as the
    tolerance the printed precision allows). The two figures may be given
    either way round. Rows where either figure is null pass. Fails with the
    rows that do not reconcile.
#}
{% test reconciles_within_tolerance(model, column_name, printed_column, tolerance) %}
    select *
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ printed_column }} is not null
        and abs({{ column_name }} - {{ printed_column }}) > {{ tolerance }}
{% endtest %}
