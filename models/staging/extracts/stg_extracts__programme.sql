with

source as (

    select * from {{ source('extracts', 'programme') }}
    where {{ sample_rows_filter() }}

),

rag_codes as (

    select * from {{ ref('rag_codes') }}

),

final as (

    select
        trim(source.organisation_code) as organisation_code,
        {{ parse_period_month('source.reported_in') }} as reported_in,
        trim(source.project_name) as project_name,
        nullif(trim(source.project_rag), '') as project_rag_text,
        rag_codes.rag_status as project_rag,
        {{ parse_period_month('source.plan_month') }} as plan_month,
        nullif(trim(source.activity), '') as activity,
        nullif(lower(trim(source.activity_type)), '') as activity_type,
        nullif(trim(source.notes), '') as notes,
        {{ extract_metadata_columns('source') }}

    from source
    left join rag_codes
        on lower(trim(source.project_rag)) = rag_codes.printed_rag

)

select * from final
