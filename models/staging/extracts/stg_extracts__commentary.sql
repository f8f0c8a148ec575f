-- Narrative commentary as loaded, renamed: one row per raw row of a file that
-- is not retracted. The loader checked the subject (an indicator of the
-- council, or a section key of the pack_sections seed) and read the month
-- (scorecard/values.py); the text is kept as written, trimmed at its ends.

with

source as (

    select * from {{ source('extracts', 'commentary') }}
    where {{ sample_rows_filter() }} and {{ not_retracted() }}

),

final as (

    select
        organisation_code__code as organisation_code,
        trim(subject_kind) as subject_kind,
        subject_code__code as subject_code,
        trim(period) as period_label,
        period__month as period_month,
        trim(author_role) as author_role,
        trim(commentary) as commentary,
        {{ extract_metadata_columns() }}

    from source

)

select * from final
