-- reads: source_quality_parts
-- writes: source_quality
-- Add the signed counts of source_quality_parts (the touched persons' records now minus
-- before) to source_quality; a source and province left without records goes.
merge into source_quality as q
using (
    select
        source,
        province_code,
        sum(record_count) as record_count,
        sum(with_id_count) as with_id_count,
        sum(with_name_count) as with_name_count,
        sum(with_birth_date_count) as with_birth_date_count,
        sum(with_sex_count) as with_sex_count,
        sum(with_commune_count) as with_commune_count,
        sum(with_occupation_count) as with_occupation_count,
        sum(with_district_count) as with_district_count,
        sum(with_birth_year_count) as with_birth_year_count,
        sum(with_poverty_level_count) as with_poverty_level_count,
        sum(with_disability_count) as with_disability_count,
        sum(unlinked_count) as unlinked_count,
        sum(duplicate_count) as duplicate_count,
        sum(record_ksum) as record_ksum,
        sum(with_id_ksum) as with_id_ksum,
        sum(with_name_ksum) as with_name_ksum,
        sum(with_birth_date_ksum) as with_birth_date_ksum,
        sum(with_sex_ksum) as with_sex_ksum,
        sum(with_commune_ksum) as with_commune_ksum,
        sum(with_occupation_ksum) as with_occupation_ksum,
        sum(with_district_ksum) as with_district_ksum,
        sum(with_birth_year_ksum) as with_birth_year_ksum,
        sum(with_poverty_level_ksum) as with_poverty_level_ksum,
        sum(with_disability_ksum) as with_disability_ksum,
        sum(unlinked_ksum) as unlinked_ksum,
        sum(duplicate_ksum) as duplicate_ksum
    from source_quality_parts
    group by source, province_code
) as d
    on q.source = d.source and q.province_code = d.province_code
when matched then
    update
        set
            record_count = q.record_count + d.record_count,
            with_id_count = q.with_id_count + d.with_id_count,
            with_name_count = q.with_name_count + d.with_name_count,
            with_birth_date_count = q.with_birth_date_count + d.with_birth_date_count,
            with_sex_count = q.with_sex_count + d.with_sex_count,
            with_commune_count = q.with_commune_count + d.with_commune_count,
            with_occupation_count = q.with_occupation_count + d.with_occupation_count,
            with_district_count = q.with_district_count + d.with_district_count,
            with_birth_year_count = q.with_birth_year_count + d.with_birth_year_count,
            with_poverty_level_count = q.with_poverty_level_count + d.with_poverty_level_count,
            with_disability_count = q.with_disability_count + d.with_disability_count,
            unlinked_count = q.unlinked_count + d.unlinked_count,
            duplicate_count = q.duplicate_count + d.duplicate_count,
            record_ksum = q.record_ksum + d.record_ksum,
            with_id_ksum = q.with_id_ksum + d.with_id_ksum,
            with_name_ksum = q.with_name_ksum + d.with_name_ksum,
            with_birth_date_ksum = q.with_birth_date_ksum + d.with_birth_date_ksum,
            with_sex_ksum = q.with_sex_ksum + d.with_sex_ksum,
            with_commune_ksum = q.with_commune_ksum + d.with_commune_ksum,
            with_occupation_ksum = q.with_occupation_ksum + d.with_occupation_ksum,
            with_district_ksum = q.with_district_ksum + d.with_district_ksum,
            with_birth_year_ksum = q.with_birth_year_ksum + d.with_birth_year_ksum,
            with_poverty_level_ksum = q.with_poverty_level_ksum + d.with_poverty_level_ksum,
            with_disability_ksum = q.with_disability_ksum + d.with_disability_ksum,
            unlinked_ksum = q.unlinked_ksum + d.unlinked_ksum,
            duplicate_ksum = q.duplicate_ksum + d.duplicate_ksum
when not matched then
    insert
        (
            source,
            province_code,
            record_count,
            with_id_count,
            with_name_count,
            with_birth_date_count,
            with_sex_count,
            with_commune_count,
            with_occupation_count,
            with_district_count,
            with_birth_year_count,
            with_poverty_level_count,
            with_disability_count,
            unlinked_count,
            duplicate_count,
            record_ksum,
            with_id_ksum,
            with_name_ksum,
            with_birth_date_ksum,
            with_sex_ksum,
            with_commune_ksum,
            with_occupation_ksum,
            with_district_ksum,
            with_birth_year_ksum,
            with_poverty_level_ksum,
            with_disability_ksum,
            unlinked_ksum,
            duplicate_ksum
        )
    values (
        d.source,
        d.province_code,
        d.record_count,
        d.with_id_count,
        d.with_name_count,
        d.with_birth_date_count,
        d.with_sex_count,
        d.with_commune_count,
        d.with_occupation_count,
        d.with_district_count,
        d.with_birth_year_count,
        d.with_poverty_level_count,
        d.with_disability_count,
        d.unlinked_count,
        d.duplicate_count,
        d.record_ksum,
        d.with_id_ksum,
        d.with_name_ksum,
        d.with_birth_date_ksum,
        d.with_sex_ksum,
        d.with_commune_ksum,
        d.with_occupation_ksum,
        d.with_district_ksum,
        d.with_birth_year_ksum,
        d.with_poverty_level_ksum,
        d.with_disability_ksum,
        d.unlinked_ksum,
        d.duplicate_ksum
    );

delete from source_quality
where record_count = 0;
