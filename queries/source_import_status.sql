-- Timeliness and validity per source: the last accepted import, days since it (to
-- today), and the last attempt's result and share of valid file rows.
-- Grain: one row per source registry.
with
last_accepted as (
    select
        source,
        max(imported_at) as last_accepted_at
    from import_batches
    where result = 'accepted' and source is not null
    group by source
),

last_attempt as (
    select
        source,
        arg_max(result, batch_id) as last_result,
        arg_max(file_name, batch_id) as last_file_name,
        arg_max(
            1 - coalesce(invalid_rows, 0) / nullif(rows_read, 0), batch_id
        ) as last_valid_row_share
    from import_batches
    where source is not null
    group by source
)

select
    s.source,
    s.name_en,
    la.last_accepted_at,
    date_diff('day', la.last_accepted_at::date, current_date) as days_since_import,
    lt.last_result,
    lt.last_file_name,
    lt.last_valid_row_share
from sources as s
left join last_accepted as la on s.source = la.source
left join last_attempt as lt on s.source = lt.source
order by s.source;
