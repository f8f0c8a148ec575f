{#
    not_retracted(column='_file_sha256'): a where-clause condition, true for raw
    rows whose file has not been retracted with `scorecard retract`. Every
    staging model over an extract source applies it, so a retracted load's rows
    stay in raw (history is never deleted) and no model reads them.
#}
{% macro not_retracted(column='_file_sha256') -%}
    {{ column }} not in (select retractions.file_sha256 from {{ source('extracts', 'retractions') }} as retractions)
{%- endmacro %}
