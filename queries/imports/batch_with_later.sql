-- One import batch, with the number of accepted batches of the same source after it.
-- $batch_id bigint
select
    b.batch_id,
    b.kind,
    b.source,
    b.result,
    b.file_name,
    (
        select count(*) from import_batches as l
        where l.source = b.source and l.batch_id > b.batch_id and l.result = 'accepted'
    ) as later_accepted
from import_batches as b
where b.batch_id = $batch_id;
