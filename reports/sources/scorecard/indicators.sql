-- The indicator catalogue (dim_indicator).
select * from marts.dim_indicator
