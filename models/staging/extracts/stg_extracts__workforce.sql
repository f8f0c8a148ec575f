-- Workforce figures as loaded, renamed; figures and periods (a month, a quarter
-- or a financial year) as the loader read them (scorecard/values.py).

with

source as (

    select * from {{ source('extracts', 'workforce') }}
    where {{ sample_rows_filter() }} and {{ not_retracted() }}

),

final as (

    select
        organisation_code__code as organisation_code,
        trim(period) as period_label,
        period__period_type as period_type,
        period__month as period_month,
        -- exactly as checked against the council's rows of the workforce_measures seed
        measure_code__code as measure_code,
        nullif(trim(value), '') as value_text,
        value__status as value_status,
        value__number as value,
        trim(reported_in) as reported_in_label,
        reported_in__month as reported_in,
        nullif(trim(notes), '') as notes,
        {{ extract_metadata_columns() }}

    from source

)

select * from final
