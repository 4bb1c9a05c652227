-- reads: source_quality_parts
-- writes: source_quality
-- source_quality from a full rebuild's parts.
create or replace table source_quality as
select
    source,
    province_code,
    sum(record_count)::bigint as record_count,
    sum(with_id_count)::bigint as with_id_count,
    sum(with_name_count)::bigint as with_name_count,
    sum(with_birth_date_count)::bigint as with_birth_date_count,
    sum(with_sex_count)::bigint as with_sex_count,
    sum(with_commune_count)::bigint as with_commune_count,
    sum(with_occupation_count)::bigint as with_occupation_count,
    sum(with_district_count)::bigint as with_district_count,
    sum(with_birth_year_count)::bigint as with_birth_year_count,
    sum(with_poverty_level_count)::bigint as with_poverty_level_count,
    sum(with_disability_count)::bigint as with_disability_count,
    sum(unlinked_count)::bigint as unlinked_count,
    sum(duplicate_count)::bigint as duplicate_count,
    sum(record_ksum)::bigint as record_ksum,
    sum(with_id_ksum)::bigint as with_id_ksum,
    sum(with_name_ksum)::bigint as with_name_ksum,
    sum(with_birth_date_ksum)::bigint as with_birth_date_ksum,
    sum(with_sex_ksum)::bigint as with_sex_ksum,
    sum(with_commune_ksum)::bigint as with_commune_ksum,
    sum(with_occupation_ksum)::bigint as with_occupation_ksum,
    sum(with_district_ksum)::bigint as with_district_ksum,
    sum(with_birth_year_ksum)::bigint as with_birth_year_ksum,
    sum(with_poverty_level_ksum)::bigint as with_poverty_level_ksum,
    sum(with_disability_ksum)::bigint as with_disability_ksum,
    sum(unlinked_ksum)::bigint as unlinked_ksum,
    sum(duplicate_ksum)::bigint as duplicate_ksum
from source_quality_parts
group by source, province_code;
