-- Export: the coverage cube with its partition year. The bit masks (unsigned) are written
-- as signed integers of the same bits by parquet_export, as every unsigned column is.
-- Grain: as coverage_cube (aggregates/aggregates.sql).
select
    c.*,  -- noqa: AM04
    year(c.month_end) as year
from coverage_cube as c;
