-- Give records another person (a reviewer split them off): every row of theirs, superseded
-- ones included, in registrations, uptake and linkage_features, and their ID hashes.
-- incoming: a registered frame with source, record_id, person_key (their person now) and
-- new_person_key.
update person_ids as p
set person_key = i.new_person_key
from incoming as i
inner join linkage_features as f
    on i.source = f.source and i.record_id = f.record_id and i.person_key = f.person_key
where p.person_key = i.person_key and p.id_hash = f.id_hash;

update registrations as r
set person_key = i.new_person_key
from incoming as i
where r.source = i.source and r.record_id = i.record_id and r.person_key = i.person_key;

update uptake as u
set person_key = i.new_person_key
from incoming as i
where u.source = i.source and u.record_id = i.record_id and u.person_key = i.person_key;

update linkage_features as f
set person_key = i.new_person_key
from incoming as i
where f.source = i.source and f.record_id = i.record_id and f.person_key = i.person_key;
