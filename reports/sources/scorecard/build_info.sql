-- Which build of the warehouse the site was made from (written by scorecard publish).
select build_id, published_at from marts.build_info
