-- One row per organisation x indicator x period: the latest version of the
-- figure (the latest pack that printed it, then the latest load), with the
-- number of versions and the figure as first reported.

with

indicator_values as (

    select * from {{ ref('stg_extracts__indicator_values') }}

),

versioned as (

    select
        *,
        row_number() over (
            partition by organisation_code, indicator_code, period_month
            order by reported_in desc, loaded_at desc, source_row_number desc
        ) as version_rank,
        count(*) over (
            partition by organisation_code, indicator_code, period_month
        ) as version_count,
        first_value(value) over (
            partition by organisation_code, indicator_code, period_month
            order by reported_in asc, loaded_at asc, source_row_number asc
        ) as first_reported_value

    from indicator_values

),

final as (

    select * exclude (version_rank)
    from versioned
    where version_rank = 1

)

select * from final
