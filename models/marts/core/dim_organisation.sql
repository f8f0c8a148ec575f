with

organisations as (

    select * from {{ ref('organisations') }}

),

final as (

    select
        organisation_code,
        organisation_name,
        organisation_type,
        gss_code,
        dfe_la_code,
        notes

    from organisations

)

select * from final
