-- National statistics as national indicator figures: one row per national
-- indicator x period x geography (England, a region or an authority), with the
-- figure and, where the column mapping names them, its numerator and
-- denominator. Columns map to national indicators through the
-- national_statistics_columns seed; a published row whose filters the mapping
-- does not name is not a national indicator's figure and is left out. A figure
-- published under an authority's former GSS code is the authority's; a figure
-- of an abolished authority stays its own (never its successor's). When a
-- figure is loaded again (a revised release), the latest load wins.

with

statistics as (

    select * from {{ ref('stg_extracts__national_statistics') }}

),

column_map as (

    select
        indicator_column,
        national_code,
        role,
        period_end_month,
        coalesce(filters, '') as filters
    from {{ ref('national_statistics_columns') }}

),

time_identifiers as (

    select * from {{ ref('national_time_identifiers') }}

),

authorities as (

    select * from {{ ref('authorities') }}

),

authority_codes as {{ materialized_cte() }} (

    -- every code an authority published under: its GSS code and any former one
    -- (computed once: a LIKE join, small, that must not run again for every figure)
    select
        statistics_codes.la_gss_code as published_code,
        authorities.gss_code
    from (
        select distinct la_gss_code from statistics
        where la_gss_code is not null
    ) as statistics_codes
    inner join authorities
        on
            statistics_codes.la_gss_code = authorities.gss_code
            or ',' || replace(coalesce(authorities.former_gss_codes, ''), ' ', '') || ','
            like '%,' || statistics_codes.la_gss_code || ',%'

),

mapped as (

    select
        column_map.national_code,
        column_map.role,
        statistics.time_period,
        statistics.time_identifier,
        statistics.period_end_year,
        statistics.geographic_level,
        statistics.region_name,
        statistics.value_text,
        statistics.value_status,
        statistics.value,
        statistics.value_decimals,
        statistics.source_file,
        statistics.file_sha256,
        statistics.source_row_number,
        statistics.loaded_at,
        make_date(
            statistics.period_end_year, coalesce(column_map.period_end_month, time_identifiers.end_month), 1
        ) as period_month,
        case statistics.geographic_level
            when 'National' then coalesce(statistics.country_code, 'E92000001')
            when 'Regional' then statistics.region_code
            else authority_codes.gss_code
        end as geography_code

    from statistics
    inner join column_map
        on
            statistics.indicator_column = column_map.indicator_column
            and statistics.filters = column_map.filters
    inner join time_identifiers
        on statistics.time_identifier = time_identifiers.time_identifier
    left join authority_codes
        on statistics.la_gss_code = authority_codes.published_code

),

latest as (

    select
        *,
        row_number() over (
            partition by national_code, role, period_month, geographic_level, geography_code
            order by loaded_at desc, source_row_number desc
        ) as load_order
    from mapped

),

final as (

    select
        national_code,
        period_month,
        geographic_level,
        geography_code,
        max(period_end_year) as period_end_year,
        max(time_period) as time_period,
        max(time_identifier) as time_identifier,
        max(region_name) as region_name,
        max(case when role = 'value' then value_text end) as value_text,
        max(case when role = 'value' then value_status end) as value_status,
        max(case when role = 'value' then value end) as value,
        max(case when role = 'value' then value_decimals end) as value_decimals,
        max(case when role = 'numerator' then value end) as numerator,
        max(case when role = 'numerator' then value_status end) as numerator_status,
        max(case when role = 'denominator' then value end) as denominator,
        max(case when role = 'denominator' then value_status end) as denominator_status,
        max(case when role = 'value' then source_file end) as source_file,
        max(case when role = 'value' then file_sha256 end) as file_sha256,
        max(loaded_at) as loaded_at

    from latest
    where load_order = 1
    group by national_code, period_month, geographic_level, geography_code
    having count(case when role = 'value' then 1 end) = 1

)

select * from final
