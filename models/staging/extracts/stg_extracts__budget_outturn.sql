with

source as (

    select * from {{ source('extracts', 'budget_outturn') }}
    where {{ sample_rows_filter() }}

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

    from source

)

select * from final
