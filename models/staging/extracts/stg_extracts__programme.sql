-- Programme plan cells as loaded, renamed; months and the project RAG as the
-- loader read them (scorecard/values.py).

with

source as (

    select * from {{ source('extracts', 'programme') }}
    where {{ sample_rows_filter() }} and {{ not_retracted() }}

),

rag_codes as (

    select * from {{ ref('rag_codes') }}

),

final as (

    select
        source.organisation_code__code as organisation_code,
        source.reported_in__month as reported_in,
        trim(source.project_name) as project_name,
        nullif(trim(source.project_rag), '') as project_rag_text,
        rag_codes.rag_status as project_rag,
        nullif(trim(source.forecast_rag), '') as forecast_rag_text,
        forecast_rag_codes.rag_status as forecast_rag,
        nullif(trim(source.status_text), '') as status_text,
        source.plan_month__month as plan_month,
        nullif(trim(source.activity), '') as activity,
        nullif(lower(trim(source.activity_type)), '') as activity_type,
        nullif(trim(source.notes), '') as notes,
        {{ extract_metadata_columns('source') }}

    from source
    left join rag_codes
        on source.project_rag__key = rag_codes.printed_rag
    left join rag_codes as forecast_rag_codes
        on source.forecast_rag__key = forecast_rag_codes.printed_rag

)

select * from final
