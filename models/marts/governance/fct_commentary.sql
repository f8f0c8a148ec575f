-- Narrative commentary: one row per organisation x subject (an indicator or a
-- section of the pack) x month, the latest version loaded. Commentary sent
-- again for the same subject and month (a restatement) replaces the earlier
-- text; version_count says how many versions were loaded.

with

commentary_loaded as (

    select * from {{ ref('stg_extracts__commentary') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

pack_sections as (

    select * from {{ ref('pack_sections') }}

),

-- Every version of each subject's commentary for the month, newest load first.
versions as (

    select
        *,
        count(*) over (
            partition by organisation_code, subject_kind, subject_code, period_month
        ) as version_count,
        min(loaded_at) over (
            partition by organisation_code, subject_kind, subject_code, period_month
        ) as first_loaded_at,
        row_number() over (
            partition by organisation_code, subject_kind, subject_code, period_month
            order by loaded_at desc, file_sha256 desc, source_row_number desc
        ) as version_rank

    from commentary_loaded

),

-- The latest load wins.
latest as (

    select * from versions
    where version_rank = 1

),

final as (

    select
        latest.organisation_code,
        latest.subject_kind,
        latest.subject_code,
        coalesce(indicators.indicator_title, pack_sections.title) as subject_title,
        latest.period_month,
        {{ financial_year_label('latest.period_month') }} as financial_year,
        latest.author_role,
        latest.commentary,
        cast(latest.version_count as integer) as version_count,
        latest.first_loaded_at,
        latest.loaded_at,
        latest.source_file

    from latest
    left join indicators
        on
            latest.subject_kind = 'indicator'
            and latest.organisation_code = indicators.organisation_code
            and latest.subject_code = indicators.indicator_code
    left join pack_sections
        on
            latest.subject_kind = 'section'
            and latest.subject_code = pack_sections.section_key

)

select * from final
