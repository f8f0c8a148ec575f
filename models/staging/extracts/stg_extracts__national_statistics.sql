-- National statistics as loaded from the Department for Education's published
-- layout, renamed: one row per published row and indicator column (the loader
-- unpivots the file), figures and symbols as the loader read them
-- (scorecard/values.py).

with

source as (

    select * from {{ source('extracts', 'national_statistics') }}
    where {{ sample_rows_filter() }} and {{ not_retracted() }}

),

final as (

    select
        trim(time_period) as time_period,
        time_period__end_year as period_end_year,
        trim(time_identifier) as time_identifier,
        trim(geographic_level) as geographic_level,
        nullif(trim(country_code), '') as country_code,
        nullif(trim(region_code), '') as region_code,
        nullif(trim(region_name), '') as region_name,
        -- exactly as checked against the authorities seed (a current or a former GSS code)
        new_la_code__code as la_gss_code,
        nullif(trim(old_la_code), '') as old_la_code,
        nullif(trim(la_name), '') as la_name,
        coalesce(filters, '') as filters,
        indicator__code as indicator_column,
        nullif(trim(value), '') as value_text,
        value__status as value_status,
        value__number as value,
        value__decimals as value_decimals,
        nullif(trim(indicator_unit), '') as indicator_unit,
        indicator_dp__number as indicator_dp,
        {{ extract_metadata_columns() }}

    from source

)

select * from final
