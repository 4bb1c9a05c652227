-- reads: coverage_cube, coverage_months, occupations, services
-- writes: series_cube, series_service_cube, series_service_totals, series_totals
-- series_cube and series_service_cube: coverage_cube rolled up for the monthly series
-- (coverage_trend, uptake_monthly), which read every month at once. They keep informal
-- occupations only (those queries' population) and leave out poverty, disability and
-- eligibility, which they never cut by; month and province are small integers
-- (coverage_months.month_idx, the province's NIS number) so that DuckDB groups them by
-- perfect hashing. series_service_cube has a row per service bit set in the mask: the
-- persons receiving each service, without grouping by the 700-odd masks at query time.
-- Both are stored sorted by sex, age band and occupation, so that a filter on them reads only
-- the row groups whose zone maps (min/max) can hold the value: sex and age band chosen, 4 of
-- 25 row groups at national scale. Rows an incremental refresh adds go at the end, until
-- the next full rebuild sorts them again.
-- series_totals and series_service_totals: the same without sex, age band and occupation,
-- which the series read when none of those is chosen (25 and 43 times fewer rows at national
-- scale). Rebuilt from coverage_cube here; kept fresh with it by aggregates/series_apply_delta.
create or replace table series_cube as
select
    m.month_idx::usmallint as month_idx,
    c.province_code::utinyint as province_no,
    c.sex,
    c.age_band,
    c.occupation,
    c.source_mask,
    c.service_mask,
    sum(c.persons)::bigint as persons,
    sum(c.key_sum)::bigint as key_sum
from coverage_cube as c
inner join coverage_months as m on c.month_end = m.month_end
where
    c.occupation in (
        select o.occupation from occupations as o
        where o.is_informal
    )
group by all
order by sex, age_band, occupation, month_idx, province_no;

create or replace table series_service_cube as
select
    c.month_idx,
    c.province_no,
    c.sex,
    c.age_band,
    c.occupation,
    c.source_mask,
    s.service_bit::utinyint as service_bit,
    sum(c.persons)::bigint as persons,
    sum(c.key_sum)::bigint as key_sum
from series_cube as c
inner join services as s on (c.service_mask & (1::ubigint << s.service_bit)) <> 0
group by all
order by sex, age_band, occupation, month_idx, province_no;

create or replace table series_totals as
select
    c.month_idx,
    c.province_no,
    c.source_mask,
    c.service_mask,
    sum(c.persons)::bigint as persons,
    sum(c.key_sum)::bigint as key_sum
from series_cube as c
group by all
order by c.month_idx, c.province_no;

create or replace table series_service_totals as
select
    c.month_idx,
    c.province_no,
    c.source_mask,
    c.service_bit,
    sum(c.persons)::bigint as persons,
    sum(c.key_sum)::bigint as key_sum
from series_service_cube as c
group by all
order by c.month_idx, c.province_no;
