-- What the store holds: demo flag, data date, build time, the persons registered by the
-- last complete month (from coverage_cube, with their record keys' sum for the cell-key
-- method: the caller perturbs the count), and row counts (current rows: not the history
-- that later full extracts superseded).
-- Grain: one row.
select
    coalesce(max(value) filter (where key = 'is_demo'), 'false') = 'true' as is_demo,
    max(value) filter (where key = 'data_as_of') as data_as_of,
    max(value) filter (where key = 'built_at') as built_at,
    max(value) filter (where key = 'demo_scale') as demo_scale,
    (
        select sum(c.persons) from coverage_cube as c
        where c.month_end = (select max(m.month_end) from coverage_months as m)
    ) as person_count,
    (
        select sum(c.key_sum) from coverage_cube as c
        where c.month_end = (select max(m.month_end) from coverage_months as m)
    ) as person_ksum,
    (
        select count(*) from registrations as r
        where r.ended_batch_id is null
    ) as registration_count,
    (
        select count(*) from uptake as u
        where u.ended_batch_id is null
    ) as uptake_count
from store_meta;
