-- How each council the warehouse serves compares, by its own indicator codes (fct_indicator_benchmark).
select * from marts.fct_indicator_benchmark
