-- reads: nothing
-- writes: source_quality_parts
-- Where the source_quality passes put their signed rows (aggregates/source_quality_part).
create or replace temp table source_quality_parts (
    source varchar,
    province_code varchar,
    record_count bigint,
    with_id_count bigint,
    with_name_count bigint,
    with_birth_date_count bigint,
    with_sex_count bigint,
    with_commune_count bigint,
    with_occupation_count bigint,
    with_district_count bigint,
    with_birth_year_count bigint,
    with_poverty_level_count bigint,
    with_disability_count bigint,
    unlinked_count bigint,
    duplicate_count bigint,
    record_ksum bigint,
    with_id_ksum bigint,
    with_name_ksum bigint,
    with_birth_date_ksum bigint,
    with_sex_ksum bigint,
    with_commune_ksum bigint,
    with_occupation_ksum bigint,
    with_district_ksum bigint,
    with_birth_year_ksum bigint,
    with_poverty_level_ksum bigint,
    with_disability_ksum bigint,
    unlinked_ksum bigint,
    duplicate_ksum bigint
);
