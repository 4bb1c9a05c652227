-- Overlap between registries: how many persons are in exactly each combination of the
-- current registries (an UpSet intersection). Suppression is applied by the caller.
-- Grain: one row per combination of sources that holds at least one person.
with
person_sources as (
    select
        r.person_key,
        bit_or(1::usmallint << s.source_bit) as source_mask
    from registrations as r
    inner join sources as s on r.source = s.source
    where r.ended_batch_id is null
    group by r.person_key
),

combinations as (
    select
        source_mask,
        count(*) as person_count
    from person_sources
    group by source_mask
)

select
    c.source_mask,
    list_sort(list(s.source)) as sources,
    count(*) as source_count,
    any_value(c.person_count) as person_count
from combinations as c
inner join sources as s on (c.source_mask & (1::usmallint << s.source_bit)) <> 0
group by c.source_mask
order by person_count desc;
