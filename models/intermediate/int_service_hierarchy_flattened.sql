-- Every service paired with itself and each of its ancestors in the service
-- hierarchy (line -> subtotal -> directorate): one row per organisation x
-- service x ancestor. Budget roll-ups join lines to this to sum at every level.
--
-- One join per level up, written out to max_levels_up levels rather than a
-- recursive CTE, which Spark does not have: the hierarchy is a few levels deep,
-- and a cycle in the seed stops at the last level instead of repeating for ever
-- (the rows are the same as a recursion stopped at that depth).

{% set max_levels_up = 10 %}

with

hierarchy as (

    select * from {{ ref('service_hierarchy') }}

),

levels_up_0 as (

    select
        organisation_code,
        service_code,
        service_code as ancestor_code,
        0 as levels_up

    from hierarchy

),

{% for level in range(1, max_levels_up + 1) %}

levels_up_{{ level }} as (

    select
        below.organisation_code,
        below.service_code,
        hierarchy.parent_service_code as ancestor_code,
        {{ level }} as levels_up

    from levels_up_{{ level - 1 }} as below
    inner join hierarchy
        on
            below.organisation_code = hierarchy.organisation_code
            and below.ancestor_code = hierarchy.service_code
    where hierarchy.parent_service_code is not null

),

{% endfor %}

service_ancestors as (

    {% for level in range(0, max_levels_up + 1) %}
    select * from levels_up_{{ level }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select * from service_ancestors

)

select * from final
