-- Lineage of a coverage figure: the import batches whose rows feed it.
-- Grain: one row per import batch x use ('registrations', 'uptake', 'population'):
-- registration batches with a row of the province (and registry) registered by the month
-- end; uptake batches with an episode begun by then for a person registered in the
-- province; the population batches of the estimate year the month uses.
-- Parameters:
--   $as_of     date     any day of the month (its last day is used)
--   $province  varchar  a province code, or null (or 'KH') for the whole country
--   $source    varchar  a source registry, or null for all
with
month as (
    select last_day($as_of::date) as month_end
),

place as (
    select nullif($province::varchar, 'KH') as province_code
),

estimate_year as (
    select coalesce(max(year) filter (where year <= year(m.month_end)), min(year)) as year
    from population_estimates
    cross join month as m
),

used as (
    select distinct
        l.batch_id,
        l.used_for
    from lineage_rows as l
    cross join month as m
    cross join place as pl
    where
        l.month_end <= m.month_end
        and (pl.province_code is null or l.province_code = pl.province_code)
        and ($source::varchar is null or l.source = $source)
    union
    select distinct
        pe.batch_id,
        'population' as used_for
    from population_estimates as pe
    inner join estimate_year as ey on pe.year = ey.year
    cross join place as pl
    where pl.province_code is null or pe.province_code = pl.province_code
)

select
    u.used_for,
    u.batch_id,
    b.kind,
    b.source,
    b.file_name,
    b.sha256,
    b.imported_at,
    b.rows_loaded,
    b.result,
    b.user_name
from used as u
left join import_batches as b on u.batch_id = b.batch_id
order by u.used_for, u.batch_id;
