-- Export: the coverage cube with its partition year. The bit masks become signed integers
-- of the same bits (two's complement), the types Parquet readers such as Spark know; the
-- queries only test bits, which give the same answers on them.
-- Grain: as coverage_cube (aggregates/aggregates.sql).
select
    c.month_end,
    c.province_code,
    c.sex,
    c.age_band,
    c.occupation,
    c.poverty_level,
    c.disability,
    (
        case
            when c.eligible_mask >= 9223372036854775808
                then c.eligible_mask::hugeint - 18446744073709551616
            else c.eligible_mask::hugeint
        end
    )::bigint as eligible_mask,
    c.source_mask::integer as source_mask,
    (
        case
            when c.service_mask >= 9223372036854775808
                then c.service_mask::hugeint - 18446744073709551616
            else c.service_mask::hugeint
        end
    )::bigint as service_mask,
    c.persons,
    year(c.month_end) as year
from coverage_cube as c;
