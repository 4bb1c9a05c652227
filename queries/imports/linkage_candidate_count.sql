-- How many current records of every other source an incoming record could be linked to
-- (the denominator of the linkage prior). $source varchar: the incoming source.
select count(*) as candidates
from linkage_features
where source <> $source and ended_batch_id is null;
