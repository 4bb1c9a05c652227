-- Demo calibration (dashboard/demo/calibration.py): persons with a current registration in one
-- registry, registered within a date range; optionally only records of an informal occupation,
-- or of given occupations. Compared with a registry's published membership.
-- Grain: one row.
-- Parameters:
--   $source       varchar    a source registry, e.g. 'NSSF'
--   $first_day    date       first registration date counted (null: from the start)
--   $last_day     date       last registration date counted
--   $informal     boolean    only records whose occupation is an informal one
--   $occupations  varchar[]  only records of these occupations (empty: any)
with
source as (
    select
        r.person_key,
        r.occupation,
        r.registered_on
    from registrations as r
    where
        r.ended_batch_id is null
        and r.source = $source
),

informal as (
    select o.occupation
    from occupations as o
    where o.is_informal
)

select count(distinct s.person_key) as persons
from source as s
where
    ($first_day::date is null or s.registered_on >= $first_day::date)
    and s.registered_on <= $last_day::date
    and (not $informal or s.occupation in (select i.occupation from informal as i))
    and (
        len($occupations::varchar[]) = 0
        or list_contains($occupations::varchar[], s.occupation)
    );
