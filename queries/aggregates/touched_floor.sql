-- reads: persons, registrations, touched_before, touched_persons, uptake
-- writes: touched_floor
-- For each touched person, the first month (month_idx) whose cube rows the batches after
-- $since can have changed. A person's rows in a month depend on their attributes and on
-- the registrations and episodes current then; so when the attributes are unchanged, the
-- months before the earliest registration or episode start added or ended are the same
-- as before. When they changed (or the person is new or gone), every month: 0.
-- Needs touched_before (the old rows) and persons with the touched persons' new rows.
-- $since bigint: the last batch the aggregates include.
create or replace temp table touched_floor as
with
changed as (
    select
        person_key,
        registered_on as changed_on
    from registrations
    where batch_id > $since or ended_batch_id > $since
    union all
    select
        person_key,
        started_on as changed_on
    from uptake
    where batch_id > $since or ended_batch_id > $since
),

earliest as (
    select
        person_key,
        min(changed_on) as changed_on
    from changed
    group by person_key
)

-- floor_idx: the month index of aggregates/coverage_cube_part (January 2019 is 0)
select
    t.person_key,
    case
        when
            o.person_key is null
            or n.person_key is null
            or not (o.sex is not distinct from n.sex)
            or not (o.birth_year is not distinct from n.birth_year)
            or not (o.province_code is not distinct from n.province_code)
            or not (o.district_code is not distinct from n.district_code)
            or not (o.commune_code is not distinct from n.commune_code)
            or not (o.occupation is not distinct from n.occupation)
            or not (o.poverty_level is not distinct from n.poverty_level)
            or not (o.disability is not distinct from n.disability)
            then 0
        else greatest(0, datediff('month', $series_start::date, e.changed_on))
    end as floor_idx
from touched_persons as t
left join touched_before as o on t.person_key = o.person_key
left join persons as n on t.person_key = n.person_key
left join earliest as e on t.person_key = e.person_key;
