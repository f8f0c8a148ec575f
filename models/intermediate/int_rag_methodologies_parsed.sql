-- The RAG methodology each pack printed for an indicator, parsed into the
-- written Green / Amber / Red bands, with the direction the bands imply and
-- any gap or overlap between neighbouring bands. One row per organisation x
-- indicator x pack (reported_in).
--
-- Bands are read from phrases such as "24% or below Green", "25%-34% Amber",
-- "559 to 608 Amber", "35% and above Red", "10% of cohort or below Green".
-- Two written limits are contiguous when they differ by no more than one unit
-- of the precision they are printed to (89 and 90; 20 and 20.1).

with

indicator_values as (

    select * from {{ ref('stg_extracts__indicator_values') }}

),

printed as (

    select
        organisation_code,
        indicator_code,
        reported_in,
        max(rag_methodology_as_printed) as rag_methodology,
        max(polarity_as_printed) as polarity_as_printed,
        max(polarity_as_printed_text) as polarity_as_printed_text,
        max(target_as_printed) as target_as_printed,
        max(target_as_printed_value) as target_as_printed_value

    from indicator_values
    group by organisation_code, indicator_code, reported_in

),

{% set number = "([0-9]+(?:\\.[0-9]+)?)\\s*%?\\s*(?:of cohort\\s*)?" %}
{% set open_band = number ~ "(?:or|and)\\s+(above|below)\\s+" %}
{% set range_band = number ~ "(?:-|to)\\s*" ~ number %}

bands as (

    select
        *,
        {{ regex_extract('rag_methodology', string_literal('(?i)' ~ open_band ~ 'green'), 1) }} as green_open_limit,
        lower({{ regex_extract('rag_methodology', string_literal('(?i)' ~ open_band ~ 'green'), 2) }}) as green_open_side,
        {{ regex_extract('rag_methodology', string_literal('(?i)' ~ range_band ~ 'green'), 1) }} as green_range_low,
        {{ regex_extract('rag_methodology', string_literal('(?i)' ~ range_band ~ 'green'), 2) }} as green_range_high,
        {{ regex_extract('rag_methodology', string_literal('(?i)' ~ open_band ~ 'amber'), 1) }} as amber_open_limit,
        lower({{ regex_extract('rag_methodology', string_literal('(?i)' ~ open_band ~ 'amber'), 2) }}) as amber_open_side,
        {{ regex_extract('rag_methodology', string_literal('(?i)' ~ range_band ~ 'amber'), 1) }} as amber_range_low,
        {{ regex_extract('rag_methodology', string_literal('(?i)' ~ range_band ~ 'amber'), 2) }} as amber_range_high,
        {{ regex_extract('rag_methodology', string_literal('(?i)' ~ open_band ~ 'red'), 1) }} as red_open_limit,
        lower({{ regex_extract('rag_methodology', string_literal('(?i)' ~ open_band ~ 'red'), 2) }}) as red_open_side,
        {{ regex_extract('rag_methodology', string_literal('(?i)' ~ range_band ~ 'red'), 1) }} as red_range_low,
        {{ regex_extract('rag_methodology', string_literal('(?i)' ~ range_band ~ 'red'), 2) }} as red_range_high

    from printed

),

limits as (

    select
        organisation_code,
        indicator_code,
        reported_in,
        rag_methodology,
        polarity_as_printed,
        polarity_as_printed_text,
        target_as_printed,
        target_as_printed_value,
        nullif(
            case when green_open_side = 'above' then green_open_limit else green_range_low end, ''
        ) as green_low_text,
        nullif(
            case when green_open_side = 'below' then green_open_limit else green_range_high end, ''
        ) as green_high_text,
        nullif(
            case when amber_open_side = 'above' then amber_open_limit else amber_range_low end, ''
        ) as amber_low_text,
        nullif(
            case when amber_open_side = 'below' then amber_open_limit else amber_range_high end, ''
        ) as amber_high_text,
        nullif(
            case when red_open_side = 'above' then red_open_limit else red_range_low end, ''
        ) as red_low_text,
        nullif(
            case when red_open_side = 'below' then red_open_limit else red_range_high end, ''
        ) as red_high_text

    from bands

),

typed as (

    select
        *,
        cast(green_low_text as decimal(18, 4)) as green_low,
        cast(green_high_text as decimal(18, 4)) as green_high,
        cast(amber_low_text as decimal(18, 4)) as amber_low,
        cast(amber_high_text as decimal(18, 4)) as amber_high,
        cast(red_low_text as decimal(18, 4)) as red_low,
        cast(red_high_text as decimal(18, 4)) as red_high,
        case
            when green_low_text is not null and green_high_text is null then 'BIB'
            when green_high_text is not null and green_low_text is null then 'SIB'
        end as methodology_polarity

    from limits

),

{% set step = "power(10.0, -greatest(coalesce(length(split_part(%s, '.', 2)), 0), coalesce(length(split_part(%s, '.', 2)), 0)))" %}

final as (

    select
        organisation_code,
        indicator_code,
        reported_in,
        rag_methodology,
        polarity_as_printed,
        polarity_as_printed_text,
        target_as_printed,
        target_as_printed_value,
        methodology_polarity,
        green_low,
        green_high,
        amber_low,
        amber_high,
        red_low,
        red_high,
        -- Limit of the Green band on the side of Amber, and of Red on the side of Amber.
        cast(case methodology_polarity when 'BIB' then green_low when 'SIB' then green_high end as decimal(18, 4))
            as written_green_limit,
        cast(case methodology_polarity when 'BIB' then red_high when 'SIB' then red_low end as decimal(18, 4))
            as written_red_limit,
        case
            when methodology_polarity = 'BIB' and green_low - amber_high > {{ step | format('green_low_text', 'amber_high_text') }}
                then 'gap between Amber (up to ' || amber_high_text || ') and Green (from ' || green_low_text || ')'
            when methodology_polarity = 'BIB' and amber_low - red_high > {{ step | format('amber_low_text', 'red_high_text') }}
                then 'gap between Red (up to ' || red_high_text || ') and Amber (from ' || amber_low_text || ')'
            when methodology_polarity = 'SIB' and amber_low - green_high > {{ step | format('amber_low_text', 'green_high_text') }}
                then 'gap between Green (up to ' || green_high_text || ') and Amber (from ' || amber_low_text || ')'
            when methodology_polarity = 'SIB' and red_low - amber_high > {{ step | format('red_low_text', 'amber_high_text') }}
                then 'gap between Amber (up to ' || amber_high_text || ') and Red (from ' || red_low_text || ')'
        end as written_gap,
        case
            when methodology_polarity = 'BIB' and green_low <= amber_high
                then 'Green (from ' || green_low_text || ') overlaps Amber (up to ' || amber_high_text || ')'
            when methodology_polarity = 'BIB' and amber_low <= red_high
                then 'Amber (from ' || amber_low_text || ') overlaps Red (up to ' || red_high_text || ')'
            when methodology_polarity = 'SIB' and amber_low <= green_high
                then 'Amber (from ' || amber_low_text || ') overlaps Green (up to ' || green_high_text || ')'
            when methodology_polarity = 'SIB' and red_low <= amber_high
                then 'Red (from ' || red_low_text || ') overlaps Amber (up to ' || amber_high_text || ')'
        end as written_overlap

    from typed

)

select * from final
