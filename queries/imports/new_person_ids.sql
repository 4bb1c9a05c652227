-- Remember the person of every keyed ID hash the store has not seen before.
-- incoming: a registered frame with id_hash, person_key. $batch_id bigint
insert into person_ids (id_hash, person_key, batch_id)
select
    id_hash,
    min(person_key) as person_key,
    $batch_id::bigint as batch_id
from incoming
where id_hash is not null and id_hash not in (select p.id_hash from person_ids as p)
group by id_hash;
