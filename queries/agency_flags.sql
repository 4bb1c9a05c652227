-- "Back to the agencies": one agency's own current record_ids with flags, so it can
-- reach its registered-but-uncovered people. No other agency's identifiers: only the
-- names of the other registries a person was found in.
-- Grain: one row per current record of the source.
-- Parameters:
--   $source varchar  the agency's registry
--   $as_of  date     any day of the month (its last day is used)
with
month as (
    select last_day($as_of::date) as month_end
),

own as (
    select
        r.record_id,
        r.person_key
    from registrations as r
    where r.source = $source and r.ended_batch_id is null
),

others as (
    select
        o.person_key,
        string_agg(distinct r.source, '; ' order by r.source) as other_registries
    from own as o
    inner join registrations as r on o.person_key = r.person_key
    cross join month as m
    where
        r.source <> $source
        and r.ended_batch_id is null
        and r.registered_on <= m.month_end
    group by o.person_key
),

covered as (
    select distinct o.person_key
    from own as o
    inner join uptake as u on o.person_key = u.person_key
    cross join month as m
    where
        u.ended_batch_id is null
        and u.started_on <= m.month_end
        and (u.ended_on is null or u.ended_on >= m.month_end)
)

select
    o.record_id,
    coalesce(x.other_registries, '') as found_in_other_registries,
    c.person_key is not null as covered,
    m.month_end as covered_on
from own as o
cross join month as m
left join others as x on o.person_key = x.person_key
left join covered as c on o.person_key = c.person_key
order by o.record_id;
