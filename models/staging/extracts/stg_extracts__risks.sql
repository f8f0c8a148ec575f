-- The risk register as loaded, renamed; scores and months as the loader read
-- them (scorecard/values.py).

with

source as (

    select * from {{ source('extracts', 'risks') }}
    where {{ sample_rows_filter() }} and {{ not_retracted() }}

),

final as (

    select
        organisation_code__code as organisation_code,
        reported_in__month as reported_in,
        trim(risk_reference) as risk_reference,
        nullif(trim(risk_title), '') as risk_title,
        nullif(trim(risk_description), '') as risk_description,
        score_before_controls__number as score_before_controls,
        score_after_controls__number as score_after_controls,
        nullif(trim(controls), '') as controls,
        nullif(trim(owner_role), '') as owner_role,
        date_opened__month as date_opened,
        nullif(trim(notes), '') as notes,
        {{ extract_metadata_columns() }}

    from source

)

select * from final
