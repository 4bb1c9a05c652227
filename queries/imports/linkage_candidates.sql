-- The stored records an incoming record may be linked to: current linkage features of
-- every other source that meet one blocking rule (linkage.RULES, h1 to h12 below in the
-- same order) with an unlinked incoming record. A person known by an ID
-- (person_ids) is a candidate only through an incoming record without one: a person has
-- one ID, and an incoming ID that is stored was linked by it before. One row per person
-- and feature combination (a person registered twice with the same features is one
-- candidate), with `keyed`: whether the person has an ID.
-- incoming: the unlinked records' features. $source varchar: the incoming source.
-- Each CTE holds the distinct keys of a rule (or of two) among the incoming records, and
-- whether one of the records with that key has no ID.
with
date_first as (
    select
        birth_hash,
        token_min_hash,
        bool_or(id_hash is null) as unkeyed
    from incoming
    group by all
),

date_last as (
    select
        birth_hash,
        token_max_hash,
        bool_or(id_hash is null) as unkeyed
    from incoming
    group by all
),

date_province as (
    select
        birth_hash,
        province_code,
        sex,
        bool_or(id_hash is null) as unkeyed
    from incoming
    group by all
),

swap_dated as (
    select
        birth_swap_hash,
        province_code,
        sex,
        bool_or(id_hash is null) as unkeyed
    from incoming
    group by all
),

first_year_commune as (
    select
        token_min_hash,
        birth_year,
        commune_code,
        bool_or(id_hash is null) as unkeyed
    from incoming
    group by all
),

last_year_commune as (
    select
        token_max_hash,
        birth_year,
        commune_code,
        bool_or(id_hash is null) as unkeyed
    from incoming
    group by all
),

name_year_province as (
    select
        token_min_hash,
        token_max_hash,
        birth_year,
        province_code,
        sex,
        bool_or(id_hash is null) as unkeyed
    from incoming
    group by all
),

first_year_province as (
    select
        token_min_hash,
        birth_year,
        province_code,
        sex,
        bool_or(id_hash is null) as unkeyed,
        bool_or(birth_hash is null) as undated,
        bool_or(birth_hash is null and id_hash is null) as undated_unkeyed
    from incoming
    group by all
),

last_year_province as (
    select
        token_max_hash,
        birth_year,
        province_code,
        sex,
        bool_or(id_hash is null) as unkeyed,
        bool_or(birth_hash is null) as undated,
        bool_or(birth_hash is null and id_hash is null) as undated_unkeyed
    from incoming
    group by all
),

-- Per rule, h1 to h12: null when no incoming record meets it with this stored record,
-- else whether one of those has no ID. Rules 9 to 12 share the keys of two joins: 9 and
-- 10 through an incoming record without a date, 11 and 12 when the stored one has none.
matched as (
    select
        f.*,
        r1.unkeyed as h1,
        r2.unkeyed as h2,
        r3.unkeyed as h3,
        r4.unkeyed as h4,
        r5.unkeyed as h5,
        r6.unkeyed as h6,
        r7.unkeyed as h7,
        r8.unkeyed as h8,
        case when r9.undated then r9.undated_unkeyed end as h9,
        case when r10.undated then r10.undated_unkeyed end as h10,
        case when f.birth_hash is null then r9.unkeyed end as h11,
        case when f.birth_hash is null then r10.unkeyed end as h12
    from (
        select
            *,
            person_key in (select p.person_key from person_ids as p) as keyed
        from linkage_features
        where source <> $source and ended_batch_id is null
    ) as f
    left join date_first as r1
        on f.birth_hash = r1.birth_hash and f.token_min_hash = r1.token_min_hash
    left join date_last as r2
        on f.birth_hash = r2.birth_hash and f.token_max_hash = r2.token_max_hash
    left join date_province as r3
        on
            f.birth_hash = r3.birth_hash
            and f.province_code = r3.province_code
            and f.sex = r3.sex
    left join date_province as r4
        on
            f.birth_swap_hash = r4.birth_hash
            and f.province_code = r4.province_code
            and f.sex = r4.sex
    left join swap_dated as r5
        on
            f.birth_hash = r5.birth_swap_hash
            and f.province_code = r5.province_code
            and f.sex = r5.sex
    left join first_year_commune as r6
        on
            f.token_min_hash = r6.token_min_hash
            and f.birth_year = r6.birth_year
            and f.commune_code = r6.commune_code
    left join last_year_commune as r7
        on
            f.token_max_hash = r7.token_max_hash
            and f.birth_year = r7.birth_year
            and f.commune_code = r7.commune_code
    left join name_year_province as r8
        on
            f.token_min_hash = r8.token_min_hash
            and f.token_max_hash = r8.token_max_hash
            and f.birth_year = r8.birth_year
            and f.province_code = r8.province_code
            and f.sex = r8.sex
    left join first_year_province as r9
        on
            f.token_min_hash = r9.token_min_hash
            and f.birth_year = r9.birth_year
            and f.province_code = r9.province_code
            and f.sex = r9.sex
    left join last_year_province as r10
        on
            f.token_max_hash = r10.token_max_hash
            and f.birth_year = r10.birth_year
            and f.province_code = r10.province_code
            and f.sex = r10.sex
)

select distinct
    person_key,
    id_hash,
    name_clk,
    token_min_hash,
    token_max_hash,
    birth_hash,
    birth_swap_hash,
    birth_year,
    sex,
    province_code,
    commune_code,
    keyed
from matched
-- a rule met: through any incoming record for a person without an ID, else through one
-- without an ID
where
    (
        not keyed
        and coalesce(h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12) is not null
    )
    or h1 or h2 or h3 or h4 or h5 or h6 or h7 or h8 or h9 or h10 or h11 or h12;
