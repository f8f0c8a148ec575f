-- The indicator catalogue (dim_indicator), with each council's pack order (sort_order, from
-- seeds/reference/indicators.csv), its service areas' order and a natural sort key of codes.
select * from marts.dim_indicator
