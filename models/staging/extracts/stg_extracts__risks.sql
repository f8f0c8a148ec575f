with

source as (

    select * from {{ source('extracts', 'risks') }}
    where {{ sample_rows_filter() }}

),

final as (

    select
        trim(organisation_code) as organisation_code,
        {{ parse_period_month('reported_in') }} as reported_in,
        trim(risk_reference) as risk_reference,
        nullif(trim(risk_title), '') as risk_title,
        nullif(trim(risk_description), '') as risk_description,
        cast({{ parse_number('score_before_controls') }} as integer) as score_before_controls,
        cast({{ parse_number('score_after_controls') }} as integer) as score_after_controls,
        nullif(trim(controls), '') as controls,
        nullif(trim(owner_role), '') as owner_role,
        {{ parse_period_month('date_opened') }} as date_opened,
        nullif(trim(notes), '') as notes,
        {{ extract_metadata_columns() }}

    from source

)

select * from final
