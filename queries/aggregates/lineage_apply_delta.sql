-- reads: lineage_parts
-- writes: lineage_rows
-- Add the signed counts of lineage_parts (the touched persons' rows now minus before) to
-- lineage_rows; a group left without rows goes.
merge into lineage_rows as l
using (
    select
        used_for,
        batch_id,
        province_code,
        source,
        month_end,
        sum(row_count) as row_count
    from lineage_parts
    group by used_for, batch_id, province_code, source, month_end
) as d
    on
        l.used_for = d.used_for
        and l.batch_id = d.batch_id
        and l.province_code is not distinct from d.province_code
        and l.source = d.source
        and l.month_end = d.month_end
when matched then update set row_count = l.row_count + d.row_count
when not matched then
    insert (used_for, batch_id, province_code, source, month_end, row_count)
    values (d.used_for, d.batch_id, d.province_code, d.source, d.month_end, d.row_count);

delete from lineage_rows
where row_count = 0;
