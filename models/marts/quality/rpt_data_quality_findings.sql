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

restated as (

    select * from {{ ref('int_indicator_values_restated') }}

),

benchmark as (

    select * from {{ ref('fct_authority_benchmark') }}

),

national_figures as (

    select * from {{ ref('int_national_statistics_mapped') }}

),

authorities as (

    select * from {{ ref('authorities') }}

),

organisations as (

    select * from {{ ref('organisations') }}

),

severities as (

    select * from {{ ref('finding_severities') }}

),

direction_findings as (

    select
        organisation_code,
        'direction_differs_from_printed' as finding_type,
        'warning' as severity,
        'indicator' as subject_type,
        indicator_code as subject_code,
        period_month,
        reported_in,
        reported_direction as printed_value,
        computed_direction as expected_value,
        'The pack printed ' || reported_direction || ' but the figure of ' || {{ format_number('value') }}
        || ' against ' || {{ format_number('comparison_value') }} || ' ('
        || replace(direction_basis, '_', ' ')
        || case
            when level_band > 0 and level_band_kind = 'relative'
                then ', level within ' || {{ format_number('level_band') }} || '%'
            when level_band > 0 then ', level within ' || {{ format_number('level_band') }}
            else ''
        end
        || ') is ' || computed_direction || '.' as reason

    from indicator_periods
    where
        reported_direction != computed_direction
        and reported_direction is not null
        and computed_direction is not null

),

target_findings as (

    -- A printed target that disagrees with the reference data's, once per pack and indicator.
    select
        organisation_code,
        'target_differs_from_pack' as finding_type,
        'warning' as severity,
        'indicator' as subject_type,
        indicator_code as subject_code,
        max(period_month) as period_month,
        reported_in,
        {{ format_number('printed_target') }} as printed_value,
        {{ format_number('reference_target') }} as expected_value,
        'The pack printed a target of ' || {{ format_number('printed_target') }} || ' for ' || financial_year
        || ' but indicator_targets holds ' || {{ format_number('reference_target') }}
        || '; the reference target is used.' as reason

    from indicator_periods
    where printed_target is not null and reference_target is not null and printed_target != reference_target
    group by organisation_code, indicator_code, reported_in, financial_year, printed_target, reference_target

    union all

    -- An indicator with figures in the financial year its pack reports on (the year it is due
    -- a target) and no target from either source. Earlier years a pack prints for comparison are not.
    select
        organisation_code,
        'target_missing' as finding_type,
        'warning' as severity,
        'indicator' as subject_type,
        indicator_code as subject_code,
        min(period_month) as period_month,
        max(reported_in) as reported_in,
        null as printed_value,
        null as expected_value,
        'No target for ' || financial_year || ' in indicator_targets or in the pack ('
        || cast(count(*) as {{ dbt.type_string() }}) || case when count(*) = 1 then ' figure' else ' figures' end
        || ' without one); add the target to indicator_targets.' as reason

    from indicator_periods
    where
        not is_data_only
        and value is not null
        and target is null
        and (rag_rule != 'bands' or green_boundary is null)
        and {{ financial_year_start('period_month') }} = {{ financial_year_start('reported_in') }}
    group by organisation_code, indicator_code, financial_year

),

restatement_findings as (

    select
        organisation_code,
        'figure_restated' as finding_type,
        'info' as severity,
        'indicator' as subject_type,
        indicator_code as subject_code,
        period_month,
        reported_in,
        coalesce(value_text, '(blank)') as printed_value,
        coalesce(previous_value_text, '(blank)') as expected_value,
        'The ' || {{ month_label('reported_in') }} || ' pack (' || source_file || ') prints '
        || coalesce(value_text, 'no figure') || ' for ' || period_label || ' where the '
        || {{ month_label('previous_reported_in') }} || ' pack (' || previous_source_file || ') printed '
        || coalesce(previous_value_text, 'no figure') || '.' as reason

    from restated

),

reported_rag_findings as (

    select
        indicator_periods.organisation_code,
        case
            when indicator_periods.computed_rag_status is null then 'reported_rag_not_verifiable'
            else 'reported_rag_differs'
        end as finding_type,
        case when indicator_periods.computed_rag_status is null then 'warning' else 'error' end as severity,
        'indicator' as subject_type,
        indicator_periods.indicator_code as subject_code,
        indicator_periods.period_month,
        indicator_periods.reported_in,
        indicator_periods.reported_rag as printed_value,
        indicator_periods.computed_rag_status as expected_value,
        case
            when indicator_periods.computed_rag_status is null
                then
                    'The pack printed ' || indicator_periods.reported_rag
                    || ' but no RAG can be computed: ' || indicator_periods.rag_not_computed_reason || '.'
            else
                'The pack printed ' || indicator_periods.reported_rag
                || case when not rag_codes.is_rag then ', which is not a RAG status,' else '' end
                || ' for a figure of ' || {{ format_number('indicator_periods.value') }}
                || '; the RAG methodology gives ' || indicator_periods.computed_rag_status || '.'
        end as reason

    from indicator_periods
    left join rag_codes
        on indicator_periods.reported_rag = rag_codes.rag_status
    where
        indicator_periods.reported_rag is not null
        and indicator_periods.reported_rag is distinct from indicator_periods.computed_rag_status

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
        on
            methodologies.organisation_code = indicators.organisation_code
            and methodologies.indicator_code = indicators.indicator_code
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
        on
            indicator_values.organisation_code = indicators.organisation_code
            and indicator_values.indicator_code = indicators.indicator_code
    where
        indicators.unit = 'percentage'
        and indicator_values.denominator > 0
        and abs(100.0 * indicator_values.numerator / indicator_values.denominator - indicator_values.value)
        > 0.5 * power(10.0, -coalesce(indicator_values.value_decimals, 0)) + 0.000001

),

budget_findings as (

    -- A printed figure that differs from the computed one beyond the tolerance its printed
    -- precision allows (fct_budget_outturn). A line's computed previous variance is the
    -- previous report's variance, so a difference there is a restatement (below) instead.
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
        {{ format_number(measure) }} as printed_value,
        {{ format_number('computed_' ~ measure) }} as expected_value,
        'Printed {{ measure | replace("_", " ") }} of ' || service_name || ' is '
        || {{ format_number(measure) }} || ' but '
        || case
            when service_level = 'line' then 'its other printed figures give '
            else 'its ' || cast(lines_in_rollup as {{ dbt.type_string() }}) || ' lines sum to '
        end
        || {{ format_number('computed_' ~ measure) }} || ': a difference of '
        || {{ format_number(measure ~ '_difference') }} || ' (tolerance '
        || {{ format_number(measure ~ '_tolerance') }} || ', half a unit of each printed figure).' as reason
    from budget
    where
        abs({{ measure }}_difference) > {{ measure }}_tolerance
        {% if measure == 'previous_variance' %}and service_level != 'line'{% endif %}
    union all
    {% endfor %}

    -- A figure a later report or file prints differently (int_budget_figures_restated).
    select
        organisation_code,
        'figure_restated' as finding_type,
        'info' as severity,
        'budget_' || service_level as subject_type,
        service_code as subject_code,
        earlier_report_month as period_month,
        report_month as reported_in,
        {{ format_number('restated_value') }} as printed_value,
        {{ format_number('earlier_value') }} as expected_value,
        case
            when restatement_type = 'previous_variance_restated'
                then
                    'The ' || {{ month_label('report_month') }} || ' report (' || restated_source_file
                    || ') prints a previous variance of ' || {{ format_number('restated_value') }} || ' for '
                    || service_name || ' where the ' || {{ month_label('earlier_report_month') }} || ' report ('
                    || earlier_source_file || ') gave a variance of ' || {{ format_number('earlier_value') }}
                    || ': a difference of ' || {{ format_number('difference') }} || ' (tolerance '
                    || {{ format_number('tolerance') }} || ').'
            else
                'The ' || {{ month_label('report_month') }} || ' report was loaded again from '
                || restated_source_file || ': its ' || replace(measure, '_', ' ') || ' of ' || service_name
                || ' is ' || {{ format_number('restated_value') }} || ' where ' || earlier_source_file
                || ' printed ' || {{ format_number('earlier_value') }} || '.'
        end as reason
    from {{ ref('int_budget_figures_restated') }}

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
        cast(null as {{ dbt.type_string() }}) as expected_value,
        'Retracted on ' || {{ iso_date('retracted_at') }} || ': ' || reason || '. Its '
        || cast(row_count as {{ dbt.type_string() }}) || ' rows (' || extract || ') are left out of every model.' as reason

    from retractions

),

printed_quartiles as (

    -- A quartile the pack printed, against the council's band in the latest national period
    -- published for a month on or before the pack's period.
    select
        indicator_periods.organisation_code,
        indicator_periods.indicator_code,
        indicator_periods.period_month,
        indicator_periods.reported_in,
        indicator_periods.national_quartile_as_printed,
        benchmark.time_period,
        benchmark.quartile_band,
        benchmark.rank_position,
        benchmark.authorities_ranked,
        row_number() over (
            partition by
                indicator_periods.organisation_code, indicator_periods.indicator_code,
                indicator_periods.period_month
            order by benchmark.period_month desc
        ) as recency

    from indicator_periods
    inner join indicators
        on
            indicator_periods.organisation_code = indicators.organisation_code
            and indicator_periods.indicator_code = indicators.indicator_code
    inner join organisations
        on indicator_periods.organisation_code = organisations.organisation_code
    inner join benchmark
        on
            organisations.gss_code = benchmark.gss_code
            and indicators.national_code = benchmark.national_code
            and indicator_periods.period_month >= benchmark.period_month
            and benchmark.quartile_band is not null
    where indicator_periods.national_quartile_as_printed is not null

),

benchmark_findings as (

    select
        organisation_code,
        'quartile_differs_from_printed' as finding_type,
        'warning' as severity,
        'indicator' as subject_type,
        indicator_code as subject_code,
        period_month,
        reported_in,
        substr('ABCD', national_quartile_as_printed, 1) as printed_value,
        quartile_band as expected_value,
        'The pack printed national quartile ' || substr('ABCD', national_quartile_as_printed, 1)
        || ' but the latest national figures (' || time_period || ') rank the council '
        || cast(rank_position as {{ dbt.type_string() }}) || ' of ' || cast(authorities_ranked as {{ dbt.type_string() }})
        || ': quartile ' || quartile_band || '.' as reason

    from printed_quartiles
    where recency = 1 and substr('ABCD', national_quartile_as_printed, 1) != quartile_band

    union all

    -- A published figure for an authority that did not exist in the period: not ranked, and
    -- never counted as its successor's or predecessor's.
    select
        cast(null as {{ dbt.type_string() }}) as organisation_code,
        'authority_not_in_period' as finding_type,
        'info' as severity,
        'authority' as subject_type,
        national_figures.geography_code as subject_code,
        national_figures.period_month,
        cast(null as date) as reported_in,
        national_figures.value_text as printed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        authorities.name || ' did not exist at the end of ' || national_figures.time_period
        || ' (authorities seed: '
        || concat_ws(' ', 'from ' || cast(authorities.start_date as {{ dbt.type_string() }}), 'to ' || cast(authorities.end_date as {{ dbt.type_string() }}))
        || '); its ' || national_figures.national_code || ' figure in ' || national_figures.source_file
        || ' is left out of the benchmark.' as reason

    from national_figures
    inner join authorities
        on national_figures.geography_code = authorities.gss_code
    where
        national_figures.geographic_level = 'Local authority'
        and not {{ authority_existed('authorities.start_date', 'authorities.end_date', 'national_figures.period_month') }}

),

unioned as (

    select * from reported_rag_findings
    union all
    select * from direction_findings
    union all
    select * from target_findings
    union all
    select * from restatement_findings
    union all
    select * from methodology_findings
    union all
    select * from ratio_findings
    union all
    select * from budget_findings
    union all
    select * from retraction_findings
    union all
    select * from benchmark_findings

),

final as (

    select
        unioned.organisation_code,
        unioned.finding_type,
        unioned.severity,
        severities.severity_rank,
        unioned.subject_type,
        unioned.subject_code,
        unioned.period_month,
        unioned.reported_in,
        unioned.printed_value,
        unioned.expected_value,
        unioned.reason,
        md5(
            concat_ws(
                '|',
                unioned.organisation_code,
                unioned.finding_type,
                unioned.subject_type,
                unioned.subject_code,
                unioned.period_month,
                unioned.reported_in,
                unioned.reason
            )
        ) as finding_id

    from unioned
    left join severities
        on unioned.severity = severities.severity

)

select * from final
