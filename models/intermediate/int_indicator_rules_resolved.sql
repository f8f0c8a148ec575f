-- The rules that apply to each council's indicator in each financial year:
-- the RAG rule and the direction-of-travel basis and level band, from the
-- indicator_rules seed. A seed row may name one indicator, one financial year,
-- both or neither (the council's default); the most specific row applies.
-- Without any row: the bands of indicator_targets, the previous period with a
-- figure, and no level band. One row per organisation x indicator x financial
-- year of the calendar.

{{ config(materialized='table') }}

with

indicators as (

    select * from {{ ref('indicators') }}

),

rules as (

    select * from {{ ref('indicator_rules') }}

),

financial_years as (

    select distinct {{ financial_year_label('cast(calendar_months.month_start as date)') }} as financial_year
    from {{ calendar_months() }}

),

indicator_years as (

    select
        indicators.organisation_code,
        indicators.indicator_code,
        financial_years.financial_year

    from indicators
    cross join financial_years

),

matched as (

    select
        indicator_years.organisation_code,
        indicator_years.indicator_code,
        indicator_years.financial_year,
        rules.rag_rule,
        rules.amber_tolerance,
        rules.direction_basis,
        rules.direction_months,
        rules.level_band,
        rules.level_band_kind,
        row_number() over (
            partition by indicator_years.organisation_code, indicator_years.indicator_code, indicator_years.financial_year
            order by
                (rules.indicator_code is not null) desc,
                (rules.financial_year is not null) desc
        ) as specificity_rank

    from indicator_years
    inner join rules
        on
            indicator_years.organisation_code = rules.organisation_code
            and (rules.indicator_code is null or indicator_years.indicator_code = rules.indicator_code)
            and (rules.financial_year is null or indicator_years.financial_year = rules.financial_year)

),

final as (

    select
        indicator_years.organisation_code,
        indicator_years.indicator_code,
        indicator_years.financial_year,
        cast(matched.amber_tolerance as decimal(18, 4)) as amber_tolerance,
        matched.direction_months,
        cast(coalesce(matched.level_band, 0) as decimal(18, 4)) as level_band,
        coalesce(matched.rag_rule, 'bands') as rag_rule,
        coalesce(matched.direction_basis, 'previous_period') as direction_basis,
        coalesce(matched.level_band_kind, 'absolute') as level_band_kind

    from indicator_years
    left join matched
        on
            indicator_years.organisation_code = matched.organisation_code
            and indicator_years.indicator_code = matched.indicator_code
            and indicator_years.financial_year = matched.financial_year
            and matched.specificity_rank = 1

)

select * from final
