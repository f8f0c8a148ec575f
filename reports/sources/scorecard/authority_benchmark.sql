-- Every English authority's figure for every national indicator and period, with rank,
-- quartile band, interval, England, region and neighbours (fct_authority_benchmark).
select * from marts.fct_authority_benchmark
