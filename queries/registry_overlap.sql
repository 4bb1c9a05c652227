-- Overlap between registries: how many persons are in exactly each combination of the
-- current registries (an UpSet intersection), from persons.source_mask. Suppression is
-- applied by the caller.
-- Grain: one row per combination of sources that holds at least one person.
with
combinations as (
    select
        source_mask,
        count(*) as person_count
    from persons
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
