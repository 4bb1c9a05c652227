-- reads: record_keys, registrations, sources, touched_persons
-- writes: persons
-- Add to persons the current attributes of every person ($everyone) or of the touched ones:
-- one row per person_key from their latest registration (latest registered_on, then latest
-- import batch, then source and record_id), the number of registries they are in and a bit
-- per registry (source_mask), and the person's record key (cell-key method). See
-- aggregates/aggregates.sql.
-- $everyone boolean: every person (a full rebuild) or only those in touched_persons.
insert into persons
with
latest as (
    select
        r.person_key,
        arg_max(
            struct_pack(
                r.sex, r.birth_year, r.province_code, r.district_code, r.commune_code,
                r.occupation, r.poverty_level, r.disability
            ),
            struct_pack(r.registered_on, r.batch_id, r.source, r.record_id)
        ) as attrs,
        min(r.registered_on) as first_registered_on,
        count(distinct r.source) as source_count,
        bit_or(1::usmallint << s.source_bit) as source_mask
    from registrations as r
    inner join sources as s on r.source = s.source
    where
        r.ended_batch_id is null
        and ($everyone or r.person_key in (select t.person_key from touched_persons as t))
    group by r.person_key
)

select
    l.person_key,
    unnest(l.attrs),  -- noqa: AL03
    l.first_registered_on,
    l.source_count,
    l.source_mask,
    k.record_key
from latest as l
left join record_keys as k on l.person_key = k.person_key;
