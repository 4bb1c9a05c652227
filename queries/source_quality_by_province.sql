-- Data quality of each source's current records by province: how complete the linkage
-- fields are, how many records could not be linked, how many duplicates were found.
-- A record "could not be linked" when it came without an ID and its person is found in
-- no other registry (its features matched nothing, at its import or at any later one);
-- a duplicate is a second current record of the same person in the same source. Counts
-- are records, suppressed by the caller.
-- Grain: one row per source and province with records.
with
records as (
    select
        r.source,
        r.province_code,
        r.person_key,
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
    left join linkage_features as f
        on r.source = f.source and r.record_id = f.record_id and r.batch_id = f.batch_id
    where r.ended_batch_id is null
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
    p.name_en as province_name_en,
    count(*) as record_count,
    count(*) filter (where r.has_id) as with_id_count,
    count(*) filter (where r.has_name) as with_name_count,
    count(*) filter (where r.has_birth_date) as with_birth_date_count,
    count(*) filter (where r.has_sex) as with_sex_count,
    count(*) filter (where r.has_commune) as with_commune_count,
    count(*) filter (where r.has_occupation) as with_occupation_count,
    count(*) filter (where r.has_district) as with_district_count,
    count(*) filter (where r.has_birth_year) as with_birth_year_count,
    count(*) filter (where r.has_poverty_level) as with_poverty_level_count,
    count(*) filter (where r.has_disability) as with_disability_count,
    count(*) filter (where not r.has_id and g.source_count = 1) as unlinked_count,
    count(*) filter (where r.nth_of_person > 1) as duplicate_count
from records as r
inner join provinces as p on r.province_code = p.province_code
left join registries as g on r.person_key = g.person_key
group by r.source, r.province_code, p.name_en
order by r.source, r.province_code;
