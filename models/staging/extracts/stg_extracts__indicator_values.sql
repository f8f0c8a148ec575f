-- Indicator values as loaded, renamed: the printed figure, its status,
-- decimals, ratio parts and qualifier, the period and the report month. The
-- loader read every printed value with the one grammar (scorecard/values.py)
-- and wrote what it read beside the text, so staging parses nothing and the
-- build reads exactly what the loader checked. Incremental (dbt_project.yml):
-- only rows loaded since the last build are appended.

with

source as (

    select * from {{ source('extracts', 'indicator_values') }}
    where {{ sample_rows_filter() }} and {{ not_retracted() }}

),

new_rows as (

    select * from source
    {% if is_incremental() %}
        -- raw is append-only: take only rows loaded since the last build
        where {{ loaded_since_last_build('_loaded_at', 'loaded_at') }}
    {% endif %}

),

polarity_codes as (

    select * from {{ ref('polarity_codes') }}

),

rag_codes as (

    select * from {{ ref('rag_codes') }}

),

direction_codes as (

    select * from {{ ref('direction_codes') }}

),

final as (

    select
        new_rows.organisation_code__code as organisation_code,
        new_rows.indicator_code__code as indicator_code,
        trim(new_rows.period) as period_label,
        new_rows.period__period_type as period_type,
        new_rows.period__month as period_month,
        nullif(trim(new_rows.value), '') as value_text,
        new_rows.value__status as value_status,
        new_rows.value__number as value,
        coalesce(new_rows.value__decimals, 0) as value_decimals,
        new_rows.value__numerator as numerator,
        new_rows.value__denominator as denominator,
        new_rows.value__qualifier as value_qualifier,
        nullif(trim(new_rows.reported_rag), '') as reported_rag_text,
        rag_codes.rag_status as reported_rag,
        nullif(trim(new_rows.polarity_as_printed), '') as polarity_as_printed_text,
        polarity_codes.polarity as polarity_as_printed,
        nullif(trim(new_rows.target_as_printed), '') as target_as_printed,
        new_rows.target_as_printed__number as target_as_printed_value,
        nullif(trim(new_rows.rag_methodology_as_printed), '') as rag_methodology_as_printed,
        nullif(trim(new_rows.direction_as_printed), '') as direction_as_printed_text,
        direction_codes.direction as direction_as_printed,
        new_rows.contract_measure_as_printed__flag as contract_measure_as_printed,
        new_rows.national_quartile_as_printed__number as national_quartile_as_printed,
        new_rows.national_figure_as_printed__number as national_figure_as_printed,
        new_rows.neighbour_figure_as_printed__number as neighbour_figure_as_printed,
        trim(new_rows.reported_in) as reported_in_label,
        new_rows.reported_in__month as reported_in,
        nullif(trim(new_rows.notes), '') as notes,
        {{ extract_metadata_columns('new_rows') }},
        {{ built_at() }} as built_at

    from new_rows
    left join rag_codes
        on new_rows.reported_rag__key = rag_codes.printed_rag
    left join polarity_codes
        on new_rows.polarity_as_printed__key = lower(polarity_codes.printed_polarity)
    left join direction_codes
        on new_rows.direction_as_printed__key = lower(direction_codes.printed_direction)

)

select * from final
