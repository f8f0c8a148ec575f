-- Workforce figures as loaded, renamed; figures and months as the loader read
-- them (scorecard/values.py).

with

source as (

    select * from {{ source('extracts', 'workforce') }}
    where {{ sample_rows_filter() }} and {{ not_retracted() }}

),

final as (

    select
        organisation_code__code as organisation_code,
        period__month as period_month,
        lower(measure_code__code) as measure_code,
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
