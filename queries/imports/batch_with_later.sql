-- One import batch, with the number of accepted batches of the same source after it, and
-- how many rows it ended (superseded), which rolling it back reopens.
-- $batch_id bigint
select
    b.batch_id,
    b.kind,
    b.source,
    b.result,
    b.file_name,
    b.rows_loaded,
    (
        select count(*) from import_batches as l
        where l.source = b.source and l.batch_id > b.batch_id and l.result = 'accepted'
    ) as later_accepted,
    (
        select count(*) from registrations as r
        where r.ended_batch_id = b.batch_id
    )
    + (
        select count(*) from uptake as u
        where u.ended_batch_id = b.batch_id
    ) as reopened_count
from import_batches as b
where b.batch_id = $batch_id;
