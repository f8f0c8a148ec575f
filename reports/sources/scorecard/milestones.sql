-- Programme milestones by project and month (fct_programme_milestone).
select * from marts.fct_programme_milestone
