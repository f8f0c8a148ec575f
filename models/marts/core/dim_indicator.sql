with

indicators as (

    select * from {{ ref('indicators') }}

),

units as (

    select * from {{ ref('units') }}

),

keyed as (

    select
        *,
        {{ natural_sort_key('indicator_code') }} as code_sort_key

    from indicators

),

ordered as (

    -- The pack's order (indicators.sort_order); an indicator without one comes after all
    -- the council's ordered ones, in natural code order, ten apart.
    select
        *,
        coalesce(
            sort_order,
            coalesce(max(sort_order) over (partition by organisation_code), 0)
            + 10 * row_number() over (
                partition by organisation_code, sort_order is null
                order by code_sort_key, indicator_code
            )
        ) as resolved_sort_order

    from keyed

),

final as (

    select
        ordered.indicator_code,
        ordered.organisation_code,
        ordered.indicator_title,
        ordered.service_area,
        ordered.unit,
        units.label as unit_label,
        units.figure_template,
        ordered.frequency,
        ordered.polarity,
        ordered.is_data_only,
        ordered.owner,
        ordered.notes,
        ordered.national_code,
        cast(ordered.resolved_sort_order as integer) as sort_order,
        cast(min(ordered.resolved_sort_order) over (partition by ordered.organisation_code, ordered.service_area) as integer)
            as service_area_sort_order,
        ordered.code_sort_key,
        coalesce(units.difference_template, units.figure_template) as difference_template,
        case ordered.polarity
            when 'BIB' then 'Bigger is better'
            when 'SIB' then 'Smaller is better'
            else 'Data only'
        end as polarity_description,
        -- codes belong to a council, so the page name carries the council's code too
        trim(both '-' from {{ regex_replace_all("lower(ordered.organisation_code || ' ' || ordered.indicator_code)", "'[^a-z0-9]+'", "'-'") }})
            as indicator_slug

    from ordered
    left join units
        on ordered.unit = units.unit

)

select * from final
