-- A threshold rule must point the same way as its indicator's polarity: for
-- bigger-is-better the Green boundary is at or above the Amber one, for
-- smaller-is-better at or below. Returns the rules that do not.
with

targets as (

    select * from {{ ref('indicator_targets') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

final as (

    select
        targets.organisation_code,
        targets.indicator_code,
        targets.effective_from,
        indicators.polarity,
        targets.green_boundary,
        targets.amber_boundary

    from targets
    inner join indicators
        on
            targets.organisation_code = indicators.organisation_code
            and targets.indicator_code = indicators.indicator_code
    where
        targets.green_boundary is not null
        and (
            indicators.polarity is null
            or (indicators.polarity = 'BIB' and targets.green_boundary < targets.amber_boundary)
            or (indicators.polarity = 'SIB' and targets.green_boundary > targets.amber_boundary)
        )

)

select * from final
