-- Bench only: how many current records an import can be linked against (0 in a store built
-- before the demo's direct route kept linkage features: its imports compare nothing).
-- Grain: one row.
select count(*) as records
from linkage_features
where ended_batch_id is null;
