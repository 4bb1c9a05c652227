-- reads: linkage_features, record_keys, registrations, touched_persons
-- writes: source_quality_parts
-- One pass of source_quality (see aggregates/aggregates.sql): per source and province, the
-- completeness of the current records of every person ($everyone) or of the touched ones,
-- the records that could not be linked and the duplicates, counted with $sign. The
-- definitions are those of queries/source_quality_by_province.sql.
-- $before bigint: count the records current before this batch (aggregates/coverage_cube_part).
-- $everyone boolean. $sign integer: 1 to add, -1 to take away.
insert into source_quality_parts
with
records as (
    select
        r.source,
        r.province_code,
        r.person_key,
        k.record_key as rk,
        row_number() over (
            partition by r.source, r.person_key order by r.record_id
        ) as nth_of_person,
        f.id_hash is not null as has_id,
        f.name_clk is not null as has_name,
        f.birth_hash is not null as has_birth_date,
        r.sex is not null as has_sex,
        r.commune_code is not null as has_commune,
        r.occupation is not null as has_occupation,
        r.district_code is not null as has_district,
        r.birth_year is not null as has_birth_year,
        r.poverty_level is not null as has_poverty_level,
        r.disability is not null as has_disability
    from registrations as r
    left join record_keys as k on r.person_key = k.person_key
    left join linkage_features as f
        on r.source = f.source and r.record_id = f.record_id and r.batch_id = f.batch_id
    where
        r.batch_id < $before
        and coalesce(r.ended_batch_id, $before) >= $before
        and ($everyone or r.person_key in (select t.person_key from touched_persons as t))
),

registries as (
    select
        person_key,
        count(distinct source) as source_count
    from records
    group by person_key
)

select
    r.source,
    r.province_code,
    count(*) * $sign as record_count,
    count(*) filter (where r.has_id) * $sign as with_id_count,
    count(*) filter (where r.has_name) * $sign as with_name_count,
    count(*) filter (where r.has_birth_date) * $sign as with_birth_date_count,
    count(*) filter (where r.has_sex) * $sign as with_sex_count,
    count(*) filter (where r.has_commune) * $sign as with_commune_count,
    count(*) filter (where r.has_occupation) * $sign as with_occupation_count,
    count(*) filter (where r.has_district) * $sign as with_district_count,
    count(*) filter (where r.has_birth_year) * $sign as with_birth_year_count,
    count(*) filter (where r.has_poverty_level) * $sign as with_poverty_level_count,
    count(*) filter (where r.has_disability) * $sign as with_disability_count,
    count(*) filter (where not r.has_id and g.source_count = 1) * $sign as unlinked_count,
    count(*) filter (where r.nth_of_person > 1) * $sign as duplicate_count,
    sum(r.rk) * $sign as record_ksum,
    coalesce(sum(r.rk) filter (where r.has_id), 0) * $sign as with_id_ksum,
    coalesce(sum(r.rk) filter (where r.has_name), 0) * $sign as with_name_ksum,
    coalesce(sum(r.rk) filter (where r.has_birth_date), 0) * $sign as with_birth_date_ksum,
    coalesce(sum(r.rk) filter (where r.has_sex), 0) * $sign as with_sex_ksum,
    coalesce(sum(r.rk) filter (where r.has_commune), 0) * $sign as with_commune_ksum,
    coalesce(sum(r.rk) filter (where r.has_occupation), 0) * $sign as with_occupation_ksum,
    coalesce(sum(r.rk) filter (where r.has_district), 0) * $sign as with_district_ksum,
    coalesce(sum(r.rk) filter (where r.has_birth_year), 0) * $sign as with_birth_year_ksum,
    coalesce(sum(r.rk) filter (where r.has_poverty_level), 0) * $sign as with_poverty_level_ksum,
    coalesce(sum(r.rk) filter (where r.has_disability), 0) * $sign as with_disability_ksum,
    coalesce(sum(r.rk) filter (where not r.has_id and g.source_count = 1), 0)
    * $sign as unlinked_ksum,
    coalesce(sum(r.rk) filter (where r.nth_of_person > 1), 0) * $sign as duplicate_ksum
from records as r
left join registries as g on r.person_key = g.person_key
group by r.source, r.province_code;
