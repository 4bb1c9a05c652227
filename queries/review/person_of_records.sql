-- The person of each named record now (its current linkage features), and its ID hash.
-- incoming: a registered frame with source and record_id.
select
    i.source,
    i.record_id,
    f.person_key,
    f.id_hash
from incoming as i
inner join linkage_features as f on i.source = f.source and i.record_id = f.record_id
where f.ended_batch_id is null;
