-- reads: lineage_parts
-- writes: lineage_rows
-- lineage_rows from a full rebuild's parts.
create or replace table lineage_rows as
select
    used_for,
    batch_id,
    province_code,
    source,
    month_end,
    sum(row_count)::bigint as row_count
from lineage_parts
group by used_for, batch_id, province_code, source, month_end;
