{#
    is_latest_file(partition_by): a condition (true or false, e.g. a column filtered on in the next step) that marks only the
    rows of the most recently loaded file within each partition, e.g. each
    organisation's report month. A report sent again then replaces the earlier
    file entirely, lines it dropped included.
#}
{% macro is_latest_file(partition_by) -%}
    dense_rank() over (
        partition by {{ partition_by | join(', ') }}
        order by loaded_at desc, file_sha256 desc
    ) = 1
{%- endmacro %}
