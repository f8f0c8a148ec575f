-- Staffing by council, measure and period (fct_workforce_measure_period): one row per figure.
select * from marts.fct_workforce_measure_period
