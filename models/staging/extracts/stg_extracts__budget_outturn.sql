-- Budget outturn lines as loaded, renamed (money in £000). The loader read
-- every printed amount with the one grammar (scorecard/values.py) and wrote the
-- numbers and their printed decimal places beside the text: staging parses nothing. Incremental
-- (dbt_project.yml): only rows loaded since the last build are appended.

with

source as (

    select * from {{ source('extracts', 'budget_outturn') }}
    where {{ sample_rows_filter() }} and {{ not_retracted() }}

),

new_rows as (

    select * from source
    {% if is_incremental() %}
        -- raw is append-only: take only rows loaded since the last build
        where {{ loaded_since_last_build('_loaded_at', 'loaded_at') }}
    {% endif %}

),

final as (

    select
        organisation_code__code as organisation_code,
        report_month__month as report_month,
        service_code__code as service_code,
        nullif(trim(service_name), '') as service_name,
        gross_budget__number as printed_gross_budget,
        net_budget__number as printed_net_budget,
        forecast_outturn__number as printed_forecast_outturn,
        variance__number as printed_variance,
        previous_variance__number as printed_previous_variance,
        movement__number as printed_movement,
        -- decimal places printed, in £000: 0 for whole £000, -2 for £18.2m (the precision checks use them)
        gross_budget__decimals as printed_gross_budget_decimals,
        net_budget__decimals as printed_net_budget_decimals,
        forecast_outturn__decimals as printed_forecast_outturn_decimals,
        variance__decimals as printed_variance_decimals,
        previous_variance__decimals as printed_previous_variance_decimals,
        movement__decimals as printed_movement_decimals,
        nullif(trim(notes), '') as notes,
        {{ extract_metadata_columns() }},
        {{ built_at() }} as built_at

    from new_rows

)

select * from final
