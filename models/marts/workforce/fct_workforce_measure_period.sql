-- Staffing: one row per council x staffing measure x period (a month, a quarter
-- or a financial year), the latest figure reported for it, with its movement
-- since the previous period of the same type with a figure.
--
-- Measures are data: every measure a council defines in the workforce_measures
-- seed flows through with no change here (name, unit, polarity, order come from
-- the seed; the unit's label from units). Direction and performance use the same rules as indicators
-- (macros/rules): a measure with no polarity (headcount) has a direction but no
-- performance. The order of period types (a month before the quarter and the
-- year ending in it) is data too: period_types.sort_order.

with

workforce as (

    select * from {{ ref('stg_extracts__workforce') }}

),

measures as (

    select * from {{ ref('workforce_measures') }}

),

units as (

    select * from {{ ref('units') }}

),

period_types as (

    select * from {{ ref('period_types') }}

),

latest as (

    -- the latest version of each figure: the latest pack that printed it, then the
    -- latest load, then the file whose name sorts last
    select *
    from (
        select
            *,
            row_number() over (
                partition by organisation_code, measure_code, period_type, period_month
                order by reported_in desc, loaded_at desc, source_file desc, source_row_number desc
            ) as newest_first
        from workforce
    ) as versions
    where newest_first = 1

),

with_measure as (

    select
        latest.organisation_code,
        latest.measure_code,
        latest.period_month,
        latest.period_type,
        period_types.sort_order as period_type_sort_order,
        latest.period_label,
        latest.value,
        latest.value_status,
        latest.value_text,
        latest.reported_in,
        measures.measure_name,
        measures.unit,
        units.label as unit_label,
        measures.polarity,
        measures.sort_order

    from latest
    left join measures
        on
            latest.organisation_code = measures.organisation_code
            and latest.measure_code = measures.measure_code
    left join units
        on measures.unit = units.unit
    left join period_types
        on latest.period_type = period_types.period_type

),

previous_months as (

    -- the previous period of the same type with a figure: a quarter looks back to the
    -- previous quarter, never to a month; gaps are skipped
    select
        *,
        max(case when value is not null then period_month end) over (
            partition by organisation_code, measure_code, period_type
            order by period_month
            rows between unbounded preceding and 1 preceding
        ) as previous_period_month

    from with_measure

),

with_previous as (

    select
        previous_months.*,
        previous_figure.value as previous_value

    from previous_months
    left join with_measure as previous_figure
        on
            previous_months.organisation_code = previous_figure.organisation_code
            and previous_months.measure_code = previous_figure.measure_code
            and previous_months.period_type = previous_figure.period_type
            and previous_months.previous_period_month = previous_figure.period_month

),

final as (

    select
        organisation_code,
        measure_code,
        period_month,
        period_type,
        period_type_sort_order,
        period_label,
        {{ financial_year_label('period_month') }} as financial_year,
        measure_name,
        unit,
        unit_label,
        polarity,
        sort_order,
        value,
        value_status,
        value_text,
        case when value is not null then previous_period_month end as previous_period_month,
        cast(case when value is not null then previous_value end as decimal(18, 4)) as previous_value,
        cast(value - previous_value as decimal(18, 4)) as movement,
        {{ direction_of_travel('value', 'previous_value') }} as direction,
        {{ performance_against_polarity(direction_of_travel('value', 'previous_value'), 'polarity') }}
            as performance,
        reported_in

    from with_previous

)

select * from final
