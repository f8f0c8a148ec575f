-- Each indicator's latest figure (fct_scorecard_latest).
select * from marts.fct_scorecard_latest
