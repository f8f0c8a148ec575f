-- Every service paired with itself and each of its ancestors in the service
-- hierarchy (line -> subtotal -> directorate): one row per organisation x
-- service x ancestor. Budget roll-ups join lines to this to sum at every level.

with recursive

hierarchy as (

    select * from {{ ref('service_hierarchy') }}

),

service_ancestors as (

    select
        organisation_code,
        service_code,
        service_code as ancestor_code,
        0 as levels_up

    from hierarchy

    union all

    select
        service_ancestors.organisation_code,
        service_ancestors.service_code,
        hierarchy.parent_service_code as ancestor_code,
        service_ancestors.levels_up + 1 as levels_up

    from service_ancestors
    inner join hierarchy
        on
            service_ancestors.organisation_code = hierarchy.organisation_code
            and service_ancestors.ancestor_code = hierarchy.service_code
    where
        hierarchy.parent_service_code is not null
        -- a cycle in the seed stops here instead of recursing for ever
        and service_ancestors.levels_up < 10

),

final as (

    select * from service_ancestors

)

select * from final
