-- Outreach back to one agency: its own records of persons covered by no programme on the
-- as-of month, with the programmes each appears eligible for by the catalogue's rules, and
-- nothing the agency did not know: neither which other registries hold the person, nor
-- what another registry says of them (eligibility reads the agency's own record only, so
-- NSSF is never told that a member is IDPoor-poor), nor which programme another agency
-- pays them. Record-level: written to the agency's outbox (exports/outreach.py), never
-- shown on a page, never in the Parquet export.
-- Grain: one row per current record of $source registered by the month end whose person
--   has no active episode of any programme on the month end (started_on <= month end and
--   ended_on empty or >= month end): "registered with you, not covered by any programme".
-- Columns: record_id; as_of_month ('YYYY-MM'); eligible_programmes (service codes, sorted,
--   '; '-separated, empty when none): programmes running on the month end (the catalogue's
--   started_on, ended_on) whose rules the record's own poverty level, disability, sex and
--   birth year meet, by the macro service_eligibility (macros/service_eligibility), the
--   one that sets the cube's eligible_mask for the targeting and needs figures.
-- Parameters:
--   $source varchar  the agency's registry code
--   $as_of  date     any day of the month (its last day is used)
-- The macro must be defined on the cursor first (store/macros.py).
with
month as (
    select last_day($as_of::date) as month_end
),

covered as (
    select distinct u.person_key
    from uptake as u
    cross join month as m
    where
        u.ended_batch_id is null
        and u.started_on <= m.month_end
        and (u.ended_on is null or u.ended_on >= m.month_end)
),

own as (
    select
        r.record_id,
        r.poverty_level,
        r.disability,
        r.sex,
        r.birth_year,
        year(m.month_end) as year
    from registrations as r
    cross join month as m
    where
        r.source = $source
        and r.ended_batch_id is null
        and r.registered_on <= m.month_end
        and r.person_key not in (select c.person_key from covered as c)
),

-- read by name by the macro service_eligibility, below (sqlfluff cannot see that use)
eligibility_keys as (  -- noqa: ST03
    select distinct
        poverty_level,
        disability,
        sex,
        birth_year,
        year
    from own
),

running as (
    select s.service_code
    from services as s
    cross join month as m
    where
        coalesce(s.started_on <= m.month_end, true)
        and coalesce(s.ended_on >= m.month_end, true)
),

eligible as (
    select
        o.record_id,
        string_agg(e.service_code, '; ' order by e.service_code) as eligible_programmes
    from own as o
    inner join service_eligibility(eligibility_keys) as e
        on
            o.poverty_level is not distinct from e.poverty_level
            and o.disability is not distinct from e.disability
            and o.sex is not distinct from e.sex
            and o.birth_year is not distinct from e.birth_year
            and o.year = e.year
    inner join running as s on e.service_code = s.service_code
    where e.eligible
    group by o.record_id
)

select
    o.record_id,
    strftime(m.month_end, '%Y-%m') as as_of_month,
    coalesce(e.eligible_programmes, '') as eligible_programmes
from own as o
cross join month as m
left join eligible as e on o.record_id = e.record_id
order by o.record_id;
