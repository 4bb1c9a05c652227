-- An accepted earlier import of the same file (same SHA-256, kind and source), if any.
-- $sha256 varchar, $kind varchar, $source varchar (may be null)
select batch_id
from import_batches
where
    sha256 = $sha256
    and kind = $kind
    and coalesce(source, '') = coalesce($source::varchar, '')
    and result = 'accepted'
order by batch_id
limit 1;
