-- Narrative commentary a named role wrote for an indicator or a section of the pack, by month (fct_commentary).
select * from marts.fct_commentary
