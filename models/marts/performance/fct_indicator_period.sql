-- One row per organisation x indicator x period: the figure, its target and
-- computed RAG, the RAG the pack printed, and movement against the previous
-- period with a figure.
--
-- Incremental (dbt_project.yml): on an incremental run only the indicators with
-- rows loaded since the last build are recomputed, from the earliest month that
-- changed (a restated month and the months after it), and replace the existing
-- rows (delete+insert on the key). The previous-period columns of the first
-- recomputed month look back to anchor rows already stored in this table, so an
-- indicator's older history is not read again.

with

all_indicator_values as (

    select * from {{ ref('int_indicator_values_deduplicated') }}

),

{% if is_incremental() %}

changed_from as (

    select
        organisation_code,
        indicator_code,
        min(period_month) as first_changed_month

    from all_indicator_values
    where {{ loaded_since_last_build('last_loaded_at') }}
    group by organisation_code, indicator_code

),

{% endif %}

indicator_values as (

    select all_indicator_values.*

    from all_indicator_values
    {% if is_incremental() %}
        inner join changed_from
            on
                all_indicator_values.organisation_code = changed_from.organisation_code
                and all_indicator_values.indicator_code = changed_from.indicator_code
                and all_indicator_values.period_month >= changed_from.first_changed_month
    {% endif %}

),

{% if is_incremental() %}

anchors as (

    -- The stored rows the recomputed months look back to: each changed indicator's
    -- last period with a figure before its first changed month, and its last such
    -- period with a RAG (the previous-RAG column skips periods without one).
    select
        stored.organisation_code,
        stored.indicator_code,
        stored.period_month,
        stored.value,
        stored.rag_status,
        true as is_anchor

    from {{ this }} as stored
    inner join changed_from
        on
            stored.organisation_code = changed_from.organisation_code
            and stored.indicator_code = changed_from.indicator_code
            and stored.period_month < changed_from.first_changed_month
    where stored.value is not null
    window by_indicator as (partition by stored.organisation_code, stored.indicator_code)
    qualify
        stored.period_month = max(stored.period_month) over by_indicator
        or stored.period_month
        = max(case when stored.rag_status is not null then stored.period_month end) over by_indicator

),

{% endif %}

indicators as (

    select * from {{ ref('indicators') }}

),

targets as (

    select * from {{ ref('indicator_targets') }}

),

with_targets as (

    select
        indicator_values.organisation_code,
        indicator_values.indicator_code,
        indicator_values.period_month,
        indicator_values.period_label,
        indicator_values.period_type,
        indicator_values.value,
        indicator_values.value_text,
        indicator_values.value_status,
        indicator_values.value_qualifier,
        indicator_values.value_decimals,
        indicator_values.numerator,
        indicator_values.denominator,
        indicator_values.reported_rag,
        indicator_values.reported_in,
        indicator_values.version_count,
        indicator_values.first_reported_value,
        indicator_values.last_loaded_at,
        indicators.polarity,
        indicators.is_data_only,
        targets.target_value as target,
        targets.threshold_basis,
        targets.green_boundary,
        targets.green_inclusive,
        targets.amber_boundary,
        targets.amber_inclusive

    from indicator_values
    inner join indicators
        on indicator_values.indicator_code = indicators.indicator_code
    left join targets
        on
            indicator_values.organisation_code = targets.organisation_code
            and indicator_values.indicator_code = targets.indicator_code
            and indicator_values.period_month >= targets.effective_from
            and indicator_values.period_month <= coalesce(targets.effective_to, date '9999-12-31')

),

rated as (

    select
        *,
        case
            when is_data_only then null
            when threshold_basis = 'value'
                then {{ rag_status('value', 'polarity', 'green_boundary', 'green_inclusive', 'amber_boundary', 'amber_inclusive') }}
            when threshold_basis = 'percent_of_cohort' and denominator > 0
                then {{ rag_status('100.0 * coalesce(numerator, value) / denominator', 'polarity', 'green_boundary', 'green_inclusive', 'amber_boundary', 'amber_inclusive') }}
        end as rag_status,
        case
            when is_data_only then 'data-only indicator'
            when green_boundary is null or amber_boundary is null then 'no RAG methodology for the period'
            when value is null then 'no figure for the period'
            when threshold_basis = 'percent_of_cohort' and coalesce(denominator, 0) <= 0
                then 'thresholds are a share of the cohort and no cohort size was supplied'
        end as rag_not_computed_reason

    from with_targets

),

rated_and_anchors as (

    select
        *,
        false as is_anchor

    from rated
    {% if is_incremental() %}
        union all by name
        select * from anchors
    {% endif %}

),

with_previous as (

    select
        *,
        lag(case when value is not null then period_month end ignore nulls) over by_period
            as previous_period_month,
        lag(value ignore nulls) over by_period as previous_value,
        lag(case when value is not null then rag_status end ignore nulls) over by_period
            as previous_rag_status

    from rated_and_anchors
    window by_period as (partition by organisation_code, indicator_code order by period_month)

),

final as (

    select
        organisation_code,
        indicator_code,
        period_month,
        {{ financial_year_label('period_month') }} as financial_year,
        period_label,
        period_type,
        value,
        value_status,
        value_text,
        value_qualifier,
        numerator,
        denominator,
        target,
        threshold_basis,
        green_boundary,
        amber_boundary,
        rag_status,
        rag_not_computed_reason,
        reported_rag,
        case
            when reported_rag is null or rag_status is null then null
            else reported_rag = rag_status
        end as reported_rag_matches,
        case when value is not null then previous_period_month end as previous_period_month,
        case when value is not null then previous_value end as previous_value,
        value - previous_value as change,
        {{ direction_of_travel('value', 'previous_value') }} as direction,
        case
            when not is_data_only then
                {{ performance_against_polarity(direction_of_travel('value', 'previous_value'), 'polarity') }}
        end as performance,
        case
            when threshold_basis = 'value' then
                {{ favourable_difference('value', 'target', 'polarity') }}
        end as variance_to_target,
        case
            when threshold_basis = 'value' and target <> 0 then
                round(100.0 * {{ favourable_difference('value', 'target', 'polarity') }} / abs(target), 2)
        end as variance_to_target_pct,
        case when value is not null then previous_rag_status end as previous_rag_status,
        case
            when value is null or rag_status is null or previous_rag_status is null then null
            else rag_status <> previous_rag_status
        end as rag_changed,
        polarity,
        is_data_only,
        reported_in,
        cast(version_count as integer) as version_count,
        first_reported_value,
        last_loaded_at

    from with_previous
    where not is_anchor
)

select * from final
