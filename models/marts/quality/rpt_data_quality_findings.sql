-- Every place a source contradicts itself or cannot be checked: one row per
-- finding, naming the indicator or budget line, the period, what the source
-- printed, what the warehouse computes and why they differ.

{% set budget_measures = ['gross_budget', 'net_budget', 'forecast_outturn', 'variance', 'previous_variance', 'movement'] %}

with

indicator_periods as (

    select * from {{ ref('fct_indicator_period') }}

),

methodologies as (

    select * from {{ ref('int_rag_methodologies_parsed') }}

),

indicator_values as (

    select * from {{ ref('int_indicator_values_deduplicated') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

targets as (

    select * from {{ ref('indicator_targets') }}

),

rag_codes as (

    select distinct
        rag_status,
        is_rag
    from {{ ref('rag_codes') }}

),

budget as (

    select * from {{ ref('fct_budget_outturn') }}

),

retractions as (

    select * from {{ ref('stg_extracts__retractions') }}

),

reported_rag_findings as (

    select
        indicator_periods.organisation_code,
        case
            when indicator_periods.rag_status is null then 'reported_rag_not_verifiable'
            else 'reported_rag_differs'
        end as finding_type,
        case when indicator_periods.rag_status is null then 'warning' else 'error' end as severity,
        'indicator' as subject_type,
        indicator_periods.indicator_code as subject_code,
        indicator_periods.period_month,
        indicator_periods.reported_in,
        indicator_periods.reported_rag as printed_value,
        indicator_periods.rag_status as expected_value,
        case
            when indicator_periods.rag_status is null
                then
                    'The pack printed ' || indicator_periods.reported_rag
                    || ' but no RAG can be computed: ' || indicator_periods.rag_not_computed_reason || '.'
            else
                'The pack printed ' || indicator_periods.reported_rag
                || case when not rag_codes.is_rag then ', which is not a RAG status,' else '' end
                || ' for a figure of ' || {{ format_number('indicator_periods.value') }}
                || '; the RAG methodology gives ' || indicator_periods.rag_status || '.'
        end as reason

    from indicator_periods
    left join rag_codes
        on indicator_periods.reported_rag = rag_codes.rag_status
    where
        indicator_periods.reported_rag is not null
        and indicator_periods.reported_rag is distinct from indicator_periods.rag_status

),

methodology_with_rules as (

    select
        methodologies.*,
        indicators.polarity as catalogue_polarity,
        targets.green_boundary,
        targets.amber_boundary,
        targets.threshold_basis

    from methodologies
    inner join indicators
        on methodologies.indicator_code = indicators.indicator_code
    left join targets
        on
            methodologies.organisation_code = targets.organisation_code
            and methodologies.indicator_code = targets.indicator_code
            and methodologies.reported_in >= targets.effective_from
            and methodologies.reported_in <= coalesce(targets.effective_to, date '9999-12-31')

),

methodology_checks as (

    select
        organisation_code,
        indicator_code,
        reported_in,
        'polarity_contradicts_methodology' as finding_type,
        'error' as severity,
        polarity_as_printed_text as printed_value,
        methodology_polarity as expected_value,
        'The pack prints polarity ' || polarity_as_printed_text || ' but its RAG methodology ("'
        || rag_methodology || '") means ' || methodology_polarity || '.' as reason
    from methodology_with_rules
    where polarity_as_printed != methodology_polarity

    union all

    select
        organisation_code,
        indicator_code,
        reported_in,
        'polarity_differs_from_catalogue' as finding_type,
        'warning' as severity,
        polarity_as_printed_text as printed_value,
        catalogue_polarity as expected_value,
        'The pack prints polarity ' || polarity_as_printed_text || '; the indicator catalogue has '
        || catalogue_polarity || ', which the warehouse uses.' as reason
    from methodology_with_rules
    where polarity_as_printed != catalogue_polarity

    union all

    select
        organisation_code,
        indicator_code,
        reported_in,
        'polarity_not_printed' as finding_type,
        'info' as severity,
        null as printed_value,
        catalogue_polarity as expected_value,
        'The pack prints no polarity for an indicator with a RAG methodology; the catalogue has '
        || catalogue_polarity || '.' as reason
    from methodology_with_rules
    where polarity_as_printed_text is null and rag_methodology is not null

    union all

    select
        organisation_code,
        indicator_code,
        reported_in,
        'polarity_not_recognised' as finding_type,
        'warning' as severity,
        polarity_as_printed_text as printed_value,
        catalogue_polarity as expected_value,
        'The printed polarity "' || polarity_as_printed_text
        || '" is not in the polarity_codes seed.' as reason
    from methodology_with_rules
    where polarity_as_printed_text is not null and polarity_as_printed is null

    union all

    select
        organisation_code,
        indicator_code,
        reported_in,
        'methodology_gap' as finding_type,
        'warning' as severity,
        rag_methodology as printed_value,
        null as expected_value,
        'The written RAG bands leave a ' || written_gap
        || '; the warehouse rates figures in the gap Amber.' as reason
    from methodology_with_rules
    where written_gap is not null

    union all

    select
        organisation_code,
        indicator_code,
        reported_in,
        'methodology_overlap' as finding_type,
        'warning' as severity,
        rag_methodology as printed_value,
        null as expected_value,
        'The written RAG bands overlap: ' || written_overlap
        || '; the warehouse rates figures in the overlap by the Green and Red limits.' as reason
    from methodology_with_rules
    where written_overlap is not null

    union all

    select
        organisation_code,
        indicator_code,
        reported_in,
        'target_differs_from_green_limit' as finding_type,
        'warning' as severity,
        target_as_printed as printed_value,
        {{ format_number('written_green_limit') }} as expected_value,
        'The printed target ' || target_as_printed || ' is not the Green limit '
        || {{ format_number('written_green_limit') }} || ' of the printed RAG methodology.' as reason
    from methodology_with_rules
    where target_as_printed_value != written_green_limit

    union all

    select
        organisation_code,
        indicator_code,
        reported_in,
        'threshold_rule_differs_from_methodology' as finding_type,
        'error' as severity,
        rag_methodology as printed_value,
        'Green ' || {{ format_number('green_boundary') }} || ', Red '
        || {{ format_number('amber_boundary') }} as expected_value,
        'The indicator_targets seed rule does not match the printed methodology: written Green limit '
        || {{ format_number('written_green_limit') }} || ' and Red limit '
        || {{ format_number('written_red_limit') }} || '.' as reason
    from methodology_with_rules
    where
        methodology_polarity = catalogue_polarity
        and (
            green_boundary is distinct from written_green_limit
            or amber_boundary is distinct from written_red_limit
        )

),

methodology_findings as (

    select
        organisation_code,
        finding_type,
        severity,
        'indicator' as subject_type,
        indicator_code as subject_code,
        reported_in as period_month,
        reported_in,
        printed_value,
        expected_value,
        reason

    from methodology_checks

),

ratio_findings as (

    select
        indicator_values.organisation_code,
        'ratio_differs_from_value' as finding_type,
        'error' as severity,
        'indicator' as subject_type,
        indicator_values.indicator_code as subject_code,
        indicator_values.period_month,
        indicator_values.reported_in,
        indicator_values.value_text as printed_value,
        {{ format_number('round(100.0 * indicator_values.numerator / indicator_values.denominator, 2)') }}
            as expected_value,
        'The printed numerator and denominator ' || {{ format_number('indicator_values.numerator') }}
        || '/' || {{ format_number('indicator_values.denominator') }} || ' give '
        || {{ format_number('round(100.0 * indicator_values.numerator / indicator_values.denominator, 2)') }}
        || '%, not the printed ' || {{ format_number('indicator_values.value') }} || '%.' as reason

    from indicator_values
    inner join indicators
        on indicator_values.indicator_code = indicators.indicator_code
    where
        indicators.unit = 'percentage'
        and indicator_values.denominator > 0
        and abs(100.0 * indicator_values.numerator / indicator_values.denominator - indicator_values.value)
        > 0.5 * power(10.0, -coalesce(indicator_values.value_decimals, 0)) + 0.000001

),

budget_findings as (

    {% for measure in budget_measures %}
    select
        organisation_code,
        case
            when service_level = 'line' then 'budget_line_does_not_reconcile'
            else 'subtotal_does_not_reconcile'
        end as finding_type,
        'error' as severity,
        'budget_' || service_level as subject_type,
        service_code as subject_code,
        report_month as period_month,
        report_month as reported_in,
        {{ format_number('printed_' ~ measure) }} as printed_value,
        {{ format_number(measure) }} as expected_value,
        'Printed {{ measure | replace("_", " ") }} of ' || service_name || ' is '
        || {{ format_number('printed_' ~ measure) }} || ' but '
        || case
            when service_level = 'line' then 'its other printed figures give '
            else 'its ' || cast(lines_in_rollup as varchar) || ' lines sum to '
        end
        || {{ format_number(measure) }} || ' (tolerance ' || {{ format_number('reconciliation_tolerance') }}
        || ').' as reason
    from budget
    where abs({{ measure }} - printed_{{ measure }}) > reconciliation_tolerance
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

retraction_findings as (

    select
        organisation_code,
        'load_retracted' as finding_type,
        'info' as severity,
        'file' as subject_type,
        source_file as subject_code,
        reported_in as period_month,
        reported_in,
        left(file_sha256, 12) as printed_value,
        cast(null as varchar) as expected_value,
        'Retracted on ' || strftime(retracted_at, '%Y-%m-%d') || ': ' || reason || '. Its '
        || cast(row_count as varchar) || ' rows (' || extract || ') are left out of every model.' as reason

    from retractions

),

unioned as (

    select * from reported_rag_findings
    union all
    select * from methodology_findings
    union all
    select * from ratio_findings
    union all
    select * from budget_findings
    union all
    select * from retraction_findings

),

final as (

    select
        organisation_code,
        finding_type,
        severity,
        subject_type,
        subject_code,
        period_month,
        reported_in,
        printed_value,
        expected_value,
        reason,
        md5(
            concat_ws('|', organisation_code, finding_type, subject_type, subject_code, period_month, reported_in, reason)
        ) as finding_id

    from unioned

)

select * from final
