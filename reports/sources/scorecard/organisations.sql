-- Councils (dim_organisation).
select * from marts.dim_organisation
