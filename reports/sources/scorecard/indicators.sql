-- The indicator catalogue (dim_indicator), with its row order: the order of the packs'
-- reference data (seeds/reference/indicators.csv), until the mart carries a sort order.
select *, row_number() over () as catalogue_order from marts.dim_indicator
