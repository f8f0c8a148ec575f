-- Indicator values as loaded, renamed and parsed: the printed figure, its
-- status, decimals, ratio parts and qualifier, the period and the report month.
--
-- Printed texts repeat a great deal (a national history has about a million
-- figures but far fewer distinct strings, and only a hundred or so distinct
-- months), and parsing is regex work: each distinct text is parsed once and
-- joined back. Incremental (dbt_project.yml): only rows loaded since the last
-- build are parsed and appended.

with

source as (

    select * from {{ source('extracts', 'indicator_values') }}
    where {{ sample_rows_filter() }}

),

new_rows as (

    select * from source
    {% if is_incremental() %}
        -- raw is append-only: parse only rows loaded since the last build
        where {{ loaded_since_last_build('_loaded_at', 'loaded_at') }}
    {% endif %}

),

polarity_codes as (

    select * from {{ ref('polarity_codes') }}

),

rag_codes as (

    select * from {{ ref('rag_codes') }}

),

printed_values as (

    select distinct value as printed_value from new_rows

),

parsed_values as (

    select
        printed_value,
        nullif(trim(printed_value), '') as value_text,
        {{ value_status('printed_value') }} as value_status,
        {{ printed_decimals('printed_value') }} as value_decimals,
        {{ parse_ratio_part('printed_value', 'numerator') }} as numerator,
        {{ parse_ratio_part('printed_value', 'denominator') }} as denominator

    from printed_values

),

parsed_figures as (

    select
        *,
        case
            when value_status = 'reported' then {{ parse_number('printed_value') }}
        end as value,
        case
            when value_status = 'reported' then {{ value_qualifier('printed_value') }}
        end as value_qualifier

    from parsed_values

),

printed_months as (

    select distinct period as printed_month from new_rows
    union
    select distinct reported_in as printed_month from new_rows

),

parsed_months as (

    select
        printed_month,
        {{ period_type('printed_month') }} as period_type,
        {{ parse_period_month('printed_month') }} as period_month

    from printed_months

),

printed_targets as (

    select distinct target_as_printed as printed_target from new_rows

),

parsed_targets as (

    select
        printed_target,
        {{ parse_number("regexp_replace(printed_target, '^\\s*[<>≤≥=]+\\s*', '')") }} as target_value

    from printed_targets

),

final as (

    select
        trim(new_rows.organisation_code) as organisation_code,
        trim(new_rows.indicator_code) as indicator_code,
        trim(new_rows.period) as period_label,
        periods.period_type,
        periods.period_month,
        parsed_figures.value_text,
        parsed_figures.value_status,
        parsed_figures.value,
        parsed_figures.value_decimals,
        parsed_figures.numerator,
        parsed_figures.denominator,
        parsed_figures.value_qualifier,
        nullif(trim(new_rows.reported_rag), '') as reported_rag_text,
        rag_codes.rag_status as reported_rag,
        nullif(trim(new_rows.polarity_as_printed), '') as polarity_as_printed_text,
        polarity_codes.polarity as polarity_as_printed,
        nullif(trim(new_rows.target_as_printed), '') as target_as_printed,
        parsed_targets.target_value as target_as_printed_value,
        nullif(trim(new_rows.rag_methodology_as_printed), '') as rag_methodology_as_printed,
        trim(new_rows.reported_in) as reported_in_label,
        reported_months.period_month as reported_in,
        nullif(trim(new_rows.notes), '') as notes,
        {{ extract_metadata_columns('new_rows') }}

    from new_rows
    left join parsed_figures
        on new_rows.value is not distinct from parsed_figures.printed_value
    left join parsed_months as periods
        on new_rows.period is not distinct from periods.printed_month
    left join parsed_months as reported_months
        on new_rows.reported_in is not distinct from reported_months.printed_month
    left join parsed_targets
        on new_rows.target_as_printed is not distinct from parsed_targets.printed_target
    left join rag_codes
        on lower(nullif(trim(new_rows.reported_rag), '')) = rag_codes.printed_rag
    left join polarity_codes
        on lower(nullif(trim(new_rows.polarity_as_printed), '')) = lower(polarity_codes.printed_polarity)

)

select * from final
