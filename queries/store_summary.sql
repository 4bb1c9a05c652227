-- What the store holds: demo flag, data date, build time, row counts.
-- Grain: one row.
select
    coalesce(max(value) filter (where key = 'is_demo'), 'false') = 'true' as is_demo,
    max(value) filter (where key = 'data_as_of') as data_as_of,
    max(value) filter (where key = 'built_at') as built_at,
    max(value) filter (where key = 'demo_scale') as demo_scale,
    (select count(*) from persons) as person_count,
    (select count(*) from registrations) as registration_count,
    (select count(*) from uptake) as uptake_count
from store_meta;
