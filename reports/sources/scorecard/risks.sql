-- The risk register as reported (fct_risk).
select * from marts.fct_risk
