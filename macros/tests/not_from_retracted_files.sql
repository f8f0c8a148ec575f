{#
    Generic test: no row of the model comes from a retracted file (column: the
    model's file SHA-256). Incremental models keep the rows they stored before a
    retraction; the build after `scorecard retract` must rebuild them with
    `--full-refresh` (`scorecard monthly` and the Dagster jobs do so), and this
    test fails any build that did not, so it never reaches readers.
#}
{% test not_from_retracted_files(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} in (select retractions.file_sha256 from {{ ref('stg_extracts__retractions') }} as retractions)
{% endtest %}
