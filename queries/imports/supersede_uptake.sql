-- End the source's current uptake rows that an incoming file replaces: every one for a
-- full extract ($whole), else the episodes it sends again (same record, service, start).
-- incoming: a registered frame with record_id, service_code, started_on.
-- $source varchar, $batch_id bigint (the incoming batch), $whole boolean
update uptake
set ended_batch_id = $batch_id
where
    source = $source
    and ended_batch_id is null
    and batch_id <> $batch_id
    and (
        $whole
        or (record_id, service_code, started_on) in (
            select (i.record_id, i.service_code, i.started_on) from incoming as i
        )
    );
