-- A council's budget_unit (organisations.csv) must be a money unit of units.csv, one
-- with pounds_per_unit: the loader converts the council's budget amounts from it.
-- Fails with each council whose budget_unit is not.

select
    organisations.organisation_code,
    organisations.budget_unit

from {{ ref('organisations') }} as organisations
left join {{ ref('units') }} as units
    on organisations.budget_unit = units.unit
where
    organisations.budget_unit is not null
    and units.pounds_per_unit is null
