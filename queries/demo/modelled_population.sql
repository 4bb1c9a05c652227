-- Demo calibration (dashboard/demo/calibration.py): the modelled population and informal
-- workers of one year, nationally, as the store holds them (scaled to the demo's size).
-- Grain: one row.
-- Parameters:
--   $year  integer  the estimates' year
select
    coalesce(sum(e.population), 0) as population,
    coalesce(sum(e.informal_workers), 0) as informal_workers
from population_estimates as e
where e.year = $year;
