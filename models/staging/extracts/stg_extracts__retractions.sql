-- Loads withdrawn with `scorecard retract`: one row per retracted file. The
-- files' rows stay in raw; every staging model leaves them out (not_retracted)
-- and the findings mart lists each retraction.

with

source as (

    select * from {{ source('extracts', 'retractions') }}

),

final as (

    select
        file_sha256,
        source_file,
        extract,
        organisation_code,
        reported_in,
        row_count,
        reason,
        retracted_at

    from source

)

select * from final
