-- reads: nothing
-- writes: lineage_parts
-- Where the lineage passes put their signed rows (aggregates/lineage_part).
create or replace temp table lineage_parts (
    used_for varchar,
    batch_id bigint,
    province_code varchar,
    source varchar,
    month_end date,
    row_count bigint
);
