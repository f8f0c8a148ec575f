-- Budget outturn lines as loaded, renamed and parsed (money in £000).
-- Incremental (dbt_project.yml): only rows loaded since the last build are
-- parsed and appended.

with

source as (

    select * from {{ source('extracts', 'budget_outturn') }}
    where {{ sample_rows_filter() }}

),

new_rows as (

    select * from source
    {% if is_incremental() %}
        -- raw is append-only: parse only rows loaded since the last build
        where {{ loaded_since_last_build('_loaded_at', 'loaded_at') }}
    {% endif %}

),

final as (

    select
        trim(organisation_code) as organisation_code,
        {{ parse_period_month('report_month') }} as report_month,
        trim(service_code) as service_code,
        nullif(trim(service_name), '') as service_name,
        {{ parse_number('gross_budget') }} as printed_gross_budget,
        {{ parse_number('net_budget') }} as printed_net_budget,
        {{ parse_number('forecast_outturn') }} as printed_forecast_outturn,
        {{ parse_number('variance') }} as printed_variance,
        {{ parse_number('previous_variance') }} as printed_previous_variance,
        {{ parse_number('movement') }} as printed_movement,
        nullif(trim(notes), '') as notes,
        {{ extract_metadata_columns() }}

    from new_rows

)

select * from final
