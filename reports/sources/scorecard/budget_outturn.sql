-- Budget outturn by service line, subtotal and directorate (fct_budget_outturn).
select * from marts.fct_budget_outturn
