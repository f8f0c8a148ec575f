{#
    overwrites_partitions(): true when this incremental model replaces stored rows by
    partition (incremental_strategy insert_overwrite, as on Spark's plain Parquet tables)
    rather than by key (delete+insert). Such a run replaces every partition it writes
    whole, so the model must then recompute every row of each partition it touches, not
    only the changed keys; the models ask this to widen their changed scope.
#}
{% macro overwrites_partitions() -%}
    {{ return(config.get('incremental_strategy') == 'insert_overwrite') }}
{%- endmacro %}
