-- The record_ids of a source's current registrations (uptake rows must refer to one).
-- $source varchar: the source registry.
select distinct record_id
from registrations
where source = $source and ended_batch_id is null;
