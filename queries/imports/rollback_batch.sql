-- Undo one accepted registrations or uptake batch: delete its rows and reopen the rows it
-- had superseded; ID hashes it introduced go unless another registration keeps their person.
-- incoming: a registered frame with one column batch_id and one row.
delete from registrations
where batch_id in (select i.batch_id from incoming as i);

update registrations set ended_batch_id = null
where ended_batch_id in (select i.batch_id from incoming as i);

delete from linkage_features
where batch_id in (select i.batch_id from incoming as i);

update linkage_features set ended_batch_id = null
where ended_batch_id in (select i.batch_id from incoming as i);

delete from uptake
where batch_id in (select i.batch_id from incoming as i);

update uptake set ended_batch_id = null
where ended_batch_id in (select i.batch_id from incoming as i);

delete from person_ids
where
    batch_id in (select i.batch_id from incoming as i)
    and person_key not in (select r.person_key from registrations as r);

update import_batches set result = 'rolled back'
where batch_id in (select i.batch_id from incoming as i);
