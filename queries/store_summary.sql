-- What the store holds: demo flag, data date, build time, row counts (current rows: not
-- the history that later full extracts superseded).
-- Grain: one row.
select
    coalesce(max(value) filter (where key = 'is_demo'), 'false') = 'true' as is_demo,
    max(value) filter (where key = 'data_as_of') as data_as_of,
    max(value) filter (where key = 'built_at') as built_at,
    max(value) filter (where key = 'demo_scale') as demo_scale,
    (select count(*) from persons) as person_count,
    (
        select count(*) from registrations as r
        where r.ended_batch_id is null
    ) as registration_count,
    (
        select count(*) from uptake as u
        where u.ended_batch_id is null
    ) as uptake_count
from store_meta;
