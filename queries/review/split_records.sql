-- The current records that leave a person with one of its records, when a reviewer says
-- that record is another person: the record itself and its person's records with the same
-- keyed ID hash (one ID, one person). One row per record.
-- $source varchar, $record_id varchar: the record split off.
with
split_record as (
    select
        person_key,
        id_hash
    from linkage_features
    where source = $source and record_id = $record_id and ended_batch_id is null
)

select distinct
    f.source,
    f.record_id,
    f.person_key
from linkage_features as f
inner join split_record as s on f.person_key = s.person_key
where
    f.ended_batch_id is null
    and (
        (f.source = $source and f.record_id = $record_id)
        or f.id_hash = s.id_hash
    )
order by f.source, f.record_id;
