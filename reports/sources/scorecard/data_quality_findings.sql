-- Contradictions and gaps found in the packs (rpt_data_quality_findings).
select * from marts.rpt_data_quality_findings
