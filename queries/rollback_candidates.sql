-- Batches that can be rolled back: for each source, its latest accepted batch, when that
-- is a registrations or uptake import (nothing later builds on it).
-- Grain: one row per source with such a batch.
with
latest as (
    select
        source,
        max(batch_id) as batch_id
    from import_batches
    where result = 'accepted' and source is not null
    group by source
)

select
    b.batch_id,
    b.source,
    b.kind,
    b.file_name,
    b.imported_at,
    b.rows_loaded
from import_batches as b
inner join latest as l on b.batch_id = l.batch_id
where b.kind in ('registrations', 'uptake')
order by b.batch_id desc;
