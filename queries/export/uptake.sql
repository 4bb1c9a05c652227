-- Export: every uptake episode, partitioned by its person's province (none when the person
-- has no registration) and the year it started.
-- Grain: one row per episode.
select
    u.*,  -- noqa: AM04
    coalesce(p.province_code, 'none') as province_code,
    year(u.started_on) as year
from uptake as u
left join persons as p on u.person_key = p.person_key;
