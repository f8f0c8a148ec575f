-- Budget figures printed one way and later another: one row per restatement.
--
-- previous_variance_restated: a report prints a previous variance for a
--   service that differs, beyond the printed precision, from the variance the
--   previous report of the same financial year printed for it (for a line that
--   printed no variance, that report's forecast outturn - net budget). The
--   tolerance is half a unit of the last printed digit of each printed figure
--   compared (printed_rounding), as in fct_budget_outturn.
-- report_resent: a report month loaded again from another file (not
--   retracted) prints a figure differently from the file before it: every
--   change counts.

{% set measures = ['gross_budget', 'net_budget', 'forecast_outturn', 'variance', 'previous_variance', 'movement'] %}

with

latest as (

    select * from {{ ref('int_budget_outturn_latest_report') }}

),

versions as (

    select * from {{ ref('stg_extracts__budget_outturn') }}
    -- the staging table is incremental: the sample switch applies again here
    where {{ sample_rows_filter('is_sample') }}

),

hierarchy as (

    select * from {{ ref('service_hierarchy') }}

),

reported_variances as (

    select
        latest.organisation_code,
        latest.report_month,
        latest.service_code,
        latest.source_file,
        latest.file_sha256,
        latest.printed_previous_variance,
        {{ printed_rounding('latest.printed_previous_variance_decimals') }} as previous_variance_rounding,
        coalesce(
            latest.printed_variance,
            case
                when hierarchy.service_level = 'line'
                    then latest.printed_forecast_outturn - latest.printed_net_budget
            end
        ) as variance,
        case
            when latest.printed_variance is not null
                then {{ printed_rounding('latest.printed_variance_decimals') }}
            when hierarchy.service_level = 'line'
                then
                    {{ printed_rounding('latest.printed_forecast_outturn_decimals') }}
                    + {{ printed_rounding('latest.printed_net_budget_decimals') }}
        end as variance_rounding

    from latest
    inner join hierarchy
        on
            latest.organisation_code = hierarchy.organisation_code
            and latest.service_code = hierarchy.service_code

),

with_previous_report as (

    select
        *,
        lag(report_month) over previous_report as previous_report_month,
        lag(variance) over previous_report as previous_report_variance,
        lag(variance_rounding) over previous_report as previous_report_variance_rounding,
        lag(source_file) over previous_report as previous_source_file

    from reported_variances
    window previous_report as (
        partition by organisation_code, service_code, {{ financial_year_start('report_month') }}
        order by report_month
    )

),

previous_variance_restated as (

    select
        organisation_code,
        service_code,
        'previous_variance_restated' as restatement_type,
        'previous_variance' as measure,
        report_month,
        previous_report_month as earlier_report_month,
        previous_report_variance as earlier_value,
        printed_previous_variance as restated_value,
        previous_report_variance_rounding + previous_variance_rounding as tolerance,
        previous_source_file as earlier_source_file,
        source_file as restated_source_file,
        file_sha256 as restated_file_sha256

    from with_previous_report
    where
        abs(printed_previous_variance - previous_report_variance)
        > previous_report_variance_rounding + previous_variance_rounding

),

file_versions as (

    select
        *,
        {%- for measure in measures %}
        lag(printed_{{ measure }}) over earlier_file as earlier_{{ measure }},
        {%- endfor %}
        lag(source_file) over earlier_file as earlier_source_file,
        lag(file_sha256) over earlier_file as earlier_file_sha256

    from versions
    window earlier_file as (
        partition by organisation_code, report_month, service_code
        order by loaded_at, file_sha256
    )

),

report_resent as (

    {%- for measure in measures %}
    select
        organisation_code,
        service_code,
        'report_resent' as restatement_type,
        '{{ measure }}' as measure,
        report_month,
        report_month as earlier_report_month,
        earlier_{{ measure }} as earlier_value,
        printed_{{ measure }} as restated_value,
        cast(null as decimal(18, 4)) as tolerance,
        earlier_source_file,
        source_file as restated_source_file,
        file_sha256 as restated_file_sha256

    from file_versions
    where
        earlier_file_sha256 is not null
        and printed_{{ measure }} is distinct from earlier_{{ measure }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

unioned as (

    select * from previous_variance_restated
    union all
    select * from report_resent

),

final as (

    select
        unioned.organisation_code,
        unioned.service_code,
        hierarchy.service_name,
        hierarchy.service_level,
        unioned.restatement_type,
        unioned.measure,
        unioned.report_month,
        unioned.earlier_report_month,
        cast(unioned.earlier_value as decimal(18, 4)) as earlier_value,
        cast(unioned.restated_value as decimal(18, 4)) as restated_value,
        cast(unioned.restated_value - unioned.earlier_value as decimal(18, 4)) as difference,
        cast(unioned.tolerance as decimal(18, 4)) as tolerance,
        unioned.earlier_source_file,
        unioned.restated_source_file,
        unioned.restated_file_sha256

    from unioned
    inner join hierarchy
        on
            unioned.organisation_code = hierarchy.organisation_code
            and unioned.service_code = hierarchy.service_code

)

select * from final
