-- What the monthly pack prints: one row per organisation x indicator for the
-- indicator's latest period with a figure (or, when it has none yet, its
-- latest period with a status such as "under development").

with

indicator_periods as (

    select * from {{ ref('fct_indicator_period') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by organisation_code, indicator_code
            order by (value is not null) desc, period_month desc
        ) as recency_rank

    from indicator_periods

),

final as (

    select
        ranked.organisation_code,
        ranked.indicator_code,
        indicators.indicator_title,
        indicators.service_area,
        indicators.unit,
        indicators.frequency,
        indicators.owner,
        ranked.period_month,
        ranked.financial_year,
        ranked.period_label,
        ranked.value,
        ranked.value_status,
        ranked.value_qualifier,
        ranked.target,
        ranked.target_source,
        ranked.rag_status,
        ranked.rag_status_source,
        ranked.computed_rag_status,
        ranked.rag_not_computed_reason,
        ranked.reported_rag,
        ranked.reported_rag_matches,
        ranked.previous_period_month,
        ranked.previous_value,
        ranked.change,
        ranked.direction,
        ranked.direction_source,
        ranked.computed_direction,
        ranked.reported_direction,
        ranked.performance,
        ranked.variance_to_target,
        ranked.variance_to_target_pct,
        ranked.previous_rag_status,
        ranked.rag_changed,
        ranked.polarity,
        ranked.is_data_only,
        ranked.reported_in

    from ranked
    inner join indicators
        on
            ranked.organisation_code = indicators.organisation_code
            and ranked.indicator_code = indicators.indicator_code
    where ranked.recency_rank = 1

)

select * from final
