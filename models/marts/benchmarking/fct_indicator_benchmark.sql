-- How each council compares: one row per council x indicator (its own code)
-- that maps to a national definition x national period, from
-- fct_authority_benchmark for the council's GSS code, with the figure the
-- council's pack printed for the same month and the benchmark figures the
-- pack printed beside it (kept as printed, never replaced).

with

organisations as (

    select * from {{ ref('organisations') }}
    where gss_code is not null

),

indicators as (

    select * from {{ ref('indicators') }}
    where national_code is not null

),

benchmark as (

    select * from {{ ref('fct_authority_benchmark') }}

),

pack_figures as (

    select * from {{ ref('fct_indicator_period') }}

),

final as (

    select
        indicators.organisation_code,
        indicators.indicator_code,
        indicators.indicator_title,
        benchmark.national_code,
        benchmark.national_title,
        benchmark.gss_code,
        benchmark.region,
        benchmark.unit,
        benchmark.polarity,
        benchmark.period_month,
        benchmark.time_period,
        benchmark.value_status,
        benchmark.value,
        benchmark.numerator,
        benchmark.denominator,
        benchmark.interval_method,
        benchmark.interval_lower,
        benchmark.interval_upper,
        benchmark.england_value,
        benchmark.region_value,
        benchmark.neighbour_mean,
        benchmark.neighbours_with_figure,
        benchmark.neighbours_listed,
        benchmark.neighbour_model_year,
        benchmark.authorities_ranked,
        benchmark.rank_position,
        benchmark.rank_order,
        benchmark.quartile_band,
        benchmark.percentile,
        benchmark.compared_with_england,
        benchmark.gap_to_england,
        benchmark.previous_period_month,
        benchmark.previous_rank,
        benchmark.rank_change,
        benchmark.gap_to_england_change,
        pack_figures.value as pack_value,
        pack_figures.value_status as pack_value_status,
        pack_figures.national_figure_as_printed,
        pack_figures.neighbour_figure_as_printed,
        cast(pack_figures.value - benchmark.value as decimal(18, 4)) as pack_value_difference,
        case
            when pack_figures.national_quartile_as_printed between 1 and 4
                then substr('ABCD', pack_figures.national_quartile_as_printed, 1)
        end as printed_quartile_band

    from indicators
    inner join organisations
        on indicators.organisation_code = organisations.organisation_code
    inner join benchmark
        on
            organisations.gss_code = benchmark.gss_code
            and indicators.national_code = benchmark.national_code
    left join pack_figures
        on
            indicators.organisation_code = pack_figures.organisation_code
            and indicators.indicator_code = pack_figures.indicator_code
            and benchmark.period_month = pack_figures.period_month

)

select * from final
