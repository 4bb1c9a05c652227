-- The person already known for each incoming record_id of the same source (current rows).
-- incoming: a registered frame with column record_id.
-- $source varchar: the source registry.
select
    i.record_id,
    r.person_key
from incoming as i
inner join registrations as r on i.record_id = r.record_id
where r.source = $source and r.ended_batch_id is null;
