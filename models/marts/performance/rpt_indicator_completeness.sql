-- Whether every indicator due in each organisation's latest month has a figure:
-- one row per organisation x catalogue indicator (dim_indicator) due in the
-- latest month the organisation has any indicator row for. A month is due for
-- a frequency (the frequencies seed) when the months from period_ends_in_month
-- are a whole number of periods: every month for monthly figures, a financial
-- quarter's end for quarterly ones, March for annual ones. Dagster's
-- indicators_due_have_values check lists the rows without a figure.

with

indicator_periods as (

    select * from {{ ref('fct_indicator_period') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

frequencies as (

    select * from {{ ref('frequencies') }}

),

latest_months as (

    select
        organisation_code,
        max(period_month) as period_month

    from indicator_periods
    group by organisation_code

),

due as (

    select
        latest_months.organisation_code,
        latest_months.period_month,
        indicators.indicator_code,
        indicators.frequency

    from latest_months
    inner join indicators
        on latest_months.organisation_code = indicators.organisation_code
    inner join frequencies
        on indicators.frequency = frequencies.frequency
    -- + 12 keeps the remainder positive; every period length divides 12
    where (
        cast(extract(month from latest_months.period_month) as integer)
        - frequencies.period_ends_in_month + 12
    ) % frequencies.period_months = 0

),

final as (

    select
        due.organisation_code,
        due.period_month,
        due.indicator_code,
        due.frequency,
        coalesce(figures.value is not null, false) as has_figure

    from due
    left join indicator_periods as figures
        on
            due.organisation_code = figures.organisation_code
            and due.indicator_code = figures.indicator_code
            and due.period_month = figures.period_month

)

select * from final
