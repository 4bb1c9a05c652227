-- The source registries the store holds, with the latest import of each.
-- Grain: one row per source.
select
    s.source,
    s.name_en,
    s.name_km,
    s.agency,
    max(b.imported_at) as last_imported_at
from sources as s
left join import_batches as b on s.source = b.source
group by all
order by s.source;
