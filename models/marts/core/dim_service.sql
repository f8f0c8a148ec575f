with

hierarchy as (

    select * from {{ ref('service_hierarchy') }}

),

final as (

    select
        organisation_code,
        service_code,
        service_name,
        parent_service_code,
        service_level,
        sort_order

    from hierarchy

)

select * from final
