-- reads: store_meta
-- writes: coverage_months
-- The month ends the cubes span: from $series_start (settings.SERIES_START, month_idx 0) to
-- the last complete month on or before store_meta.data_as_of (today when unset).
-- See aggregates/aggregates.sql.
create or replace table coverage_months as
with
as_of as (
    select coalesce(
        (
            select max(try_cast(value as date)) from store_meta
            where key = 'data_as_of'
        ),
        current_date
    ) as data_as_of
),

bounds as (
    select
        datediff('month', $series_start::date, data_as_of)
        - (case when data_as_of = last_day(data_as_of) then 0 else 1 end) as last_idx
    from as_of
)

select
    t.month_idx,
    last_day($series_start::date + to_months(t.month_idx::integer)) as month_end
from bounds as b
cross join range(0, b.last_idx + 1) as t (month_idx);
