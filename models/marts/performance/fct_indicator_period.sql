-- One row per organisation x indicator x period: the figure, its target, its
-- RAG and its direction of travel. Where the pack printed a RAG or an arrow,
-- the main column shows it as printed and the computed one sits beside it;
-- where nothing is printed the computed one fills the main column (the
-- *_source columns say which). The RAG rule kind and the direction basis and
-- level band are data (indicator_rules, through int_indicator_rules_resolved);
-- the target is the reference data's, else the one the pack printed for its
-- own financial year.
--
-- Incremental (dbt_project.yml): on an incremental run only the indicators with
-- rows loaded since the last build are recomputed, from the earliest month that
-- changed (a restated month and the months after it), and replace the existing
-- rows (delete+insert on the key; on Spark, every indicator of a changed council
-- from that month, replacing whole council-month partitions, computed from the
-- council's whole history instead of anchor rows). The previous-period columns of the first
-- recomputed month look back to anchor rows already stored in this table, so an
-- indicator's older history is not read again.

with

all_indicator_values as (

    select * from {{ ref('int_indicator_values_deduplicated') }}

),

{% if is_incremental() and overwrites_partitions() %}

changed_from as (

    -- Replaced by (council, month) partition (Spark): each changed council's
    -- partitions from its earliest changed month are written whole (written, below).
    -- The councils are read once, before the run, and written here as values: a
    -- subquery over this table would be inlined by Spark into every join below.
    {{ changed_councils(ref('int_indicator_values_deduplicated'), 'period_month', 'last_loaded_at') }}

),

{% elif is_incremental() %}

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
    {% if is_incremental() and overwrites_partitions() %}
        -- every period of a changed council: its earlier months give the previous-period
        -- columns as a full build computes them (no anchor rows read back from this table,
        -- whose plan Spark cannot afford inlined in every join below)
        inner join changed_from
            on all_indicator_values.organisation_code = changed_from.organisation_code
    {% elif is_incremental() %}
        inner join changed_from
            on
                all_indicator_values.organisation_code = changed_from.organisation_code
                and all_indicator_values.indicator_code = changed_from.indicator_code
                and all_indicator_values.period_month >= changed_from.first_changed_month
    {% endif %}

),

{% if is_incremental() and not overwrites_partitions() %}

anchors as (

    -- The stored rows the recomputed months look back to: each changed indicator's
    -- last period with a figure before its first changed month, and its last such
    -- period with a RAG (the previous-RAG column skips periods without one).
    select
        organisation_code,
        indicator_code,
        period_month,
        value,
        rag_status

    from (
        select
            stored.organisation_code,
            stored.indicator_code,
            stored.period_month,
            stored.value,
            stored.rag_status,
            max(stored.period_month) over by_indicator as last_month,
            max(case when stored.rag_status is not null then stored.period_month end) over by_indicator
                as last_month_with_rag

        from {{ this }} as stored
        inner join changed_from
            on
                stored.organisation_code = changed_from.organisation_code
                and stored.indicator_code = changed_from.indicator_code
                and stored.period_month < changed_from.first_changed_month
        where stored.value is not null
        window by_indicator as (partition by stored.organisation_code, stored.indicator_code)
    ) as stored_before
    where period_month = last_month or period_month = last_month_with_rag

),

{% endif %}

indicators as (

    select * from {{ ref('indicators') }}

),

targets as (

    select * from {{ ref('indicator_targets') }}

),

rules as (

    select * from {{ ref('int_indicator_rules_resolved') }}

),

-- The previous financial year's outturn of each indicator: its annual figure,
-- else the figure of the year's last period with one.
year_outturns as (

    select
        organisation_code,
        indicator_code,
        financial_year,
        outturn_value,
        outturn_period_month

    from (
        select
            organisation_code,
            indicator_code,
            {{ financial_year_label('period_month') }} as financial_year,
            value as outturn_value,
            period_month as outturn_period_month,
            row_number() over (
                partition by organisation_code, indicator_code, {{ financial_year_label('period_month') }}
                order by case when period_type = 'financial_year' then 0 else 1 end, period_month desc
            ) as latest_first
        from all_indicator_values
        where value is not null
    ) as year_figures
    where latest_first = 1

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
        indicator_values.direction_as_printed as reported_direction,
        indicator_values.contract_measure_as_printed,
        indicator_values.national_quartile_as_printed,
        indicator_values.national_figure_as_printed,
        indicator_values.neighbour_figure_as_printed,
        -- a pack prints the target of the financial year it reports on
        case
            when {{ financial_year_start('indicator_values.period_month') }} = {{ financial_year_start('indicator_values.reported_in') }}
                then indicator_values.target_as_printed_value
        end as printed_target,
        indicator_values.reported_in,
        indicator_values.version_count,
        indicator_values.first_reported_value,
        indicator_values.last_loaded_at,
        indicators.polarity,
        indicators.is_data_only,
        indicators.national_code,
        targets.target_value as reference_target,
        coalesce(targets.threshold_basis, 'value') as threshold_basis,
        targets.green_boundary as band_green_boundary,
        targets.green_inclusive as band_green_inclusive,
        targets.amber_boundary as band_amber_boundary,
        targets.amber_inclusive as band_amber_inclusive,
        rules.rag_rule,
        rules.amber_tolerance,
        rules.direction_basis,
        rules.direction_months,
        rules.level_band,
        rules.level_band_kind

    from indicator_values
    inner join indicators
        on
            indicator_values.organisation_code = indicators.organisation_code
            and indicator_values.indicator_code = indicators.indicator_code
    inner join rules
        on
            indicator_values.organisation_code = rules.organisation_code
            and indicator_values.indicator_code = rules.indicator_code
            and {{ financial_year_label('indicator_values.period_month') }} = rules.financial_year
    left join targets
        on
            indicator_values.organisation_code = targets.organisation_code
            and indicator_values.indicator_code = targets.indicator_code
            and indicator_values.period_month >= targets.effective_from
            and indicator_values.period_month <= coalesce(targets.effective_to, date '9999-12-31')

),

targeted as (

    select
        *,
        cast(coalesce(reference_target, printed_target) as decimal(18, 4)) as target,
        case
            when reference_target is not null then 'reference'
            when printed_target is not null then 'pack'
        end as target_source,
        -- which way is short of the target: down for bigger-is-better, up for smaller-is-better
        case polarity when 'BIB' then -1 when 'SIB' then 1 end as short_of_target

    from with_targets

),

bounded as (

    -- The Green and Amber boundaries the RAG rule kind puts in force.
    select
        *,
        case when rag_rule = 'bands' then band_green_boundary else target end as green_boundary,
        case when rag_rule = 'bands' then band_green_inclusive else true end as green_inclusive,
        case rag_rule
            when 'bands' then band_amber_boundary
            when 'target_only' then target
            when 'target_tolerance_absolute' then target + short_of_target * amber_tolerance
            when 'target_tolerance_relative' then target + short_of_target * amber_tolerance / 100.0 * abs(target)
        end as amber_boundary,
        case rag_rule
            when 'bands' then band_amber_inclusive
            when 'target_only' then false
            else true
        end as amber_inclusive

    from targeted

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
        end as computed_rag_status,
        case
            when is_data_only then 'data-only indicator'
            when rag_rule = 'bands' and (green_boundary is null or amber_boundary is null)
                then 'no RAG methodology for the period'
            when rag_rule <> 'bands' and target is null then 'no target for the period'
            when value is null then 'no figure for the period'
            when threshold_basis = 'percent_of_cohort' and coalesce(denominator, 0) <= 0
                then 'thresholds are a share of the cohort and no cohort size was supplied'
        end as rag_not_computed_reason

    from bounded

),

rag_codes as (

    select distinct
        rag_status,
        is_rag

    from {{ ref('rag_codes') }}

),

with_rag as (

    -- The printed RAG is authoritative (when it is a RAG status: Grey or Yellow are not);
    -- the computed one fills the main column where none was printed. Data-only indicators have none.
    select
        rated.*,
        case
            when rated.is_data_only then null
            when printed_rag.is_rag then rated.reported_rag
            else rated.computed_rag_status
        end as rag_status,
        case
            when rated.is_data_only then null
            when printed_rag.is_rag then 'printed'
            when rated.computed_rag_status is not null then 'computed'
        end as rag_status_source

    from rated
    left join rag_codes as printed_rag
        on rated.reported_rag = printed_rag.rag_status

),

-- Every period's figure and RAG, with (on an incremental run) the stored periods the
-- recomputed ones look back to.
history as (

    select
        organisation_code,
        indicator_code,
        period_month,
        value,
        rag_status

    from with_rag
    {% if is_incremental() and not overwrites_partitions() %}
        union all
        select
            organisation_code,
            indicator_code,
            period_month,
            value,
            rag_status
        from anchors
    {% endif %}

),

-- The last earlier period with a figure, and with a figure and a RAG (gaps are skipped).
previous_months as (

    select
        organisation_code,
        indicator_code,
        period_month,
        max(case when value is not null then period_month end) over earlier
            as previous_period_month,
        max(case when value is not null and rag_status is not null then period_month end) over earlier
            as previous_rag_period_month

    from history
    window earlier as (
        partition by organisation_code, indicator_code
        order by period_month
        rows between unbounded preceding and 1 preceding
    )

),

with_previous as (

    select
        with_rag.*,
        previous_months.previous_period_month,
        previous_figure.value as previous_value,
        previous_rag.rag_status as previous_rag_status,
        -- the period each basis compares with, as an equality key (a join on the basis itself
        -- would be a nested loop over every row)
        cast(
            case
                when with_rag.direction_basis = 'same_period_last_year'
                    then {{ dbt.dateadd('month', -12, 'with_rag.period_month') }}
            end as date
        ) as same_period_month,
        cast(
            case
                when with_rag.direction_basis = 'months_earlier'
                    then {{ dbt.dateadd('month', '-with_rag.direction_months', 'with_rag.period_month') }}
            end as date
        ) as months_earlier_month,
        case
            when with_rag.direction_basis = 'previous_year_outturn'
                then {{ financial_year_label(dbt.dateadd('month', -12, 'with_rag.period_month')) }}
        end as outturn_financial_year

    from with_rag
    left join previous_months
        on
            with_rag.organisation_code = previous_months.organisation_code
            and with_rag.indicator_code = previous_months.indicator_code
            and with_rag.period_month = previous_months.period_month
    left join history as previous_figure
        on
            previous_months.organisation_code = previous_figure.organisation_code
            and previous_months.indicator_code = previous_figure.indicator_code
            and previous_months.previous_period_month = previous_figure.period_month
    left join history as previous_rag
        on
            previous_months.organisation_code = previous_rag.organisation_code
            and previous_months.indicator_code = previous_rag.indicator_code
            and previous_months.previous_rag_period_month = previous_rag.period_month

),

compared as (

    -- The figure the direction of travel compares with, by the council's basis.
    select
        with_previous.*,
        case with_previous.direction_basis
            when 'previous_period' then with_previous.previous_period_month
            when 'same_period_last_year' then same_period.period_month
            when 'months_earlier' then months_earlier.period_month
            when 'previous_year_outturn' then year_outturns.outturn_period_month
        end as comparison_period_month,
        case with_previous.direction_basis
            when 'previous_period' then with_previous.previous_value
            when 'same_period_last_year' then same_period.value
            when 'months_earlier' then months_earlier.value
            when 'previous_year_outturn' then year_outturns.outturn_value
        end as comparison_value

    from with_previous
    left join all_indicator_values as same_period
        on
            with_previous.organisation_code = same_period.organisation_code
            and with_previous.indicator_code = same_period.indicator_code
            and with_previous.same_period_month = same_period.period_month
            and with_previous.period_type = same_period.period_type
    left join all_indicator_values as months_earlier
        on
            with_previous.organisation_code = months_earlier.organisation_code
            and with_previous.indicator_code = months_earlier.indicator_code
            and with_previous.months_earlier_month = months_earlier.period_month
    left join year_outturns
        on
            with_previous.organisation_code = year_outturns.organisation_code
            and with_previous.indicator_code = year_outturns.indicator_code
            and with_previous.outturn_financial_year = year_outturns.financial_year

),

{% set level_band = level_band_amount('level_band', 'level_band_kind', 'comparison_value') %}

directed as (

    select
        *,
        {{ direction_of_travel('value', 'comparison_value', level_band) }} as computed_direction

    from compared

),

with_direction as (

    -- The printed arrow is authoritative; the computed one fills the main column where none was printed.
    select
        *,
        coalesce(reported_direction, computed_direction) as direction,
        case
            when reported_direction is not null then 'printed'
            when computed_direction is not null then 'computed'
        end as direction_source

    from directed

),

-- The rows this run writes: all of them, or on Spark's incremental run the changed
-- councils' months from the first changed one (the partitions it replaces).
written as (

    select with_direction.*

    from with_direction
    {% if is_incremental() and overwrites_partitions() %}
        inner join changed_from
            on
                with_direction.organisation_code = changed_from.organisation_code
                and with_direction.period_month >= changed_from.first_changed_month
    {% endif %}

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
        target_source,
        reference_target,
        printed_target,
        rag_rule,
        threshold_basis,
        cast(green_boundary as decimal(18, 4)) as green_boundary,
        green_inclusive,
        cast(amber_boundary as decimal(18, 4)) as amber_boundary,
        amber_inclusive,
        rag_status,
        rag_status_source,
        computed_rag_status,
        rag_not_computed_reason,
        reported_rag,
        case
            when reported_rag is null or computed_rag_status is null then null
            else reported_rag = computed_rag_status
        end as reported_rag_matches,
        case when value is not null then previous_period_month end as previous_period_month,
        cast(case when value is not null then previous_value end as decimal(18, 4)) as previous_value,
        direction_basis,
        case when value is not null then comparison_period_month end as comparison_period_month,
        cast(case when value is not null then comparison_value end as decimal(18, 4)) as comparison_value,
        cast(value - comparison_value as decimal(18, 4)) as change,
        cast(level_band as decimal(18, 4)) as level_band,
        level_band_kind,
        direction,
        direction_source,
        computed_direction,
        reported_direction,
        case
            when reported_direction is null or computed_direction is null then null
            else reported_direction = computed_direction
        end as reported_direction_matches,
        case
            when not is_data_only then {{ performance_against_polarity('direction', 'polarity') }}
        end as performance,
        cast(
            case
                when threshold_basis = 'value' then
                    {{ favourable_difference('value', 'target', 'polarity') }}
            end as decimal(18, 4)
        ) as variance_to_target,
        cast(
            case
                when threshold_basis = 'value' and target <> 0 then
                    round(100.0 * {{ favourable_difference('value', 'target', 'polarity') }} / abs(target), 2)
            end as decimal(18, 2)
        ) as variance_to_target_pct,
        case when value is not null then previous_rag_status end as previous_rag_status,
        case
            when value is null or rag_status is null or previous_rag_status is null then null
            else rag_status <> previous_rag_status
        end as rag_changed,
        polarity,
        is_data_only,
        national_code,
        contract_measure_as_printed,
        national_quartile_as_printed,
        national_figure_as_printed,
        neighbour_figure_as_printed,
        reported_in,
        cast(version_count as integer) as version_count,
        first_reported_value,
        last_loaded_at,
        {{ built_at() }} as built_at

    from written

)

select * from final
