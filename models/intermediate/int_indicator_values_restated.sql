-- Figures a later pack (or a later load of the same pack) restated: one row
-- per organisation x indicator x period x version whose figure differs from
-- the version before it, with the old and new figure and both packs. Versions
-- are ordered as int_indicator_values_deduplicated orders them (pack month,
-- then load time, then file name, then row), so the last version is the one
-- the marts show.

with

indicator_values as (

    select * from {{ ref('stg_extracts__indicator_values') }}
    -- again here: the incremental staging table may hold sample rows from before a switch
    where {{ sample_rows_filter('is_sample') }}

),

versions as (

    select
        organisation_code,
        indicator_code,
        period_month,
        period_label,
        value,
        value_status,
        value_text,
        reported_in,
        source_file,
        loaded_at,
        cast(lag(value) over by_version as decimal(18, 4)) as previous_value,
        lag(value_status) over by_version as previous_value_status,
        lag(value_text) over by_version as previous_value_text,
        lag(reported_in) over by_version as previous_reported_in,
        lag(source_file) over by_version as previous_source_file,
        row_number() over by_version as version_number

    from indicator_values
    window by_version as (
        partition by organisation_code, indicator_code, period_month
        order by reported_in asc, loaded_at asc, source_file asc, source_row_number asc
    )

),

final as (

    select
        organisation_code,
        indicator_code,
        period_month,
        period_label,
        cast(version_number as integer) as version_number,
        previous_reported_in,
        previous_source_file,
        previous_value,
        previous_value_status,
        previous_value_text,
        reported_in,
        source_file,
        value,
        value_status,
        value_text

    from versions
    where
        version_number > 1
        and (
            value is distinct from previous_value
            or value_status is distinct from previous_value_status
        )

)

select * from final
