-- Programme plan: one row per organisation x report x project x plan month,
-- with the phase, milestone or decision planned for the month and the
-- project's RAG at the report. The words the reports print for a decision
-- (Decision required) are data: programme_activity_types.label.

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

activity_types as (

    select * from {{ ref('programme_activity_types') }}

),

final as (

    select
        programme.organisation_code,
        programme.reported_in,
        programme.project_name,
        programme.plan_month,
        {{ financial_year_label('programme.plan_month') }} as financial_year,
        case when programme.activity_type = 'phase' then programme.activity end as phase,
        case when programme.activity_type = 'milestone' then programme.activity end as milestone,
        coalesce(programme.activity_type = 'decision', false) as decision_required,
        case when programme.activity_type = 'decision' then activity_types.label end as decision_label,
        case when programme.activity_type = 'decision' then programme.activity end as decision,
        max(programme.project_rag) over (
            partition by programme.organisation_code, programme.reported_in, programme.project_name
        ) as project_rag,
        max(programme.forecast_rag) over (
            partition by programme.organisation_code, programme.reported_in, programme.project_name
        ) as forecast_rag,
        max(programme.status_text) over (
            partition by programme.organisation_code, programme.reported_in, programme.project_name
        ) as status_text,
        programme.notes

    from programme
    left join activity_types
        on programme.activity_type = activity_types.activity_type

)

select * from final
