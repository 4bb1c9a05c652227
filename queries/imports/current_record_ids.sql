-- Which of the file's record_ids are current registrations of the source (uptake rows must
-- refer to one). Only the file's ids are looked up: a source may hold millions.
-- incoming: a registered frame with column record_id. $source varchar: the source registry.
select distinct r.record_id
from registrations as r
where
    r.source = $source
    and r.ended_batch_id is null
    and r.record_id in (select i.record_id from incoming as i);
