-- The person of each incoming keyed ID hash already in the store.
-- incoming: a registered frame with column id_hash.
select
    i.id_hash,
    p.person_key
from incoming as i
inner join person_ids as p on i.id_hash = p.id_hash;
