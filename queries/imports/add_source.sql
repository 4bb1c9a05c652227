-- Register a source the store does not know yet, with the next free source bit.
-- $source varchar
insert into sources (source, source_bit, name_en)
select
    $source::varchar as source,
    coalesce((select max(s.source_bit) + 1 from sources as s), 0) as source_bit,
    $source as name_en
where $source not in (select s.source from sources as s);
