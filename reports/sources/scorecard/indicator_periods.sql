-- Every figure by council, indicator and month, with target, RAG and direction (fct_indicator_period).
select * from marts.fct_indicator_period
