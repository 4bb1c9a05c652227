-- What a registrations file will do to its source's current records, said before anything
-- is written: how many record_ids it adds (the source holds none of them as current),
-- changes (the source holds them: the file's version replaces theirs) and, for a full
-- extract ($whole), ends (current records the file does not send again).
-- Grain: one row. incoming: a registered frame with column record_id (unique in the file).
-- $source varchar: the source registry. $whole boolean: the file is a full extract.
with
held as (
    select r.record_id
    from registrations as r
    where r.source = $source and r.ended_batch_id is null
),

sent as (
    select distinct i.record_id
    from incoming as i
)

select
    (select count(*) from held) as current_records,
    (select count(*) from sent as s anti join held as h on s.record_id = h.record_id) as added,
    (select count(*) from sent as s semi join held as h on s.record_id = h.record_id)
        as changed,
    case
        when $whole
            then (
                select count(*) from held as h
                anti join sent as s on h.record_id = s.record_id
            )
        else 0
    end as ended;
