-- Every measure in the workforce_measures seed is a column of
-- fct_workforce_month (the mart pivots measures into columns).
with

measures as (

    select * from {{ ref('workforce_measures') }}

),

mart_columns as (

    select column_name
    from information_schema.columns
    where
        table_schema = '{{ ref("fct_workforce_month").schema }}'
        and table_name = 'fct_workforce_month'

),

final as (

    select measures.measure_code
    from measures
    left join mart_columns
        on measures.measure_code = mart_columns.column_name
    where mart_columns.column_name is null

)

select * from final
