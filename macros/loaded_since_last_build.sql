{#
    loaded_since_last_build(column, stored_column='last_loaded_at'): a
    where-clause condition, true for rows loaded after the newest load time
    already stored in this incremental model ({{ this }}). Every incremental
    model picks its new or changed rows with it, so all of them agree on what
    "since the last build" means. On an empty table every row qualifies.
#}
{% macro loaded_since_last_build(column, stored_column='last_loaded_at') -%}
    {{ column }} > (select coalesce(max({{ stored_column }}), timestamp '1900-01-01') from {{ this }})
{%- endmacro %}
