-- The person each current record of a bench import was linked to (bench/bench_import.py scores
-- them against the generator's truth). Grain: one row per record.
-- $source varchar: the bench file's source. $prefix varchar: its record_ids' prefix.
select
    record_id,
    person_key
from registrations
where
    source = $source
    and starts_with(record_id, $prefix)
    and ended_batch_id is null;
