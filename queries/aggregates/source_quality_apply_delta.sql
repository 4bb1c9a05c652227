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
        sum(duplicate_count) as duplicate_count
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
            duplicate_count = q.duplicate_count + d.duplicate_count
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
            duplicate_count
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
        d.duplicate_count
    );

delete from source_quality
where record_count = 0;
