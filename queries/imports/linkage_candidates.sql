-- Linkage features of the current records of every other source: what an incoming record
-- without a known ID may be linked to. One row per person and feature combination (a
-- person registered twice with the same features is one candidate).
-- $source varchar: the incoming source (its own records are not candidates).
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
    commune_code
from linkage_features
where source <> $source and ended_batch_id is null;
