-- Demo calibration (dashboard/demo/calibration.py): persons with an active episode of one
-- service on a day (started on or before it, not ended before it), and how many of them were
-- aged $older_age or more that year or have a disability. Compared with a programme's
-- published recipients.
-- Grain: one row.
-- Parameters:
--   $service    varchar  a service code, e.g. 'COVID_CASH'
--   $day        date     the day
--   $older_age  integer  the age from which a person counts as older (in the year of $on)
with
active as (
    select distinct u.person_key
    from uptake as u
    where
        u.ended_batch_id is null
        and u.service_code = $service
        and u.started_on <= $day::date
        and (u.ended_on is null or u.ended_on >= $day::date)
)

select
    count(*) as persons,
    count(*) filter (
        where year($day::date) - p.birth_year >= $older_age
    ) as older_persons,
    count(*) filter (where p.disability) as disabled_persons
from active as a
left join persons as p on a.person_key = p.person_key;
