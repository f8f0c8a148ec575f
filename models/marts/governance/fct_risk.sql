-- Risk register: one row per organisation x report x risk, with the score
-- bands before and after controls and the reduction the controls achieve.

with

risks_loaded as (

    select * from {{ ref('stg_extracts__risks') }}

),

-- A report sent again replaces the earlier file entirely.
risks as (

    select *
    from (
        select
            *,
            {{ is_latest_file(['organisation_code', 'reported_in']) }} as is_from_latest_file
        from risks_loaded
    ) as ranked
    where is_from_latest_file

),

bands as (

    select * from {{ ref('risk_score_bands') }}

),

final as (

    select
        risks.organisation_code,
        risks.reported_in,
        risks.risk_reference,
        risks.risk_title,
        risks.risk_description,
        risks.score_before_controls,
        band_before.band_name as band_before_controls,
        risks.score_after_controls,
        band_after.band_name as band_after_controls,
        risks.controls,
        risks.owner_role,
        risks.date_opened,
        risks.notes,
        risks.score_before_controls - risks.score_after_controls as score_reduction,
        case
            when risks.score_before_controls > 0
                then cast(round(
                    100.0 * (risks.score_before_controls - risks.score_after_controls)
                    / risks.score_before_controls,
                    1
                ) as decimal(7, 1))
        end as score_reduction_pct

    from risks
    left join bands as band_before
        on risks.score_before_controls between band_before.min_score and band_before.max_score
    left join bands as band_after
        on risks.score_after_controls between band_after.min_score and band_after.max_score

)

select * from final
