-- Overlap between registries: how many persons are in exactly each combination of the
-- registries on an as-of month end (an UpSet intersection), from coverage_cube's
-- source_mask, with the sum of their record keys (person_ksum) for the cell-key method;
-- the caller perturbs the counts.
-- Grain: one row per combination of sources that holds at least one person.
-- Parameters:
--   $as_of  date  any day of the month to report on (its last day is used)
with
combinations as (
    select
        c.source_mask,
        sum(c.persons)::bigint as person_count,
        sum(c.key_sum)::bigint as person_ksum
    from coverage_cube as c
    where c.month_end = last_day($as_of::date)
    group by c.source_mask
)

select
    c.source_mask,
    list_sort(list(s.source)) as sources,
    count(*) as source_count,
    any_value(c.person_count) as person_count,
    any_value(c.person_ksum) as person_ksum
from combinations as c
inner join sources as s on (c.source_mask & (1::usmallint << s.source_bit)) <> 0
group by c.source_mask
order by person_count desc;
