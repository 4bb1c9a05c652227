-- Every import attempt, latest first: accepted, rejected, duplicate or rolled back.
-- Grain: one row per import batch.
select
    batch_id,
    imported_at,
    file_name,
    kind,
    source,
    rows_read,
    rows_loaded,
    result,
    user_name,
    key_fingerprint,
    note
from import_batches
order by batch_id desc;
