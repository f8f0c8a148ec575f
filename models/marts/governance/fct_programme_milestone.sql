-- Programme plan: one row per organisation x report x project x plan month,
-- with the phase, milestone or decision planned for the month and the
-- project's RAG at the report.

with

programme_loaded as (

    select * from {{ ref('stg_extracts__programme') }}

),

-- A report sent again replaces the earlier file entirely.
programme as (

    select *
    from (
        select
            *,
            {{ is_latest_file(['organisation_code', 'reported_in']) }} as is_from_latest_file
        from programme_loaded
    ) as ranked
    where is_from_latest_file

),

final as (

    select
        organisation_code,
        reported_in,
        project_name,
        plan_month,
        {{ financial_year_label('plan_month') }} as financial_year,
        case when activity_type = 'phase' then activity end as phase,
        case when activity_type = 'milestone' then activity end as milestone,
        coalesce(activity_type = 'decision', false) as decision_required,
        case when activity_type = 'decision' then activity end as decision,
        max(project_rag) over (partition by organisation_code, reported_in, project_name)
            as project_rag,
        max(forecast_rag) over (partition by organisation_code, reported_in, project_name)
            as forecast_rag,
        max(status_text) over (partition by organisation_code, reported_in, project_name)
            as status_text,
        notes

    from programme

)

select * from final
