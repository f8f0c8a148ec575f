-- The RAG bands the indicator chart shades: one row per council x indicator x run
-- of consecutive periods with the same RAG boundaries (fct_indicator_period's
-- green_boundary and amber_boundary, the ones the rule in force applied), with
-- the Green, Amber and Red low and high edges by polarity. The open edges (above
-- Green for bigger-is-better, below it for smaller-is-better, and Red's other
-- side) reach just past the indicator's own figures and boundaries: the lowest
-- and highest of them, padded by 5% of their size plus 1, as the chart has
-- always drawn them. Only thresholds on the figure itself are drawn
-- (threshold_basis value): a share of the cohort is not in the figure's scale.
-- An indicator without boundaries has no rows.

with

indicator_periods as (

    select * from {{ ref('fct_indicator_period') }}

),

edges as (

    -- the lowest and highest figure or boundary of each indicator, padded
    select
        organisation_code,
        indicator_code,
        min(least(coalesce(value, amber_boundary), amber_boundary, green_boundary)) as data_low,
        max(greatest(coalesce(value, green_boundary), amber_boundary, green_boundary)) as data_high

    from indicator_periods
    group by organisation_code, indicator_code

),

padded as (

    select
        organisation_code,
        indicator_code,
        data_low - abs(data_low) * 0.05 - 1 as padded_low,
        data_high + abs(data_high) * 0.05 + 1 as padded_high

    from edges

),

banded as (

    -- the periods with boundaries to draw; a run starts where the boundaries (or the
    -- polarity) differ from the previous period's, or the previous period had none
    select
        organisation_code,
        indicator_code,
        period_month,
        polarity,
        green_boundary,
        amber_boundary,
        coalesce(
            threshold_basis = 'value'
            and green_boundary is not null
            and polarity is not null,
            false
        ) as is_banded

    from indicator_periods

),

with_previous as (

    select
        *,
        lag(is_banded) over by_period as previous_is_banded,
        lag(green_boundary) over by_period as previous_green_boundary,
        lag(amber_boundary) over by_period as previous_amber_boundary,
        lag(polarity) over by_period as previous_polarity

    from banded
    window by_period as (partition by organisation_code, indicator_code order by period_month)

),

run_starts as (

    select
        *,
        case
            when not is_banded then 0
            when
                not coalesce(previous_is_banded, false)
                or (previous_green_boundary is distinct from green_boundary)
                or (previous_amber_boundary is distinct from amber_boundary)
                or (previous_polarity is distinct from polarity)
                then 1
            else 0
        end as is_run_start

    from with_previous

),

numbered as (

    select
        *,
        sum(is_run_start) over (
            partition by organisation_code, indicator_code
            order by period_month
            rows between unbounded preceding and current row
        ) as run_number

    from run_starts
    where is_banded

),

runs as (

    select
        organisation_code,
        indicator_code,
        run_number,
        polarity,
        green_boundary,
        amber_boundary,
        min(period_month) as start_month,
        max(period_month) as end_month

    from numbered
    group by organisation_code, indicator_code, run_number, polarity, green_boundary, amber_boundary

),

final as (

    select
        runs.organisation_code,
        runs.indicator_code,
        runs.start_month,
        runs.end_month,
        runs.polarity,
        runs.green_boundary,
        runs.amber_boundary,
        cast(
            case when runs.polarity = 'BIB' then runs.green_boundary else padded.padded_low end as decimal(18, 4)
        ) as green_low,
        cast(
            case when runs.polarity = 'BIB' then padded.padded_high else runs.green_boundary end as decimal(18, 4)
        ) as green_high,
        cast(least(runs.green_boundary, runs.amber_boundary) as decimal(18, 4)) as amber_low,
        cast(greatest(runs.green_boundary, runs.amber_boundary) as decimal(18, 4)) as amber_high,
        cast(
            case when runs.polarity = 'BIB' then padded.padded_low else runs.amber_boundary end as decimal(18, 4)
        ) as red_low,
        cast(
            case when runs.polarity = 'BIB' then runs.amber_boundary else padded.padded_high end as decimal(18, 4)
        ) as red_high

    from runs
    inner join padded
        on
            runs.organisation_code = padded.organisation_code
            and runs.indicator_code = padded.indicator_code

)

select * from final
