-- End the linkage features of the records that an incoming file replaces: every one for a
-- full extract ($whole), else those whose record_id the file sends again. History stays.
-- incoming: a registered frame with column record_id.
-- $source varchar, $batch_id bigint (the incoming batch), $whole boolean
update linkage_features
set ended_batch_id = $batch_id
where
    source = $source
    and ended_batch_id is null
    and batch_id <> $batch_id
    and ($whole or record_id in (select i.record_id from incoming as i));
