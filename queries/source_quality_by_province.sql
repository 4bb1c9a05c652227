-- Data quality of each source's current records by province: how complete the linkage
-- fields are, how many records could not be linked, how many duplicates were found.
-- A record "could not be linked" when it came without an ID and its person is found in
-- no other registry (its features matched nothing, at its import or at any later one);
-- a duplicate is a second current record of the same person in the same source. Counts
-- are records, each with the sum of its records' persons' record keys (`*_ksum`): the
-- caller perturbs them (cell-key method).
-- Read from source_quality, which every import keeps fresh (aggregates/source_quality_part).
-- Grain: one row per source and province with records.
select
    q.source,
    q.province_code,
    p.name_en as province_name_en,
    q.record_count,
    q.with_id_count,
    q.with_name_count,
    q.with_birth_date_count,
    q.with_sex_count,
    q.with_commune_count,
    q.with_occupation_count,
    q.with_district_count,
    q.with_birth_year_count,
    q.with_poverty_level_count,
    q.with_disability_count,
    q.unlinked_count,
    q.duplicate_count,
    q.record_ksum,
    q.with_id_ksum,
    q.with_name_ksum,
    q.with_birth_date_ksum,
    q.with_sex_ksum,
    q.with_commune_ksum,
    q.with_occupation_ksum,
    q.with_district_ksum,
    q.with_birth_year_ksum,
    q.with_poverty_level_ksum,
    q.with_disability_ksum,
    q.unlinked_ksum,
    q.duplicate_ksum
from source_quality as q
inner join provinces as p on q.province_code = p.province_code
order by q.source, q.province_code;
