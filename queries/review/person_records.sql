-- The current records of some persons, with their linkage features and place names: what
-- the review queue compares and shows (keyed hashes and Bloom filters: no name, ID or birth
-- date). One row per current record.
-- $persons bigint[]: the persons.
select
    f.source,
    f.record_id,
    f.person_key,
    f.id_hash,
    f.id_variants,
    f.name_clk,
    f.birth_variants,
    f.token_min_hash,
    f.token_max_hash,
    f.birth_hash,
    f.birth_swap_hash,
    f.birth_year,
    f.sex,
    f.province_code,
    f.commune_code,
    p.name_en as province_name_en,
    p.name_km as province_name_km,
    c.name_en as commune_name_en,
    c.name_km as commune_name_km
from linkage_features as f
left join provinces as p on f.province_code = p.province_code
left join communes as c on f.commune_code = c.commune_code
where
    f.ended_batch_id is null
    and f.person_key in (select unnest($persons::bigint[]))
order by f.person_key asc, f.source asc, f.record_id asc;
