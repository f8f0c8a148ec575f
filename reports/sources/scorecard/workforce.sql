-- Workforce by council and month (fct_workforce_month).
select * from marts.fct_workforce_month
