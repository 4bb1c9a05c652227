-- The next free import batch id.
select coalesce(max(batch_id), 0) + 1 as batch_id from import_batches;
