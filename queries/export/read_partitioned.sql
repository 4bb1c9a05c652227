-- Read one exported table's Hive-partitioned Parquet files, partition columns typed as in
-- the store (a code such as '01' stays text).
-- $files varchar: the glob of the table's files, folder/<table>/**/*.parquet
select *  -- noqa: AM04
from
    read_parquet(
        $files,
        hive_partitioning = true,
        hive_types = { 'province_code': varchar, 'year': integer }
    );
