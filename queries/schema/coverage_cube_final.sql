-- Finish coverage_cube: the provinces' parts, sorted by month so that a page reading one
-- month skips every other month's row groups.
create or replace table coverage_cube as
select * from coverage_cube_parts  -- noqa: AM04
order by month_end, province_code;

drop table coverage_cube_parts;
