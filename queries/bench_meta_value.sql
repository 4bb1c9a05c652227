-- Bench only: one store_meta entry (how the last write refreshed the aggregates).
-- $key varchar. Grain: one row, or none when the key is unset.
select value
from store_meta
where key = $key;
