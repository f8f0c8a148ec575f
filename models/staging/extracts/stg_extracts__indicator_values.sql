with

source as (

    select * from {{ source('extracts', 'indicator_values') }}
    where {{ sample_rows_filter() }}

),

polarity_codes as (

    select * from {{ ref('polarity_codes') }}

),

rag_codes as (

    select * from {{ ref('rag_codes') }}

),

renamed as (

    select
        trim(organisation_code) as organisation_code,
        trim(indicator_code) as indicator_code,
        trim(period) as period_label,
        {{ period_type('period') }} as period_type,
        {{ parse_period_month('period') }} as period_month,
        nullif(trim(value), '') as value_text,
        {{ value_status('value') }} as value_status,
        {{ printed_decimals('value') }} as value_decimals,
        {{ parse_ratio_part('value', 'numerator') }} as numerator,
        {{ parse_ratio_part('value', 'denominator') }} as denominator,
        nullif(trim(reported_rag), '') as reported_rag_text,
        nullif(trim(polarity_as_printed), '') as polarity_as_printed_text,
        nullif(trim(target_as_printed), '') as target_as_printed,
        {{ parse_number("regexp_replace(target_as_printed, '^\\s*[<>≤≥=]+\\s*', '')") }}
            as target_as_printed_value,
        nullif(trim(rag_methodology_as_printed), '') as rag_methodology_as_printed,
        trim(reported_in) as reported_in_label,
        {{ parse_period_month('reported_in') }} as reported_in,
        nullif(trim(notes), '') as notes,
        {{ extract_metadata_columns() }},
        value as raw_value

    from source

),

final as (

    select
        renamed.organisation_code,
        renamed.indicator_code,
        renamed.period_label,
        renamed.period_type,
        renamed.period_month,
        renamed.value_text,
        renamed.value_status,
        case
            when renamed.value_status = 'reported' then {{ parse_number('renamed.raw_value') }}
        end as value,
        renamed.value_decimals,
        renamed.numerator,
        renamed.denominator,
        case
            when renamed.value_status = 'reported' then {{ value_qualifier('renamed.raw_value') }}
        end as value_qualifier,
        renamed.reported_rag_text,
        rag_codes.rag_status as reported_rag,
        renamed.polarity_as_printed_text,
        polarity_codes.polarity as polarity_as_printed,
        renamed.target_as_printed,
        renamed.target_as_printed_value,
        renamed.rag_methodology_as_printed,
        renamed.reported_in_label,
        renamed.reported_in,
        renamed.notes,
        renamed.source_file,
        renamed.file_sha256,
        renamed.source_row_number,
        renamed.loaded_at,
        renamed.is_sample

    from renamed
    left join rag_codes
        on lower(renamed.reported_rag_text) = rag_codes.printed_rag
    left join polarity_codes
        on lower(renamed.polarity_as_printed_text) = lower(polarity_codes.printed_polarity)

)

select * from final
