-- What the monthly pack prints: one row per organisation x indicator for the
-- indicator's latest period with a figure (or, when it has none yet, its
-- latest period with a status such as "under development"), in the pack's
-- order (sort_order, service_area_sort_order from dim_indicator), with the
-- RAG method in words: the template of the rule kind (rag_rule_kinds) filled
-- with the boundaries in force, written in the unit the thresholds are in.

with

indicator_periods as (

    select * from {{ ref('fct_indicator_period') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

rule_kinds as (

    select * from {{ ref('rag_rule_kinds') }}

),

units as (

    select * from {{ ref('units') }}

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

latest as (

    select
        ranked.*,
        indicators.indicator_title,
        indicators.service_area,
        indicators.unit,
        indicators.unit_label,
        indicators.frequency,
        indicators.owner,
        indicators.sort_order,
        indicators.service_area_sort_order,
        indicators.code_sort_key,
        rule_kinds.description_template,
        threshold_units.figure_template

    from ranked
    inner join indicators
        on
            ranked.organisation_code = indicators.organisation_code
            and ranked.indicator_code = indicators.indicator_code
    left join rule_kinds
        on
            ranked.rag_rule = rule_kinds.rag_rule
            and ranked.threshold_basis = rule_kinds.threshold_basis
    left join units as threshold_units
        on coalesce(rule_kinds.threshold_unit, indicators.unit) = threshold_units.unit
    where ranked.recency_rank = 1

),

final as (

    select
        organisation_code,
        indicator_code,
        indicator_title,
        service_area,
        unit,
        unit_label,
        frequency,
        owner,
        sort_order,
        service_area_sort_order,
        code_sort_key,
        period_month,
        financial_year,
        period_label,
        value,
        value_status,
        value_qualifier,
        target,
        target_source,
        rag_status,
        rag_status_source,
        computed_rag_status,
        rag_not_computed_reason,
        case
            when not is_data_only then
                {{ rag_method_description(
                    'description_template', 'polarity', 'green_boundary', 'green_inclusive',
                    'amber_boundary', 'amber_inclusive', 'target', 'figure_template'
                ) }}
        end as rag_method_description,
        reported_rag,
        reported_rag_matches,
        previous_period_month,
        previous_value,
        change,
        direction,
        direction_source,
        computed_direction,
        reported_direction,
        performance,
        variance_to_target,
        variance_to_target_pct,
        previous_rag_status,
        rag_changed,
        polarity,
        is_data_only,
        reported_in

    from latest

)

select * from final
