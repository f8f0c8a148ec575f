-- Budget rows of each report as last sent: when a council sends a report
-- month again, the latest loaded file replaces the earlier one entirely (lines
-- may have been added or removed), so no line is counted twice.

with

budget as (

    select * from {{ ref('stg_extracts__budget_outturn') }}

),

ranked as (

    select
        *,
        {{ is_latest_file(['organisation_code', 'report_month']) }} as is_latest_file

    from budget
    -- the staging table is incremental: the sample switch applies again here
    where {{ sample_rows_filter('is_sample') }}

),

latest_file as (

    select
        organisation_code,
        report_month,
        service_code,
        service_name,
        printed_gross_budget,
        printed_net_budget,
        printed_forecast_outturn,
        printed_variance,
        printed_previous_variance,
        printed_movement,
        printed_gross_budget_decimals,
        printed_net_budget_decimals,
        printed_forecast_outturn_decimals,
        printed_variance_decimals,
        printed_previous_variance_decimals,
        printed_movement_decimals,
        notes,
        source_file,
        file_sha256,
        source_row_number,
        loaded_at,
        is_sample

    from ranked
    where is_latest_file

),

final as (

    select * from latest_file

)

select * from final
