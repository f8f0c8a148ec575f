-- Every whole score from 1 to 25 falls in exactly one risk band.
with

bands as (

    select * from {{ ref('risk_score_bands') }}

),

scores as (

    select cast(whole_scores.generated_number as integer) as score
    from ({{ dbt.generate_series(25) }}) as whole_scores

),

final as (

    select
        scores.score,
        count(bands.band_code) as bands_matched

    from scores
    left join bands
        on scores.score between bands.min_score and bands.max_score
    group by scores.score
    having count(bands.band_code) <> 1

)

select * from final
