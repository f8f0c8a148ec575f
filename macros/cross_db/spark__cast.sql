{#- dbt's dispatched cast on Spark (this project comes first in the dbt namespace's search order):
    the type through spark_type. dbt's contract check writes its empty query with this cast. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ council_scorecard.spark_type(type) }})
{%- endmacro %}
