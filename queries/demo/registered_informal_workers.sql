-- Demo calibration (dashboard/demo/calibration.py): persons in at least one registry whose
-- occupation (from their latest registration) is an informal one: the numerator of the
-- registration rate of informal workers.
-- Grain: one row.
select count(*) as persons
from persons as p
where p.occupation in (
    select o.occupation
    from occupations as o
    where o.is_informal
);
