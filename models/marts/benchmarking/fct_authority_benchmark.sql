-- Every English authority's figure for every national indicator and period,
-- placed against England, its region and its statistical neighbours: rank
-- among the authorities with a figure (1 = best following polarity; lowest
-- first for a context measure; ties share a rank), quartile band A-D (A the
-- best quarter), percentile, a 95% confidence interval where the numerator and
-- denominator are published and the comparison with England it supports, and
-- the change since the authority's previous period. Only authorities that
-- existed in the period (the authorities seed) are ranked; a predecessor's
-- figures are never its successor's.

with

-- read three times, each for one geographic level: planned on the table's own statistics
figures as {{ materialized_cte(false) }} (

    select * from {{ ref('int_national_statistics_mapped') }}

),

national_indicators as (

    select * from {{ ref('national_indicators') }}

),

authorities as (

    select * from {{ ref('authorities') }}

),

neighbours as (

    select * from {{ ref('statistical_neighbours') }}

),

england as (

    select
        national_code,
        period_month,
        value as england_value,
        value_status as england_value_status
    from figures
    where geographic_level = 'National'

),

regions as (

    select
        national_code,
        period_month,
        region_name,
        value as region_value
    from figures
    where geographic_level = 'Regional'

),

authority_figures as (

    select
        figures.*,
        figures.geography_code as gss_code,
        authorities.name as authority_name,
        authorities.region,
        authorities.start_date,
        authorities.end_date,
        cast(figures.period_month + interval '1 month' - interval '1 day' as date) as period_end_date,
        national_indicators.national_title,
        national_indicators.unit,
        national_indicators.polarity,
        national_indicators.interval_method,
        national_indicators.interval_per

    from figures
    inner join authorities
        on figures.geography_code = authorities.gss_code
    inner join national_indicators
        on figures.national_code = national_indicators.national_code
    where figures.geographic_level = 'Local authority'

),

existing as (

    select * from authority_figures
    where {{ authority_existed('start_date', 'end_date', 'period_month') }}

),

ranked as (

    select
        *,
        count(value) over (partition by national_code, period_month) as authorities_ranked,
        case
            when value is not null
                then rank() over (
                    partition by national_code, period_month, value is null
                    order by case when polarity = 'BIB' then -value else value end
                )
        end as rank_position

    from existing

),

intervals as (

    select
        *,
        case
            when interval_method = 'wilson'
                then {{ wilson_bound('numerator', 'denominator', 'interval_per', 'lower') }}
            when interval_method = 'byar'
                then {{ byar_bound('numerator', 'denominator', 'interval_per', 'lower') }}
        end as interval_lower,
        case
            when interval_method = 'wilson'
                then {{ wilson_bound('numerator', 'denominator', 'interval_per', 'upper') }}
            when interval_method = 'byar'
                then {{ byar_bound('numerator', 'denominator', 'interval_per', 'upper') }}
        end as interval_upper

    from ranked

),

neighbour_models as (

    select distinct
        gss_code,
        model_year
    from neighbours

),

chosen_models as (

    -- the latest model not after the year the period ends in, else the earliest
    select
        ranked.gss_code,
        ranked.national_code,
        ranked.period_month,
        coalesce(
            max(case when neighbour_models.model_year <= ranked.period_end_year then neighbour_models.model_year end),
            min(neighbour_models.model_year)
        ) as neighbour_model_year
    from ranked
    inner join neighbour_models
        on ranked.gss_code = neighbour_models.gss_code
    group by ranked.gss_code, ranked.national_code, ranked.period_month

),

neighbour_figures as (

    select
        chosen_models.gss_code,
        chosen_models.national_code,
        chosen_models.period_month,
        chosen_models.neighbour_model_year,
        count(*) as neighbours_listed,
        count(neighbour.value) as neighbours_with_figure,
        avg(neighbour.value) as neighbour_mean

    from chosen_models
    inner join neighbours
        on
            chosen_models.gss_code = neighbours.gss_code
            and chosen_models.neighbour_model_year = neighbours.model_year
    left join ranked as neighbour
        on
            neighbours.neighbour_gss_code = neighbour.gss_code
            and chosen_models.national_code = neighbour.national_code
            and chosen_models.period_month = neighbour.period_month
    group by
        chosen_models.gss_code,
        chosen_models.national_code,
        chosen_models.period_month,
        chosen_models.neighbour_model_year

),

compared as (

    select
        intervals.*,
        england.england_value,
        england.england_value_status,
        regions.region_value,
        intervals.value - england.england_value as gap_to_england,
        {{ compared_with('intervals.interval_lower', 'intervals.interval_upper', 'england.england_value', 'intervals.polarity') }}
            as compared_with_england,
        neighbour_figures.neighbour_model_year,
        coalesce(neighbour_figures.neighbours_listed, 0) as neighbours_listed,
        coalesce(neighbour_figures.neighbours_with_figure, 0) as neighbours_with_figure,
        neighbour_figures.neighbour_mean

    from intervals
    left join england
        on
            intervals.national_code = england.national_code
            and intervals.period_month = england.period_month
    left join regions
        on
            intervals.national_code = regions.national_code
            and intervals.period_month = regions.period_month
            and intervals.region = regions.region_name
    left join neighbour_figures
        on
            intervals.gss_code = neighbour_figures.gss_code
            and intervals.national_code = neighbour_figures.national_code
            and intervals.period_month = neighbour_figures.period_month

),

with_previous as (

    select
        *,
        lag(period_month) over authority_series as previous_period_month,
        lag(rank_position) over authority_series as previous_rank,
        lag(gap_to_england) over authority_series as previous_gap_to_england
    from compared
    window authority_series as (partition by gss_code, national_code order by period_month)

),

final as (

    select
        gss_code,
        authority_name,
        region,
        national_code,
        national_title,
        unit,
        polarity,
        period_month,
        period_end_date,
        time_period,
        time_identifier,
        value_text,
        value_status,
        cast(value as decimal(18, 4)) as value,
        value_decimals,
        cast(numerator as decimal(18, 4)) as numerator,
        cast(denominator as decimal(18, 4)) as denominator,
        cast(authorities_ranked as integer) as authorities_ranked,
        cast(rank_position as integer) as rank_position,
        case when polarity = 'BIB' then 'highest_first' else 'lowest_first' end as rank_order,
        {{ quartile_band('rank_position', 'authorities_ranked') }} as quartile_band,
        case
            when rank_position is null then null
            when authorities_ranked = 1 then cast(100 as decimal(5, 1))
            else cast(round(100.0 * (authorities_ranked - rank_position) / (authorities_ranked - 1), 1) as decimal(5, 1))
        end as percentile,
        case when interval_lower is not null then interval_method end as interval_method,
        cast(round(cast(interval_lower as decimal(38, 10)), 4) as decimal(18, 4)) as interval_lower,
        cast(round(cast(interval_upper as decimal(38, 10)), 4) as decimal(18, 4)) as interval_upper,
        cast(england_value as decimal(18, 4)) as england_value,
        england_value_status,
        cast(region_value as decimal(18, 4)) as region_value,
        cast(gap_to_england as decimal(18, 4)) as gap_to_england,
        compared_with_england,
        neighbour_model_year,
        cast(neighbours_listed as integer) as neighbours_listed,
        cast(neighbours_with_figure as integer) as neighbours_with_figure,
        cast(round(cast(neighbour_mean as decimal(38, 10)), 4) as decimal(18, 4)) as neighbour_mean,
        previous_period_month,
        cast(previous_rank as integer) as previous_rank,
        cast(previous_rank - rank_position as integer) as rank_change,
        cast(gap_to_england - previous_gap_to_england as decimal(18, 4)) as gap_to_england_change,
        source_file,
        loaded_at

    from with_previous

)

select * from final
