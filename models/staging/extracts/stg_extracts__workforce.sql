-- Workforce figures as loaded, renamed and parsed. As for indicator values,
-- each distinct printed figure and month is parsed once and joined back.

with

source as (

    select * from {{ source('extracts', 'workforce') }}
    where {{ sample_rows_filter() }}

),

printed_values as (

    select distinct value as printed_value from source

),

parsed_values as (

    select
        printed_value,
        nullif(trim(printed_value), '') as value_text,
        {{ value_status('printed_value') }} as value_status

    from printed_values

),

parsed_figures as (

    select
        *,
        case
            when value_status = 'reported' then {{ parse_number('printed_value') }}
        end as value

    from parsed_values

),

printed_months as (

    select distinct period as printed_month from source
    union
    select distinct reported_in as printed_month from source

),

parsed_months as (

    select
        printed_month,
        {{ parse_period_month('printed_month') }} as period_month

    from printed_months

),

final as (

    select
        trim(source.organisation_code) as organisation_code,
        periods.period_month,
        lower(trim(source.measure_code)) as measure_code,
        parsed_figures.value_text,
        parsed_figures.value_status,
        parsed_figures.value,
        trim(source.reported_in) as reported_in_label,
        reported_months.period_month as reported_in,
        nullif(trim(source.notes), '') as notes,
        {{ extract_metadata_columns('source') }}

    from source
    left join parsed_figures
        on source.value is not distinct from parsed_figures.printed_value
    left join parsed_months as periods
        on source.period is not distinct from periods.printed_month
    left join parsed_months as reported_months
        on source.reported_in is not distinct from reported_months.printed_month

)

select * from final
