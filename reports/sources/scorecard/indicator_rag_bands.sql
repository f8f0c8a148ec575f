-- The Green, Amber and Red bands each indicator's chart shades, one row per run of months with the same
-- boundaries (rpt_indicator_rag_bands); an indicator without boundaries has none.
select * from marts.rpt_indicator_rag_bands
