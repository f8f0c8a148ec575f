with

source as (

    select * from {{ source('extracts', 'workforce') }}
    where {{ sample_rows_filter() }}

),

final as (

    select
        trim(organisation_code) as organisation_code,
        {{ parse_period_month('period') }} as period_month,
        lower(trim(measure_code)) as measure_code,
        nullif(trim(value), '') as value_text,
        {{ value_status('value') }} as value_status,
        case
            when {{ value_status('value') }} = 'reported' then {{ parse_number('value') }}
        end as value,
        trim(reported_in) as reported_in_label,
        {{ parse_period_month('reported_in') }} as reported_in,
        nullif(trim(notes), '') as notes,
        {{ extract_metadata_columns() }}

    from source

)

select * from final
