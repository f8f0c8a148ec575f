with

indicators as (

    select * from {{ ref('indicators') }}

),

final as (

    select
        indicator_code,
        organisation_code,
        indicator_title,
        service_area,
        unit,
        frequency,
        polarity,
        is_data_only,
        owner,
        notes,
        national_code,
        case polarity
            when 'BIB' then 'Bigger is better'
            when 'SIB' then 'Smaller is better'
            else 'Data only'
        end as polarity_description,
        -- codes belong to a council, so the page name carries the council's code too
        trim(regexp_replace(lower(organisation_code || ' ' || indicator_code), '[^a-z0-9]+', '-', 'g'), '-')
            as indicator_slug

    from indicators

)

select * from final
